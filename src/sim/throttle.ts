import type { Clock } from '../common/clock.js';
import { TokenBucket, type BucketLimit } from './token-bucket.js';
import type { SimOperation } from './ops.js';
import type { LaunchKind } from './launch-kind.js';

/**
 * ECS-style request throttling: one token bucket per action (per account and region; the
 * simulator is one account), RunTask split by where it launches (launch-kind.ts), plus the
 * Fargate task-launch bucket that every task launched on Fargate draws from. Over the limit the
 * caller gets ThrottlingException.
 *
 * AWS's figures, modelled by DEFAULT_LIMITS:
 * - Fargate: "AWS Fargate throttling quotas"
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html): the RunTask
 *   API for Fargate 20 calls/s burst and sustained; Fargate task launches (On Demand and Spot)
 *   a bucket of 100 refilling 20/s, one token per task.
 * - EC2 launch type: the AWS Containers blog "Under the hood: Amazon Elastic Container Service
 *   and AWS Fargate increase task launch rates"
 *   (https://aws.amazon.com/blogs/containers/under-the-hood-amazon-elastic-container-service-and-aws-fargate-increase-task-launch-rates/):
 *   RunTask burst 100 calls, sustained 40 calls/s, up to 10 tasks a call; no Fargate launch
 *   bucket. (The RunTask row of "Request throttling for the Amazon ECS API" was not read here.)
 * The two RunTask buckets are modelled as separate buckets of the account.
 */
export interface ThrottleLimits {
  /** When false nothing is ever throttled. */
  enabled: boolean;
  /** Bucket for every action not listed in `actions`. */
  defaultAction: BucketLimit;
  /** Per action; `RunTask` here is the bucket of RunTask calls that launch on Fargate. */
  actions: Partial<Record<SimOperation, BucketLimit>>;
  /** RunTask calls that launch on EC2 (launch type or capacity provider): per call, no task-launch tokens. */
  ec2RunTask: BucketLimit;
  /** Fargate task launches: each task RunTask starts on Fargate takes one token. */
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
  ec2RunTask: { burst: 100, refillPerSec: 40 },
  taskLaunch: { burst: 100, refillPerSec: 20 },
};

export const UNLIMITED: ThrottleLimits = { ...DEFAULT_LIMITS, enabled: false };

export class Throttler {
  private readonly buckets = new Map<string, TokenBucket>();
  private launches: TokenBucket;

  constructor(
    private readonly clock: Clock,
    readonly limits: ThrottleLimits,
  ) {
    this.launches = new TokenBucket(clock, limits.taskLaunch);
  }

  /**
   * Takes one call token for `op`; false when throttled. For RunTask, `launch` picks the bucket:
   * EC2 launches draw `ec2RunTask`, Fargate launches (the default) `actions.RunTask`.
   */
  admitCall(op: SimOperation, launch: LaunchKind = 'FARGATE'): boolean {
    if (!this.limits.enabled) return true;
    const ec2 = op === 'RunTask' && launch === 'EC2';
    const key = ec2 ? 'RunTask:EC2' : op;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.clock, ec2 ? this.limits.ec2RunTask : (this.limits.actions[op] ?? this.limits.defaultAction));
      this.buckets.set(key, bucket);
    }
    return bucket.tryTake(1);
  }

  /** Takes `count` Fargate task-launch tokens all-or-nothing; false when throttled. */
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
