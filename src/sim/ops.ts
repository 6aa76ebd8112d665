/** The operations the simulator serves, per service, and which of them change state. */
export const ECS_OPERATIONS = [
  'RegisterTaskDefinition',
  'DescribeTaskDefinition',
  'DeregisterTaskDefinition',
  'ListTaskDefinitions',
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

/** SQS operations (the task-event queue; see sqs/sqs-core.ts). */
export const SQS_OPERATIONS = [
  'CreateQueue',
  'GetQueueUrl',
  'GetQueueAttributes',
  'SendMessage',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
] as const;
export type SqsOperation = (typeof SQS_OPERATIONS)[number];

export type SimOperation = EcsOperation | EfsOperation | SqsOperation;

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

export function isSqsOperation(op: string): op is SqsOperation {
  return (SQS_OPERATIONS as readonly string[]).includes(op);
}

export function serviceOf(op: SimOperation): 'ecs' | 'efs' | 'sqs' {
  if (isSqsOperation(op)) return 'sqs';
  return (EFS_OPERATIONS as readonly string[]).includes(op) ? 'efs' : 'ecs';
}
