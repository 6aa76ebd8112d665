import type { Rng } from '../../common/rng.js';
import { uuidLike, type SimAccount } from '../arns.js';
import type { TaskRecord } from '../task-lifecycle.js';
import { taskView } from '../task-view.js';
import { toWire } from '../wire.js';

/** EventBridge's `detail-type` and `source` of ECS task state changes. */
export const TASK_STATE_CHANGE = { detailType: 'ECS Task State Change', source: 'aws.ecs' } as const;

/**
 * An "ECS Task State Change" event as EventBridge delivers it to an SQS target (the message
 * body): the EventBridge envelope (`version` "0", `id`, `detail-type`, `source` aws.ecs,
 * `account`, `time` in whole seconds, `region`, `resources` = [task ARN]) around `detail`, the
 * task as DescribeTasks shows it at `t` but with ISO-8601 timestamps, `updatedAt`, and no tags
 * (ECS events do not carry tags). `detail.version` grows with every change of the task.
 * Source: Amazon ECS Developer Guide, "Amazon ECS task state change events" and "Amazon ECS events".
 */
export function taskStateChangeEvent(task: TaskRecord, t: number, account: SimAccount, rng: Rng): Record<string, unknown> {
  const detail = toWire({ ...taskView(task, t, false), updatedAt: new Date(t) }, (d) => d.toISOString()) as Record<string, unknown>;
  return {
    version: '0',
    id: uuidLike(rng),
    'detail-type': TASK_STATE_CHANGE.detailType,
    source: TASK_STATE_CHANGE.source,
    account: account.accountId,
    time: new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region: account.region,
    resources: [task.arn],
    detail,
  };
}
