import type { Clock } from '../../common/clock.js';
import type { RateLimiter } from './rate-limiter.js';

export interface OverallBucketOptions {
  clock: Clock;
  /** Retries per second across all keys. Default 50. */
  ratePerSec?: number;
  /** Retries allowed at once before the rate applies. Default 200. */
  burst?: number;
}

/**
 * An overall cap on retries across all keys (client-go `BucketRateLimiter`): each `when`
 * reserves one token and returns how long until that token exists. It bounds the retry storm
 * after an outage, when every key's own backoff is short. Not per key: forget is a no-op.
 */
export class OverallBucketLimiter<K = string> implements RateLimiter<K> {
  private readonly clock: Clock;
  private readonly ratePerMs: number;
  private readonly burst: number;
  private tokens: number;
  private last: number;

  constructor(opts: OverallBucketOptions) {
    this.clock = opts.clock;
    this.ratePerMs = (opts.ratePerSec ?? 50) / 1000;
    this.burst = opts.burst ?? 200;
    this.tokens = this.burst;
    this.last = this.clock.now();
  }

  when(_key: K): number {
    const now = this.clock.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) * this.ratePerMs);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : -this.tokens / this.ratePerMs;
  }

  forget(_key: K): void {}

  numRequeues(_key: K): number {
    return 0;
  }
}
