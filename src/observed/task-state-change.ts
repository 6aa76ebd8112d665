/**
 * Reads one SQS message body as an "ECS Task State Change" event, as an EventBridge rule with an
 * SQS target delivers it: the EventBridge envelope (`source` "aws.ecs", `detail-type` "ECS Task
 * State Change", `id`, `time`, `resources`) around `detail`, the task as DescribeTasks shows it
 * (ISO-8601 timestamps, no tags; ECS events do not carry tags) with a `version` that grows with
 * every change of the task. Sources: Amazon ECS Developer Guide, "Amazon ECS task state change
 * events"; Amazon EventBridge User Guide, "Amazon EventBridge events" (envelope fields).
 *
 * Never throws: anything else is `malformed` (not JSON, or an ECS task event missing what we
 * need; the reason names the field) or `foreign` (another source or detail type, e.g. an SQS
 * test message, or a task of another cluster), so the caller can count and drop it.
 */
import { z } from 'zod';
import type { ObservedTask } from './model.js';
import { parseTask, toEpochMs } from './parse-task.js';

/** EventBridge `source` and `detail-type` of ECS task state changes. */
export const ECS_TASK_STATE_CHANGE = { source: 'aws.ecs', detailType: 'ECS Task State Change' } as const;

export type TaskEventReading =
  | {
      readonly kind: 'task';
      /** The task as the event shows it (`tags` empty; `version` set). */
      readonly task: ObservedTask;
      readonly clusterArn: string;
      /** EventBridge event id (duplicates of one delivery share it). */
      readonly eventId: string | undefined;
      /** Event `time`, epoch ms (whole seconds). */
      readonly time: number | undefined;
    }
  | { readonly kind: 'malformed' | 'foreign'; readonly reason: string };

const envelopeSchema = z.looseObject({
  source: z.string(),
  'detail-type': z.string(),
});

const detailSchema = z.looseObject({
  taskArn: z.string().regex(/^arn:aws[a-z-]*:ecs:[^:]*:\d*:task\//, 'must be an ECS task ARN'),
  clusterArn: z.string().min(1),
  lastStatus: z.string().min(1),
  desiredStatus: z.string().min(1),
  version: z.number().int().nonnegative(),
});

function firstIssue(err: z.ZodError, prefix: string): string {
  const i = err.issues[0];
  if (!i) return `${prefix}: invalid`;
  const where = [prefix, ...i.path.map(String)].join('.');
  return `${where}: ${i.message}`;
}

/** True when `clusterArn` names `cluster` (a cluster name or ARN, as RECONCILER_CLUSTER takes it). */
export function isCluster(clusterArn: string, cluster: string): boolean {
  return clusterArn === cluster || clusterArn.endsWith(`:cluster/${cluster}`);
}

/** Parses a message body; `cluster` filters out tasks of other clusters (`foreign`). */
export function readTaskStateChange(body: string, cluster: string): TaskEventReading {
  let raw: unknown;
  try {
    raw = JSON.parse(body);
  } catch (err) {
    return { kind: 'malformed', reason: `body is not JSON: ${(err as Error).message}` };
  }
  const env = envelopeSchema.safeParse(raw);
  if (!env.success) return { kind: 'malformed', reason: `not an EventBridge event: ${firstIssue(env.error, 'event')}` };
  if (env.data.source !== ECS_TASK_STATE_CHANGE.source || env.data['detail-type'] !== ECS_TASK_STATE_CHANGE.detailType) {
    return { kind: 'foreign', reason: `source '${env.data.source}', detail-type '${env.data['detail-type']}' is not an ECS task state change` };
  }
  const detail = detailSchema.safeParse((raw as { detail?: unknown }).detail);
  if (!detail.success) return { kind: 'malformed', reason: firstIssue(detail.error, 'detail') };
  if (!isCluster(detail.data.clusterArn, cluster)) return { kind: 'foreign', reason: `task of cluster ${detail.data.clusterArn}, not ${cluster}` };
  const task = parseTask(detail.data);
  if (!task) return { kind: 'malformed', reason: 'detail.taskArn: missing' };
  const e = raw as { id?: unknown; time?: unknown };
  return { kind: 'task', task: { ...task, tags: {} }, clusterArn: detail.data.clusterArn, eventId: typeof e.id === 'string' ? e.id : undefined, time: toEpochMs(e.time) };
}
