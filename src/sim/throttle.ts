import type { Clock } from '../common/clock.js';
import { TokenBucket, type BucketLimit } from './token-bucket.js';
import type { SimOperation } from './ops.js';

/**
 * ECS-style request throttling: one token bucket per action (per account and region; the
 * simulator is one account), plus the Fargate task-launch bucket that every launched task
 * draws from. Over the limit the caller gets ThrottlingException.
 */
export interface ThrottleLimits {
  /** When false nothing is ever throttled. */
  enabled: boolean;
  /** Bucket for every action not listed in `actions`. */
  defaultAction: BucketLimit;
  actions: Partial<Record<SimOperation, BucketLimit>>;
  /** Fargate task launches: each task started by RunTask takes one token. */
  taskLaunch: BucketLimit;
}

export const DEFAULT_LIMITS: ThrottleLimits = {
  enabled: true,
  defaultAction: { burst: 50, refillPerSec: 20 },
  actions: {
    RunTask: { burst: 20, refillPerSec: 20 },
    StopTask: { burst: 100, refillPerSec: 40 },
    DescribeTasks: { burst: 100, refillPerSec: 50 },
    ListTasks: { burst: 100, refillPerSec: 50 },
    CreateAccessPoint: { burst: 25, refillPerSec: 10 },
  },
  taskLaunch: { burst: 100, refillPerSec: 20 },
};

export const UNLIMITED: ThrottleLimits = { ...DEFAULT_LIMITS, enabled: false };

export class Throttler {
  private readonly buckets = new Map<SimOperation, TokenBucket>();
  private launches: TokenBucket;

  constructor(
    private readonly clock: Clock,
    readonly limits: ThrottleLimits,
  ) {
    this.launches = new TokenBucket(clock, limits.taskLaunch);
  }

  /** Takes one call token for `op`; false when throttled. */
  admitCall(op: SimOperation): boolean {
    if (!this.limits.enabled) return true;
    let bucket = this.buckets.get(op);
    if (!bucket) {
      bucket = new TokenBucket(this.clock, this.limits.actions[op] ?? this.limits.defaultAction);
      this.buckets.set(op, bucket);
    }
    return bucket.tryTake(1);
  }

  /** Takes `count` task-launch tokens all-or-nothing; false when throttled. */
  admitLaunches(count: number): boolean {
    if (!this.limits.enabled) return true;
    return this.launches.tryTake(count);
  }

  /** Refills every bucket (used by reset). */
  reset(): void {
    this.buckets.clear();
    this.launches = new TokenBucket(this.clock, this.limits.taskLaunch);
  }
}
