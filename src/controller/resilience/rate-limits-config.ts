import { z } from 'zod';
import { DEFAULT_ADAPTIVE } from './token-bucket.js';

/** One bucket: `burst` = capacity (calls at once), `ratePerSec` = sustained refill. */
export const bucketConfigSchema = z.object({
  burst: z.number().int().min(1),
  ratePerSec: z.number().positive(),
});
export type BucketConfig = z.infer<typeof bucketConfigSchema>;

/** Bucket names are `service:operation`, e.g. `ecs:RunTask`, or `fargate:TaskLaunch` (counted per task). */
const bucketName = z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/, 'bucket names look like service:Operation');

/**
 * Defaults. Where AWS publishes a figure we use it (DESIGN.md, "Decisions"), from "AWS Fargate
 * throttling quotas" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html):
 * the RunTask API for Fargate is limited to 20 calls per second, burst and sustained (so burst
 * 20, not 100: a burst of 100 calls draws ThrottlingExceptions); Fargate task launches (On
 * Demand and Spot) burst 100 tokens refilling 20/s, consumed once per task (RunTask `count`,
 * up to 10 a call). The EC2 launch type's RunTask row ("Request throttling for the Amazon ECS
 * API") was not verified here: set `ecs:RunTask` in RECONCILER_RATE_LIMITS for EC2 templates. ECS throttles per account and region, so the rest are deliberately at or
 * below its documented API buckets (read actions ~20/s sustained) to leave headroom for other
 * tools in the account. EFS publishes no per-call figures; its defaults are conservative.
 * Check Service Quotas for the account and override here.
 */
export const DEFAULT_BUCKETS: Readonly<Record<string, BucketConfig>> = {
  'ecs:RunTask': { burst: 20, ratePerSec: 20 },
  'fargate:TaskLaunch': { burst: 100, ratePerSec: 20 },
  'ecs:StopTask': { burst: 100, ratePerSec: 20 },
  'ecs:DescribeTasks': { burst: 100, ratePerSec: 20 },
  'ecs:ListTasks': { burst: 100, ratePerSec: 20 },
  'ecs:TagResource': { burst: 50, ratePerSec: 10 },
  'ecs:RegisterTaskDefinition': { burst: 10, ratePerSec: 1 },
  'ecs:DescribeTaskDefinition': { burst: 50, ratePerSec: 20 },
  'efs:CreateAccessPoint': { burst: 10, ratePerSec: 5 },
  'efs:DescribeAccessPoints': { burst: 20, ratePerSec: 10 },
  'efs:DeleteAccessPoint': { burst: 10, ratePerSec: 5 },
  // SQS standard queues allow a nearly unlimited number of calls per second per action (Amazon SQS
  // Developer Guide, "Amazon SQS message quotas"): these buckets only keep the task-event source
  // from draining a backlog (every task of a mass restart) at the fallback's 10 calls/s.
  'sqs:ReceiveMessage': { burst: 1000, ratePerSec: 1000 },
  'sqs:DeleteMessageBatch': { burst: 1000, ratePerSec: 1000 },
};

/** Used for an operation with no bucket of its own. */
export const DEFAULT_FALLBACK_BUCKET: BucketConfig = { burst: 20, ratePerSec: 10 };

export const rateLimitsConfigSchema = z.object({
  /** Overrides merged over DEFAULT_BUCKETS. */
  buckets: z.record(bucketName, bucketConfigSchema).default({}),
  fallback: bucketConfigSchema.default(DEFAULT_FALLBACK_BUCKET),
  adaptive: z.object({
    decreaseFactor: z.number().gt(0).lt(1).default(DEFAULT_ADAPTIVE.decreaseFactor),
    minRateFraction: z.number().gt(0).max(1).default(DEFAULT_ADAPTIVE.minRateFraction),
    recoveryFractionPerSuccess: z.number().gt(0).max(1).default(DEFAULT_ADAPTIVE.recoveryFractionPerSuccess),
  }).default(DEFAULT_ADAPTIVE),
});
export type RateLimitsConfigInput = z.input<typeof rateLimitsConfigSchema>;
export type RateLimitsConfig = z.output<typeof rateLimitsConfigSchema>;

/** Validates config once at start-up and merges it over the defaults. */
export function parseRateLimitsConfig(input: unknown = {}): RateLimitsConfig {
  const parsed = rateLimitsConfigSchema.parse(input);
  return { ...parsed, buckets: { ...DEFAULT_BUCKETS, ...parsed.buckets } };
}
