/**
 * Where a RunTask request launches its tasks, which decides the throttling buckets it draws
 * (throttle.ts) and the task's `launchType`.
 *
 * Rules: Fargate when `launchType` is FARGATE, or the capacity provider strategy names FARGATE or
 * FARGATE_SPOT (ECS does not allow Fargate and Auto Scaling group providers in one strategy), or
 * neither is given (the simulator's clusters have no default strategy other than Fargate).
 * Anything else (launch type EC2, EXTERNAL, MANAGED_INSTANCES, or an Auto Scaling group capacity
 * provider) is counted as EC2. Works on unvalidated input, since throttling comes before
 * validation: a field of the wrong type counts as absent.
 */
export type LaunchKind = 'FARGATE' | 'EC2';

import { FARGATE_CAPACITY_PROVIDERS } from '../observed/capacity-providers.js';

export function launchKind(input: unknown): LaunchKind {
  if (typeof input !== 'object' || input === null) return 'FARGATE';
  const { launchType, capacityProviderStrategy } = input as { launchType?: unknown; capacityProviderStrategy?: unknown };
  if (typeof launchType === 'string') return launchType === 'FARGATE' ? 'FARGATE' : 'EC2';
  if (!Array.isArray(capacityProviderStrategy) || capacityProviderStrategy.length === 0) return 'FARGATE';
  const providers = capacityProviderStrategy.map((c: unknown) => (typeof c === 'object' && c !== null ? (c as { capacityProvider?: unknown }).capacityProvider : undefined));
  return providers.some((p) => typeof p === 'string' && FARGATE_CAPACITY_PROVIDERS.has(p)) ? 'FARGATE' : 'EC2';
}
