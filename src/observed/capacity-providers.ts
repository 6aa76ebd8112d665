/**
 * AWS's rules for capacity provider names, shared by the template check (config/templates.ts),
 * the rate limits (controller/fargate-launch.ts) and the simulator (sim/launch-kind.ts).
 *
 * - `FARGATE` and `FARGATE_SPOT` are the capacity providers AWS provides for Fargate, spelt exactly
 *   so (Amazon ECS Developer Guide, "Amazon ECS clusters for Fargate").
 * - A capacity provider you create (an Auto Scaling group, i.e. EC2) "can't be prefixed with
 *   'aws', 'ecs', or 'fargate'" (Amazon ECS API Reference, CreateCapacityProvider, `name`). So any
 *   other name with one of those prefixes, in any letter case (`fargate`, `Fargate_Spot`), names
 *   no capacity provider at all: a typo, refused at start-up rather than launched as EC2.
 */

export const FARGATE_CAPACITY_PROVIDERS: ReadonlySet<string> = new Set(['FARGATE', 'FARGATE_SPOT']);

const RESERVED_PREFIX = /^(aws|ecs|fargate)/i;

/** True for FARGATE and FARGATE_SPOT. */
export function isFargateCapacityProvider(name: string): boolean {
  return FARGATE_CAPACITY_PROVIDERS.has(name);
}

/** Why `name` cannot name a capacity provider, or undefined when it can (rules above). */
export function capacityProviderNameProblem(name: string): string | undefined {
  if (isFargateCapacityProvider(name)) return undefined;
  if (name.trim() !== name || name.length === 0) return `capacity provider "${name}" has leading or trailing spaces or is empty`;
  if (RESERVED_PREFIX.test(name)) {
    return `capacity provider "${name}" does not exist: the Fargate ones are spelt exactly FARGATE and FARGATE_SPOT, and names of your own cannot start with aws, ecs or fargate (CreateCapacityProvider)`;
  }
  return undefined;
}
