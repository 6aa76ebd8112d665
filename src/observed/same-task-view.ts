/**
 * Equality of two views of a task as the controller keeps them: every field of ObservedTask and
 * every tag. Used to keep the object already held for a task that did not change (the cache's
 * full reads, observed/snapshot.ts), so that a resync leaves no second copy of unchanged tasks.
 */
import type { ObservedTask } from './model.js';

/**
 * Every field of ObservedTask (the compiler refuses this list when one is missing), so that
 * `sameTaskView` compares a field added later too.
 */
const TASK_FIELDS = {
  arn: true,
  taskDefinitionArn: true,
  lastStatus: true,
  desiredStatus: true,
  startedBy: true,
  group: true,
  createdAt: true,
  startedAt: true,
  stoppingAt: true,
  stoppedAt: true,
  stopCode: true,
  stoppedReason: true,
  privateIp: true,
  tags: true,
  version: true,
} satisfies Record<keyof ObservedTask, true>;
const SCALAR_FIELDS = (Object.keys(TASK_FIELDS) as Array<keyof ObservedTask>).filter((k) => k !== 'tags');

/** True when two views of a task agree on every field and every tag (what the cache keeps of a task). */
export function sameTaskView(a: ObservedTask, b: ObservedTask): boolean {
  for (const k of SCALAR_FIELDS) if (a[k] !== b[k]) return false;
  const ak = Object.keys(a.tags);
  if (ak.length !== Object.keys(b.tags).length) return false;
  for (const k of ak) if (a.tags[k] !== b.tags[k] || !Object.hasOwn(b.tags, k)) return false;
  return true;
}
