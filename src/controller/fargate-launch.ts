/**
 * Which launches run on Fargate, for the rate limits: only they draw the Fargate task-launch
 * bucket (LAUNCH_BUCKET, one token per task), and the default RunTask bucket depends on it
 * (resilience/rate-limits-config.ts, `defaultBucketsFor`).
 *
 * Rules: a RunTask request launches on Fargate when its `launchType` is FARGATE, or its capacity
 * provider strategy names FARGATE or FARGATE_SPOT (the capacity providers AWS reserves for
 * Fargate; ECS does not mix them with Auto Scaling group providers in one strategy), or neither
 * is given (the cluster's default strategy, which we cannot see: counted as Fargate, the tighter
 * limits). Anything else (launch type EC2 or EXTERNAL, an Auto Scaling group capacity provider)
 * is not Fargate.
 */
import type { RunTaskInput } from '../observed/aws-api.js';
import { isFargateCapacityProvider } from '../observed/capacity-providers.js';

export { isFargateCapacityProvider };

/** True when the request launches on Fargate (rules above). */
export function launchesOnFargate(input: Pick<RunTaskInput, 'launchType' | 'capacityProviderStrategy'>): boolean {
  if (input.launchType !== undefined) return input.launchType === 'FARGATE';
  const strategy = input.capacityProviderStrategy ?? [];
  return strategy.length === 0 || strategy.some((c) => isFargateCapacityProvider(c.capacityProvider));
}

/** Tokens the request takes from the Fargate task-launch bucket: its `count` (default 1) on Fargate, else 0. */
export function fargateLaunchTokens(input: Pick<RunTaskInput, 'launchType' | 'capacityProviderStrategy' | 'count'>): number {
  return launchesOnFargate(input) ? (input.count ?? 1) : 0;
}
