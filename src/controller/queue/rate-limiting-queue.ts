import type { Clock } from '../../common/clock.js';
import type { Rng } from '../../common/rng.js';
import { DelayingQueue } from './delaying-queue.js';
import { ExponentialJitterLimiter } from './exponential-jitter-limiter.js';
import { MaxOfLimiter } from './max-of-limiter.js';
import { OverallBucketLimiter } from './overall-bucket-limiter.js';
import type { RateLimiter } from './rate-limiter.js';
import type { AddOptions, WorkQueueOptions } from './work-queue.js';

export interface RateLimitingQueueOptions<K> extends WorkQueueOptions {
  /** Defaults to `defaultControllerRateLimiter`. */
  rateLimiter?: RateLimiter<K>;
}

/**
 * The default retry policy: per-key exponential backoff with full jitter (250 ms .. 30 s),
 * composed max-of with an overall bucket (50 retries/s, burst 200).
 */
export function defaultControllerRateLimiter<K>(clock: Clock, rng: Rng): RateLimiter<K> {
  return new MaxOfLimiter<K>(new ExponentialJitterLimiter<K>({ rng }), new OverallBucketLimiter<K>({ clock }));
}

/**
 * The top layer (client-go `RateLimitingInterface`): `addRateLimited` requeues a failed key
 * after the limiter's delay; `forget` resets its backoff after success.
 */
export class RateLimitingQueue<K = string> extends DelayingQueue<K> {
  readonly rateLimiter: RateLimiter<K>;

  constructor(opts: RateLimitingQueueOptions<K> & { rng?: Rng }) {
    super(opts);
    if (opts.rateLimiter) this.rateLimiter = opts.rateLimiter;
    else if (opts.rng) this.rateLimiter = defaultControllerRateLimiter<K>(opts.clock, opts.rng);
    else throw new TypeError('RateLimitingQueue needs a rateLimiter or an rng for the default one');
  }

  /** Requeues `key` after its backoff delay; counts as a retry. */
  addRateLimited(key: K, opts: AddOptions = {}): void {
    if (this.shuttingDown()) return;
    this.metrics.retry(this.name);
    this.addAfter(key, this.rateLimiter.when(key), opts);
  }

  /** Resets `key`'s backoff (its next failure starts from the base delay again). */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  /** Adds `backoffKeys`: keys with a failure count (<= keys that failed since their last success). */
  override sizes(): Record<string, number> {
    return { ...super.sizes(), backoffKeys: this.rateLimiter.trackedKeys?.() ?? 0 };
  }

  /** Retries since the last forget. */
  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }
}
