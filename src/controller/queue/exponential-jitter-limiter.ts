import type { Rng } from '../../common/rng.js';
import { RetryPolicy } from '../../common/retry-policy.js';
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
 * Per-key capped exponential backoff with full jitter: the project's one RetryPolicy
 * (src/common/retry-policy.ts), one failure count per key. Full jitter spreads retries of many
 * keys that failed together (a throttling burst, an outage) instead of retrying them in lockstep.
 */
export class ExponentialJitterLimiter<K = string> implements RateLimiter<K> {
  private readonly failures = new Map<K, number>();
  readonly policy: RetryPolicy;

  constructor(opts: ExponentialJitterOptions) {
    this.policy = new RetryPolicy({ baseMs: opts.baseMs ?? 250, capMs: opts.capMs ?? 30_000, rng: opts.rng });
  }

  get baseMs(): number {
    return this.policy.baseMs;
  }

  get capMs(): number {
    return this.policy.capMs;
  }

  /** The ceiling of the jitter range after `failures` prior failures. */
  ceilingMs(failures: number): number {
    return this.policy.ceilingMs(failures);
  }

  when(key: K): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return this.policy.delayMs(n);
  }

  forget(key: K): void {
    this.failures.delete(key);
  }

  trackedKeys(): number {
    return this.failures.size;
  }

  numRequeues(key: K): number {
    return this.failures.get(key) ?? 0;
  }
}
