import type { Clock } from '../../common/clock.js';
import { parseRateLimitsConfig, type RateLimitsConfig } from './rate-limits-config.js';
import { TokenBucket, type AcquireOptions, type WaitPosition } from './token-bucket.js';

/** A key's place in a rate-limit queue, naming the bucket it waits on. */
export interface RateLimitPosition extends WaitPosition {
  bucket: string;
}

/**
 * One token bucket per `service:operation`, created on first use from config. Build exactly
 * one registry per process (in the wiring) and hand it to every caller: AWS limits are per
 * account and region, so separate registries would each believe they own the whole budget.
 */
export class RateLimiterRegistry {
  private readonly buckets = new Map<string, TokenBucket>();
  readonly config: RateLimitsConfig;

  /**
   * `poolYieldMs`: head start of session requests over warm-pool requests in every bucket
   * (queue/request-order.ts states the rule and the pool's guaranteed share).
   */
  constructor(private readonly clock: Clock, config: RateLimitsConfig = parseRateLimitsConfig(), private readonly poolYieldMs?: number) {
    this.config = config;
  }

  /** The bucket for `op` (`service:Operation`), created on first use. */
  bucket(op: string): TokenBucket {
    let b = this.buckets.get(op);
    if (!b) {
      const cfg = this.config.buckets[op] ?? this.config.fallback;
      b = new TokenBucket({ clock: this.clock, name: op, burst: cfg.burst, ratePerSec: cfg.ratePerSec, adaptive: this.config.adaptive, ...(this.poolYieldMs !== undefined ? { poolYieldMs: this.poolYieldMs } : {}) });
      this.buckets.set(op, b);
    }
    return b;
  }

  /** Waits for `tokens` from `op`'s bucket, in request order (see TokenBucket.acquire). */
  acquire(op: string, tokens = 1, opts: AcquireOptions = {}): Promise<void> {
    return this.bucket(op).acquire(tokens, opts);
  }

  onThrottled(op: string): void {
    this.bucket(op).onThrottled();
  }

  onSuccess(op: string): void {
    this.buckets.get(op)?.onSuccess();
  }

  /** Where `key` waits, if it waits on any bucket (the longest estimated wait wins). */
  positionOf(key: string): RateLimitPosition | undefined {
    let best: RateLimitPosition | undefined;
    for (const [name, b] of this.buckets) {
      const p = b.positionOf(key);
      if (p && (!best || p.estimatedWaitMs > best.estimatedWaitMs)) best = { ...p, bucket: name };
    }
    return best;
  }

  /**
   * For soak tests and diagnostics: `buckets` (one per `service:operation` used, a fixed set) and
   * `bucketWaiters` (calls waiting for tokens in all buckets: <= calls in flight, i.e. workers x
   * calls a reconcile makes at once, plus the task-event and refresh loops).
   */
  sizes(): Record<string, number> {
    let waiters = 0;
    for (const b of this.buckets.values()) waiters += b.waiting();
    return { buckets: this.buckets.size, bucketWaiters: waiters };
  }

  /** Every bucket created so far, for metrics and status. */
  all(): ReadonlyMap<string, TokenBucket> {
    return this.buckets;
  }
}
