/**
 * ECS's eventual consistency, as the simulator models it. The ECS API reference says of RunTask
 * (and the same holds for ListTasks and DescribeTasks): "The Amazon ECS API follows an eventual
 * consistency model ... If you run a command to modify or describe a resource immediately after
 * running a previous command, the resource you're working on might not be visible to you yet."
 *
 * Each lag below is an upper bound in ms; a task's own lag is a fixed share of it, derived from
 * the task ID (deterministic, and it draws nothing from the simulator's RNG, so switching the
 * model on does not shift any other random decision). All lags 0 (the default): consistent.
 *   - `listMs`: ListTasks omits a task for this long after RunTask created it;
 *   - `describeMissingMs`: DescribeTasks answers `MISSING` for it for this long;
 *   - `tagsMs`: a tag write (RunTask's tags, TagResource, UntagResource) shows in DescribeTasks
 *     (include TAGS) and ListTagsForResource this long after it was made; before, the earlier tags;
 *   - `stopMs`: a stop (StopTask, a crash, an interruption) shows in DescribeTasks and ListTasks
 *     this long after it happened; before, the task looks as it did just before the stop.
 * RunTask's and StopTask's own answers are always current (they describe what the call did).
 */
import type { Tag } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import type { TaskRecord } from './task-lifecycle.js';

const lagMs = z.number().int().min(0).max(600_000);

export const consistencyLagsSchema = z
  .object({
    listMs: lagMs.default(0),
    describeMissingMs: lagMs.default(0),
    tagsMs: lagMs.default(0),
    stopMs: lagMs.default(0),
  })
  .strict();

/** Upper bounds of each visibility lag, ms (see the module comment). */
export type ConsistencyLags = z.output<typeof consistencyLagsSchema>;

/** A share in [0, 1) fixed by the task and the kind of lag (FNV-1a of both). */
function shareOf(taskId: string, kind: string): number {
  let h = 0x811c9dc5;
  for (const ch of `${kind}:${taskId}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return (h >>> 0) / 2 ** 32;
}

/** The lag of `kind` for this task, ms. */
export function lagFor(lags: ConsistencyLags, kind: keyof ConsistencyLags, taskId: string): number {
  const max = lags[kind];
  return max === 0 ? 0 : Math.floor(shareOf(taskId, kind) * (max + 1));
}

/** Tasks whose tag writes are kept at most (the oldest recorded task is forgotten first). */
const MAX_TASKS = 50_000;

/**
 * Tag writes per task, oldest first: what its tags were after each write, and when. Kept only
 * while a tag lag is set (with none, every read sees the current tags); bounded in size. A write
 * made while no lag is set shows at once and ends the task's history, so a later lag window never
 * brings back tags from before it.
 */
export class TagHistory {
  private readonly byTask = new Map<string, Array<{ at: number; tags: Tag[] }>>();

  /**
   * Records the task's tags as they are now, after a write at `at`, when `tagLagMs` > 0.
   * `before` is what the tags were before this write (undefined for RunTask, which creates the
   * task): when the task has no history yet (its earlier writes showed at once), reads inside
   * the lag see `before`, never an empty set a real task never had.
   */
  record(task: TaskRecord, at: number, tagLagMs: number, before?: readonly Tag[]): void {
    if (tagLagMs === 0) {
      this.byTask.delete(task.id);
      return;
    }
    if (!this.byTask.has(task.id) && this.byTask.size >= MAX_TASKS) this.byTask.delete(this.byTask.keys().next().value!);
    const h = this.byTask.get(task.id) ?? (before ? [{ at: Number.NEGATIVE_INFINITY, tags: before.map((t) => ({ ...t })) }] : []);
    h.push({ at, tags: task.tags.map((t) => ({ ...t })) });
    if (h.length > 20) h.shift();
    this.byTask.set(task.id, h);
  }

  /** The tags visible at `now` with a tag lag of `lag` ms: the last write at or before now - lag (none yet, a task just launched: no tags). */
  visible(task: TaskRecord, now: number, lag: number): Tag[] {
    const h = this.byTask.get(task.id);
    if (!h || lag === 0) return task.tags;
    for (let i = h.length - 1; i >= 0; i--) if (h[i]!.at + lag <= now) return h[i]!.tags;
    return h.length === 20 ? h[0]!.tags : [];
  }

  /** Tasks with a recorded tag history (at most MAX_TASKS). */
  size(): number {
    return this.byTask.size;
  }

  forget(taskId: string): void {
    this.byTask.delete(taskId);
  }

  clear(): void {
    this.byTask.clear();
  }
}

/**
 * The time at which a read at `now` sees the task: `now`, or just before its stop while the
 * stop is not visible yet.
 */
export function visibleTime(task: TaskRecord, now: number, lags: ConsistencyLags): number {
  const stop = task.stop;
  if (!stop || stop.at > now) return now;
  return now < stop.at + lagFor(lags, 'stopMs', task.id) ? Math.max(task.createdAt, stop.at - 1) : now;
}
