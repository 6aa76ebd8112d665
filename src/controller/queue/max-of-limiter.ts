import type { RateLimiter } from './rate-limiter.js';

/**
 * Composes limiters (client-go `MaxOfRateLimiter`): the delay is the longest any of them asks
 * for, so e.g. a per-key backoff and an overall retry bucket both hold.
 */
export class MaxOfLimiter<K = string> implements RateLimiter<K> {
  private readonly limiters: ReadonlyArray<RateLimiter<K>>;

  constructor(...limiters: Array<RateLimiter<K>>) {
    if (limiters.length === 0) throw new RangeError('MaxOfLimiter needs at least one limiter');
    this.limiters = limiters;
  }

  when(key: K): number {
    let delay = 0;
    for (const l of this.limiters) delay = Math.max(delay, l.when(key));
    return delay;
  }

  forget(key: K): void {
    for (const l of this.limiters) l.forget(key);
  }

  trackedKeys(): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.trackedKeys?.() ?? 0);
    return n;
  }

  numRequeues(key: K): number {
    let n = 0;
    for (const l of this.limiters) n = Math.max(n, l.numRequeues(key));
    return n;
  }
}
