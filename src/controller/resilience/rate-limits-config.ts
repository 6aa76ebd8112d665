import { z } from 'zod';
import { DEFAULT_ADAPTIVE } from './token-bucket.js';
import { isFargateCapacityProvider } from '../fargate-launch.js';

/** One bucket: `burst` = capacity (calls at once), `ratePerSec` = sustained refill. */
export const bucketConfigSchema = z.object({
  burst: z.number().int().min(1),
  ratePerSec: z.number().positive(),
});
export type BucketConfig = z.infer<typeof bucketConfigSchema>;

/** Bucket names are `service:operation`, e.g. `ecs:RunTask`, or `fargate:TaskLaunch` (counted per task). */
const bucketName = z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9*]+$/, 'bucket names look like service:Operation');

/**
 * RunTask call buckets AWS publishes, per launch type (burst = bucket capacity, ratePerSec =
 * sustained refill):
 * - Fargate: 20 calls/s burst and sustained. "AWS Fargate throttling quotas"
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html). A burst of 100
 *   calls against it draws ThrottlingExceptions (issue #17, scenario 5).
 * - EC2 launch type: burst 100, 40 calls/s sustained, up to 10 tasks a call. AWS Containers blog,
 *   "Under the hood: Amazon Elastic Container Service and AWS Fargate increase task launch rates"
 *   (https://aws.amazon.com/blogs/containers/under-the-hood-amazon-elastic-container-service-and-aws-fargate-increase-task-launch-rates/);
 *   the RunTask row of "Request throttling for the Amazon ECS API"
 *   (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html) was not
 *   read when this was written.
 */
export const FARGATE_RUN_TASK_BUCKET: Readonly<BucketConfig> = { burst: 20, ratePerSec: 20 };
export const EC2_RUN_TASK_BUCKET: Readonly<BucketConfig> = { burst: 100, ratePerSec: 40 };

/**
 * Defaults for Fargate templates (see `defaultBucketsFor` for EC2). Where AWS publishes a figure
 * we use it (DESIGN.md, "Decisions"): RunTask as above; Fargate task launches (On Demand and
 * Spot) burst 100 tokens refilling 20/s, consumed once per task launched on Fargate (RunTask
 * `count`, up to 10 a call), from "AWS Fargate throttling quotas" (link above). ECS throttles per
 * account and region, so the rest are deliberately at or below its documented API buckets (read
 * actions ~20/s sustained) to leave headroom for other tools in the account. EFS publishes no
 * per-call figures; its defaults are conservative. Check Service Quotas for the account and
 * override in RECONCILER_RATE_LIMITS.
 */
export const DEFAULT_BUCKETS: Readonly<Record<string, BucketConfig>> = {
  'ecs:RunTask': FARGATE_RUN_TASK_BUCKET,
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

/**
 * The default buckets for the configured templates (their `capacityProvider`; fargate-launch.ts
 * says which are Fargate). Every template on EC2 (an Auto Scaling group capacity provider):
 * `ecs:RunTask` is EC2_RUN_TASK_BUCKET (burst 100, 40/s). Any template on Fargate, or none
 * configured: FARGATE_RUN_TASK_BUCKET (20/20). The controller has one `ecs:RunTask` bucket for
 * all its RunTask calls, so with both kinds of template it takes the tighter Fargate figure,
 * which keeps Fargate calls within their quota at the cost of pacing EC2 calls below theirs.
 * `fargate:TaskLaunch` stays in every set; only launches on Fargate draw it.
 */
export function defaultBucketsFor(templates: Readonly<Record<string, { readonly capacityProvider: string }>>): Readonly<Record<string, BucketConfig>> {
  const all = Object.values(templates);
  const allEc2 = all.length > 0 && all.every((t) => !isFargateCapacityProvider(t.capacityProvider));
  return allEc2 ? { ...DEFAULT_BUCKETS, 'ecs:RunTask': EC2_RUN_TASK_BUCKET } : DEFAULT_BUCKETS;
}

/**
 * Validates config once at start-up and merges it over the defaults: `defaultBucketsFor(templates)`
 * when templates are given, else DEFAULT_BUCKETS (Fargate). Buckets the config names win.
 * Throws ZodError on invalid input.
 */
export function parseRateLimitsConfig(input: unknown = {}, templates?: Parameters<typeof defaultBucketsFor>[0]): RateLimitsConfig {
  const parsed = rateLimitsConfigSchema.parse(input);
  return { ...parsed, buckets: { ...(templates ? defaultBucketsFor(templates) : DEFAULT_BUCKETS), ...parsed.buckets } };
}
