/**
 * The form in which the controller cache keeps a task, so that 100,000 cached tasks stay small
 * (docs/performance.md, finding 7):
 * - its tags object rebuilt from JSON, so V8 keeps its properties in-object (a tags object grown
 *   key by key, as parsing makes it, keeps half of its eight keys in a separate property array);
 *   the values of recurring tags (owner, role, pool, incarnation, ...) as shared instances;
 * - the strings it has in common with its session's desired record taken from that record, so
 *   the daemon holds one copy of each: the task ARN (the status's `taskArn`), the address (the
 *   status's `endpoint.ip`), and the `esr:session`, `esr:uid` and `esr:user` tag values (the
 *   entry's id, the spec's `uid` and `userId`). A string is taken only when it is equal.
 *
 * Values never change, only which instances hold them: the result is equal to `task` field by
 * field (`sameTaskView`, observed/same-task-view.ts).
 */
import { sharedInterner } from '../common/string-interner.js';
import type { SessionEntry } from '../desired/types.js';
import { TAG, type ObservedTask } from '../observed/model.js';
import { SHARED_TAG_VALUES } from '../observed/parse-task.js';

/** `task` in its compact form, sharing strings with `entry` (the desired record of the session its tags name; undefined: none). */
export function compactTask(task: ObservedTask, entry: SessionEntry | undefined): ObservedTask {
  const tags = JSON.parse(JSON.stringify(task.tags)) as Record<string, string>;
  for (const k of Object.keys(tags)) if (SHARED_TAG_VALUES.has(k)) tags[k] = sharedInterner.intern(tags[k]!);
  const status = entry?.status;
  let arn = task.arn;
  let privateIp = task.privateIp;
  if (entry) {
    if (tags[TAG.session] === entry.id) tags[TAG.session] = entry.id;
    const spec = entry.spec;
    if (spec?.uid !== undefined && tags[TAG.uid] === spec.uid) tags[TAG.uid] = spec.uid;
    if (spec && tags[TAG.user] === spec.userId) tags[TAG.user] = spec.userId;
    if (status?.taskArn === arn) arn = status.taskArn;
    if (status?.endpoint !== undefined && status.endpoint.ip === privateIp) privateIp = status.endpoint.ip;
  }
  return { ...task, arn, privateIp, tags };
}
