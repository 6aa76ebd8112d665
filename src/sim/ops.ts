/** The operations the simulator serves, per service, and which of them change state. */
export const ECS_OPERATIONS = [
  'RegisterTaskDefinition',
  'DescribeTaskDefinition',
  'DeregisterTaskDefinition',
  'RunTask',
  'StopTask',
  'DescribeTasks',
  'ListTasks',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
] as const;
export type EcsOperation = (typeof ECS_OPERATIONS)[number];

export const EFS_OPERATIONS = [
  'CreateAccessPoint',
  'DescribeAccessPoints',
  'DeleteAccessPoint',
  'EfsTagResource',
  'EfsUntagResource',
  'EfsListTagsForResource',
] as const;
/** EFS operation names; the tag operations carry an `Efs` prefix to stay distinct from ECS's. */
export type EfsOperation = (typeof EFS_OPERATIONS)[number];

export type SimOperation = EcsOperation | EfsOperation;

/** Operations that change state; a converged controller should make none of these. */
export const MUTATING_OPERATIONS: ReadonlySet<SimOperation> = new Set<SimOperation>([
  'RegisterTaskDefinition',
  'DeregisterTaskDefinition',
  'RunTask',
  'StopTask',
  'TagResource',
  'UntagResource',
  'CreateAccessPoint',
  'DeleteAccessPoint',
  'EfsTagResource',
  'EfsUntagResource',
]);

export function isEcsOperation(op: string): op is EcsOperation {
  return (ECS_OPERATIONS as readonly string[]).includes(op);
}

export function serviceOf(op: SimOperation): 'ecs' | 'efs' {
  return (EFS_OPERATIONS as readonly string[]).includes(op) ? 'efs' : 'ecs';
}
