/**
 * The controller's in-memory picture (an "informer cache"): the last desired snapshot and the
 * last observed snapshot, kept current between resyncs by hints, in-flight refreshes and the
 * results of our own actions. Per-key reconciles plan from here, so a reconcile costs no I/O
 * beyond its own actions.
 *
 * Merging rule: a full snapshot replaces the cache, except for facts the controller itself
 * learned *after* that snapshot began (a task RunTask just returned, a status just written):
 * those are newer than the snapshot and are kept.
 */
import type { DesiredSnapshot, SessionEntry } from '../desired/types.js';
import type { SessionStatus } from '../desired/schema.js';
import { TAG, type ObservedAccessPoint, type ObservedSnapshot, type ObservedTask } from '../observed/model.js';
import { indexTasks, type TaskIndex } from './plan/task-index.js';

export class ControllerCache {
  readonly sessions = new Map<string, SessionEntry>();
  readonly tasks = new Map<string, ObservedTask>();
  readonly accessPoints = new Map<string, ObservedAccessPoint>();
  accessPointsKnown = false;
  /** Task-definition family -> ARN of the revision in use. */
  readonly families = new Map<string, string>();
  /** When the last full desired/observed sync finished (epoch ms); undefined before the first. */
  desiredSyncedAt: number | undefined;
  observedSyncedAt: number | undefined;

  private readonly taskTouchedAt = new Map<string, number>();
  private readonly statusTouchedAt = new Map<string, number>();
  private readonly bySession = new Map<string, Set<string>>();

  constructor(private readonly ownerId: string) {}

  /** Replaces desired state with a snapshot read starting at `startedAt`, keeping newer local status writes. */
  replaceDesired(snapshot: Pick<DesiredSnapshot, 'sessions'>, startedAt: number, finishedAt: number): void {
    const keptStatus = new Map<string, SessionStatus>();
    for (const [id, at] of this.statusTouchedAt) {
      const local = this.sessions.get(id)?.status;
      if (at >= startedAt && local) keptStatus.set(id, local);
    }
    this.sessions.clear();
    for (const [id, entry] of snapshot.sessions) {
      const local = keptStatus.get(id);
      this.sessions.set(id, local && entry.spec ? { ...entry, status: local } : entry);
    }
    this.statusTouchedAt.clear();
    this.desiredSyncedAt = finishedAt;
  }

  /** Replaces observed state with a snapshot read starting at `startedAt`, keeping tasks we learned of since. */
  replaceObserved(snapshot: ObservedSnapshot, startedAt: number): void {
    const kept: ObservedTask[] = [];
    for (const [arn, at] of this.taskTouchedAt) {
      const local = this.tasks.get(arn);
      if (at >= startedAt && local) kept.push(local);
    }
    this.tasks.clear();
    this.bySession.clear();
    for (const task of snapshot.tasks.values()) this.putTask(task);
    for (const task of kept) this.putTask(task);
    this.taskTouchedAt.clear();
    this.accessPoints.clear();
    for (const ap of snapshot.accessPoints.values()) this.accessPoints.set(ap.id, ap);
    this.accessPointsKnown = snapshot.accessPointsKnown;
    this.observedSyncedAt = snapshot.readAt;
  }

  /** Records a task the controller just learned of (RunTask, StopTask, a refresh). */
  upsertTask(task: ObservedTask, at: number): void {
    const prev = this.tasks.get(task.arn);
    const merged = prev && Object.keys(task.tags).length === 0 ? { ...task, tags: prev.tags } : task;
    this.putTask(merged);
    this.taskTouchedAt.set(task.arn, at);
  }

  private putTask(task: ObservedTask): void {
    const prev = this.tasks.get(task.arn);
    const prevSession = prev?.tags[TAG.session];
    if (prevSession) this.bySession.get(prevSession)?.delete(task.arn);
    this.tasks.set(task.arn, task);
    const session = task.tags[TAG.owner] === this.ownerId ? task.tags[TAG.session] : undefined;
    if (session) {
      let set = this.bySession.get(session);
      if (!set) this.bySession.set(session, (set = new Set()));
      set.add(task.arn);
    }
  }

  /** Tasks tagged for `sessionId` (owned by us), live and stopped. */
  tasksOf(sessionId: string): ObservedTask[] {
    const arns = this.bySession.get(sessionId);
    if (!arns) return [];
    const out: ObservedTask[] = [];
    for (const arn of arns) {
      const t = this.tasks.get(arn);
      if (t) out.push(t);
    }
    return out;
  }

  /** Session ids that have a desired record or tasks. */
  sessionKeys(): string[] {
    const keys = new Set<string>(this.sessions.keys());
    for (const [id, arns] of this.bySession) if (arns.size > 0) keys.add(id);
    return [...keys];
  }

  setSessionEntry(id: string, entry: SessionEntry | undefined): void {
    if (entry) this.sessions.set(id, entry);
    else this.sessions.delete(id);
  }

  setStatus(id: string, status: SessionStatus, at: number): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.set(id, { ...entry, status });
    this.statusTouchedAt.set(id, at);
  }

  upsertAccessPoint(ap: ObservedAccessPoint): void {
    this.accessPoints.set(ap.id, ap);
  }

  /** A full task index (for `plan` over everything and for metrics). */
  index(): TaskIndex {
    return indexTasks(this.tasks.values(), this.ownerId);
  }

  observedView(readAt: number): ObservedSnapshot {
    return { readAt, tasks: this.tasks, accessPoints: this.accessPoints, accessPointsKnown: this.accessPointsKnown };
  }
}
