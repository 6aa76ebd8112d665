import { ECSClient } from '@aws-sdk/client-ecs';
import { EFSClient } from '@aws-sdk/client-efs';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';

/**
 * ONE retry layer. The SDK would retry throttling and 5xx itself (standard mode: 3 attempts
 * with its own backoff) and cockatiel could add another retry on top; stacked, one logical
 * call becomes up to 3 x N requests exactly when ECS is throttling or failing, which deepens
 * the outage. So the SDK makes `maxAttempts` attempts (default 1: no SDK retries), the call
 * guard never retries, and a failed call fails its work-queue key, whose per-key capped
 * exponential backoff with full jitter is the retry. Never wrap these clients in a
 * cockatiel retry policy.
 *
 * Region, endpoint (AWS_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_ECS|_EFS|_SQS)
 * and credentials (default provider chain) come from the standard environment, read by the
 * SDK itself; options here only override them (e.g. tests pointing at the simulator).
 */
export const awsClientsConfigSchema = z.object({
  /** Total attempts per SDK call, 1 = no SDK retries. */
  maxAttempts: z.number().int().min(1).max(5).default(1),
  region: z.string().min(1).optional(),
  /** Overrides both services' endpoint, e.g. `http://127.0.0.1:4566` for the simulator. */
  endpoint: z.string().url().optional(),
  /** Static credentials for tests and the simulator; production uses the default chain. */
  credentials: z.object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().optional() }).optional(),
});
export type AwsClientsConfig = z.input<typeof awsClientsConfigSchema>;

export interface AwsClients {
  ecs: ECSClient;
  efs: EFSClient;
  /** For the task-event queue (RECONCILER_EVENTS_QUEUE_URL); without an endpoint override the SDK sends to the queue URL's host. */
  sqs: SQSClient;
  /** Closes every client's sockets. */
  destroy(): void;
}

/** Builds the ECS, EFS and SQS clients with explicit retry settings (see the rule above). */
export function createAwsClients(input: AwsClientsConfig = {}): AwsClients {
  const cfg = awsClientsConfigSchema.parse(input);
  const common = {
    maxAttempts: cfg.maxAttempts,
    retryMode: 'standard' as const,
    ...(cfg.region ? { region: cfg.region } : {}),
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    ...(cfg.credentials ? { credentials: cfg.credentials } : {}),
  };
  const ecs = new ECSClient(common);
  const efs = new EFSClient(common);
  const sqs = new SQSClient(common);
  return {
    ecs,
    efs,
    sqs,
    destroy: () => {
      ecs.destroy();
      efs.destroy();
      sqs.destroy();
    },
  };
}
