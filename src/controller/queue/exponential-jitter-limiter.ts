import type { Rng } from '../../common/rng.js';
import type { RateLimiter } from './rate-limiter.js';

export interface ExponentialJitterOptions {
  /**
   * First ceiling in ms. Default 250: about one ECS API round trip, so a key that failed on
   * a blip retries within a call or two instead of making a waiting user notice.
   */
  baseMs?: number;
  /**
   * Largest ceiling in ms. Default 30_000: reached after 7 failures (250 * 2^7 = 32 s), in
   * line with AWS's guidance of capping backoff in the tens of seconds, and shorter than the
   * periodic resync, so backoff never hides a key longer than a resync pass would.
   */
  capMs?: number;
  rng: Rng;
}

/**
 * Per-key capped exponential backoff with full jitter (AWS architecture blog, "Exponential
 * Backoff And Jitter"): after `n` prior failures the delay is uniform in
 * `[0, min(cap, base * 2^n))`. Full jitter spreads retries of many keys that failed together
 * (a throttling burst, an outage) instead of retrying them in lockstep.
 */
export class ExponentialJitterLimiter<K = string> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  readonly baseMs: number;
  readonly capMs: number;
  private readonly rng: Rng;

  constructor(opts: ExponentialJitterOptions) {
    this.baseMs = opts.baseMs ?? 250;
    this.capMs = opts.capMs ?? 30_000;
    this.rng = opts.rng;
    if (!(this.baseMs > 0) || !(this.capMs >= this.baseMs)) {
      throw new RangeError(`backoff needs 0 < baseMs <= capMs, got baseMs=${this.baseMs} capMs=${this.capMs}`);
    }
  }

  /** The ceiling of the jitter range after `failures` prior failures. */
  ceilingMs(failures: number): number {
    // 2^n overflows to Infinity past n = 1023; min() keeps it at the cap.
    return Math.min(this.capMs, this.baseMs * 2 ** failures);
  }

  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return this.rng.next() * this.ceilingMs(n);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}
