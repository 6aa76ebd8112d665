/**
 * The controller's in-memory picture (an "informer cache"): the last desired snapshot and the
 * last observed snapshot, kept current between resyncs by hints, in-flight refreshes and the
 * results of our own actions. Per-key reconciles plan from here, so a reconcile costs no I/O
 * beyond its own actions.
 *
 * One merging rule, for every piece of cached state (sessions and statuses, tasks and their
 * tags, pool status, warm claims): a full snapshot replaces the cache, except for facts learned
 * *after* that snapshot began (a task RunTask just returned, a status just written, a batch
 * intent just recorded, a claim just made or released, a hint just read): those are newer than
 * the snapshot and are kept.
 */
import type { DesiredSnapshot, PoolEntry, SessionEntry } from '../desired/types.js';
import type { SessionStatus } from '../desired/schema.js';
import type { WarmClaim, WarmPoolStatus } from '../desired/warm-schema.js';
import { TAG, type ObservedAccessPoint, type ObservedSnapshot, type ObservedTask } from '../observed/model.js';
import { SetMultimap } from '../common/set-multimap.js';
import { indexTasks, type TaskIndex } from './plan/task-index.js';
import { compactTask } from './compact-task.js';
import { sameTaskView } from '../observed/same-task-view.js';
import type { PoolStartHealth } from './pool-start-health.js';
import type { AccessPointRefusal } from './plan/persistence.js';

/**
 * A virtual tag on the cache's view of a claimed warm task whose ECS tags do not name its
 * session yet (the claim is recorded in Redis, the TagResource has not happened). Never sent to ECS.
 */
export const CLAIM_PENDING_TAG = 'esr:claim-pending';

export class ControllerCache {
  readonly sessions = new Map<string, SessionEntry>();
  readonly pools = new Map<string, PoolEntry>();
  readonly poolStatus = new Map<string, WarmPoolStatus>();
  /** Warm claims by task ARN (from Redis). */
  readonly claims = new Map<string, WarmClaim>();
  readonly tasks = new Map<string, ObservedTask>();
  readonly accessPoints = new Map<string, ObservedAccessPoint>();
  accessPointsKnown = false;
  /** EFS's standing refusal of CreateAccessPoint on our file system (quota, access denied); see access-point.ts. */
  accessPointRefusal: AccessPointRefusal | undefined;
  /** Task-definition family -> ARN of the revision in use. */
  readonly families = new Map<string, string>();
  /**
   * Ensures in flight (task-definition families, users' access points), so concurrent
   * reconciles of sessions that need the same one share one AWS call (single flight).
   */
  readonly inflightEnsures = new Map<string, Promise<void>>();
  /** Per-pool breakers on failing replenishment (see reconcile-pool.ts), created on first use. */
  /** Each warm pool's start health and breaker (pool-start-health.ts). */
  readonly poolHealth = new Map<string, PoolStartHealth>();
  /** When the last full desired/observed sync finished (epoch ms); undefined before the first. */
  desiredSyncedAt: number | undefined;
  observedSyncedAt: number | undefined;

  private readonly taskTouchedAt = new Map<string, number>();
  private readonly statusTouchedAt = new Map<string, number>();
  /** Pool statuses and claims learned locally, by pool name / task ARN -> when (epoch ms). */
  private readonly poolStatusTouchedAt = new Map<string, number>();
  private readonly claimTouchedAt = new Map<string, number>();
  private readonly entryTouchedAt = new Map<string, number>();
  private readonly bySession = new SetMultimap<string, string>();
  private readonly byPool = new SetMultimap<string, string>();
  private readonly claimsBySession = new SetMultimap<string, string>();
  /** Warm batch clientTokens (the `esr:batch` tag) on tasks ECS shows, whatever their role now (rebuilt at each full read). */
  private readonly batchesSeen = new Set<string>();

  constructor(private readonly ownerId: string) {}

  /** Replaces desired state with a snapshot read starting at `startedAt`, keeping newer local status writes. */
  replaceDesired(snapshot: Pick<DesiredSnapshot, 'sessions'> & Partial<Pick<DesiredSnapshot, 'pools'>>, startedAt: number, finishedAt: number): void {
    if (snapshot.pools) {
      this.pools.clear();
      for (const [name, p] of snapshot.pools) this.pools.set(name, p);
    }
    // Entries and statuses learned after the snapshot began (hints, our own writes, purges)
    // are newer than the snapshot: keep them, including the absence of a purged session.
    const keptEntries = new Map<string, SessionEntry | undefined>();
    for (const [id, at] of this.entryTouchedAt) if (at >= startedAt) keptEntries.set(id, this.sessions.get(id));
    const keptStatus = new Map<string, SessionStatus>();
    for (const [id, at] of this.statusTouchedAt) {
      const local = this.sessions.get(id)?.status;
      if (at >= startedAt && local) keptStatus.set(id, local);
    }
    // Sessions whose records are other objects than before: their tasks take the new records' strings (compactTask).
    const changed: string[] = [];
    for (const [id, entry] of snapshot.sessions) {
      const prev = this.sessions.get(id);
      if (!prev || prev.spec !== entry.spec || prev.status !== entry.status) changed.push(id);
    }
    // In place (no second map of N entries at every resync): the snapshot's entries, then the
    // sessions it does not hold go, then the entries learned since it began are put back.
    for (const [id, entry] of snapshot.sessions) {
      if (keptEntries.has(id)) continue;
      const local = keptStatus.get(id);
      this.sessions.set(entry.id, local && entry.spec ? { ...entry, status: local } : entry);
    }
    for (const id of this.sessions.keys()) if (!snapshot.sessions.has(id) && !keptEntries.has(id)) this.sessions.delete(id);
    for (const [id, entry] of keptEntries) {
      if (entry) this.sessions.set(id, entry);
      else this.sessions.delete(id);
    }
    for (const id of changed) this.shareWithTasks(id);
    this.statusTouchedAt.clear();
    this.entryTouchedAt.clear();
    this.desiredSyncedAt = finishedAt;
  }

  /**
   * The cache's form of a task a full read just described (the observed read's `adopt` hook): its
   * cached object when the read shows it unchanged, else a compact copy (compact-task.ts).
   */
  adoptTask(task: ObservedTask): ObservedTask {
    const held = this.tasks.get(task.arn);
    if (held && sameTaskView(held, task)) return held;
    return compactTask(task, this.sessionOfTask(task));
  }

  /**
   * Replaces observed state with a snapshot read starting at `startedAt`, keeping tasks we learned
   * of since. `adopted`: the snapshot's tasks came through `adoptTask` (already compact).
   */
  replaceObserved(snapshot: ObservedSnapshot, startedAt: number, adopted = false): void {
    const kept: ObservedTask[] = [];
    for (const [arn, at] of this.taskTouchedAt) {
      const local = this.tasks.get(arn);
      if (at >= startedAt && local) kept.push(local);
    }
    // In place (no copy of the N cached tasks, no rebuilt map or index at every resync): tasks
    // the read does not show, except those learned since it began, go first.
    for (const [arn, task] of this.tasks) if (!snapshot.tasks.has(arn) && !((this.taskTouchedAt.get(arn) ?? -Infinity) >= startedAt)) this.dropTask(task);
    // Bounded by the tasks ECS still shows: a batch whose tasks are all gone (STOPPED tasks
    // vanish after about an hour) is older than any intent the plan would re-send.
    this.batchesSeen.clear();
    // One merge rule: a read never moves a task back to an older state than the cache knew (ECS
    // `version`; reads are eventually consistent: a stop, say, can show late).
    for (const task of snapshot.tasks.values()) {
      const known = this.tasks.get(task.arn);
      const view = known ? mergeTaskViews(known, task, 'known') : task;
      // Unchanged since the last look: keep the cached object (already compact; no garbage).
      if (known && sameTaskView(known, view)) this.putTask(known, true);
      else this.putTask(view, adopted && view === task);
    }
    for (const task of kept) {
      // Learned locally since the read began: tags written locally (a claim's TagResource)
      // still stand; the read's status wins only where it saw a later change (ECS `version`).
      const read = snapshot.tasks.get(task.arn);
      this.putTask(read ? mergeTaskViews(read, task, 'incoming') : task);
    }
    this.taskTouchedAt.clear();
    this.accessPoints.clear();
    for (const ap of snapshot.accessPoints.values()) this.accessPoints.set(ap.id, ap);
    this.accessPointsKnown = snapshot.accessPointsKnown;
    this.observedSyncedAt = snapshot.readAt;
  }

  /**
   * Records a task the controller just learned of (RunTask, StopTask, a refresh, an event). A
   * view older than the cached one (lower ECS `version`) does not move its status back; only
   * its tags are taken. An answer without tags keeps the tags known.
   */
  upsertTask(task: ObservedTask, at: number): void {
    const prev = this.tasks.get(task.arn);
    this.putTask(prev ? mergeTaskViews(prev, task, 'incoming') : task);
    this.taskTouchedAt.set(task.arn, at);
  }

  /**
   * Applies a view of a task that an ECS task state change event carried (no tags): `applied`
   * when it is newer than the cached view (ECS `version`), `stale` when it is not (a duplicate
   * or an event overtaken by a later one), `unknownTask` when the task is not in the cache,
   * `unversioned` when either side has no version to compare (the caller re-reads the task).
   */
  applyTaskEvent(task: ObservedTask, at: number): 'applied' | 'stale' | 'unknownTask' | 'unversioned' {
    const prev = this.tasks.get(task.arn);
    if (!prev) return 'unknownTask';
    if (task.version === undefined || prev.version === undefined) return 'unversioned';
    if (task.version <= prev.version) return 'stale';
    this.upsertTask(task, at);
    return 'applied';
  }

  /**
   * Stores `task` and indexes it; in its compact form (compact-task.ts) unless `compacted` says it
   * is already. An index entry is touched only when its key changed (a resync that finds N tasks
   * unchanged rewrites no index entry).
   */
  private putTask(view: ObservedTask, compacted = false): void {
    const task = compacted ? view : compactTask(view, this.sessionOfTask(view));
    const prev = this.tasks.get(task.arn);
    this.tasks.set(task.arn, task);
    const prevSession = prev ? this.indexedSession(prev) : undefined;
    const prevPool = prev ? this.indexedPool(prev) : undefined;
    const session = this.indexedSession(task);
    if (prevSession !== session) {
      if (prevSession !== undefined) this.bySession.delete(prevSession, task.arn);
      if (session !== undefined) this.bySession.add(session, task.arn);
    }
    const pool = this.indexedPool(task);
    if (prevPool !== pool) {
      if (prevPool !== undefined) this.byPool.delete(prevPool, task.arn);
      if (pool !== undefined) this.byPool.add(pool, task.arn);
    }
    const batch = task.tags[TAG.owner] === this.ownerId ? task.tags['esr:batch'] : undefined;
    if (batch) this.batchesSeen.add(batch);
  }

  /** Removes `task` and its index entries. */
  private dropTask(task: ObservedTask): void {
    this.tasks.delete(task.arn);
    const session = this.indexedSession(task);
    if (session !== undefined) this.bySession.delete(session, task.arn);
    const pool = this.indexedPool(task);
    if (pool !== undefined) this.byPool.delete(pool, task.arn);
  }

  /** The session -> tasks index key of a task: its `esr:session` tag, for tasks we own (else undefined). */
  private indexedSession(task: ObservedTask): string | undefined {
    return task.tags[TAG.owner] === this.ownerId ? task.tags[TAG.session] || undefined : undefined;
  }

  /** The pool -> warm tasks index key of a task: its `esr:pool` tag, for warm tasks we own (else undefined). */
  private indexedPool(task: ObservedTask): string | undefined {
    return task.tags[TAG.owner] === this.ownerId && task.tags[TAG.role] === 'warm' ? task.tags[TAG.pool] || undefined : undefined;
  }

  /** The desired entry of the session a task's tags name (undefined: none, or not in the cache). */
  private sessionOfTask(task: ObservedTask): SessionEntry | undefined {
    const id = task.tags[TAG.session];
    return id === undefined ? undefined : this.sessions.get(id);
  }

  /** After session `id`'s desired records changed: its cached tasks take the new records' strings (values unchanged). */
  private shareWithTasks(id: string): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    for (const arn of this.bySession.get(id)) {
      const t = this.tasks.get(arn);
      if (t) this.tasks.set(arn, compactTask(t, entry));
    }
  }

  /** Whether any task launched by the warm batch with this clientToken has been seen. */
  batchSeen(clientToken: string): boolean {
    return this.batchesSeen.has(clientToken);
  }

  /**
   * Replaces all claims with a read that began at `startedAt` (epoch ms), keeping claims made or
   * released locally since (the merging rule).
   */
  setClaims(claims: ReadonlyMap<string, WarmClaim>, startedAt: number = Number.NEGATIVE_INFINITY): void {
    const kept = new Map<string, WarmClaim | undefined>();
    for (const [arn, at] of this.claimTouchedAt) if (at >= startedAt) kept.set(arn, this.claims.get(arn));
    this.claims.clear();
    this.claimsBySession.clear();
    for (const [arn, c] of claims) if (!kept.has(arn)) this.putClaim(arn, c);
    for (const [arn, c] of kept) if (c) this.putClaim(arn, c);
    this.claimTouchedAt.clear();
  }

  /** Records a claim made at `at` (epoch ms). */
  addClaim(taskArn: string, claim: WarmClaim, at: number = Number.POSITIVE_INFINITY): void {
    this.putClaim(taskArn, claim);
    this.claimTouchedAt.set(taskArn, at);
  }

  private putClaim(taskArn: string, claim: WarmClaim): void {
    const previous = this.claims.get(taskArn);
    if (previous && previous.sessionId !== claim.sessionId) this.claimsBySession.delete(previous.sessionId, taskArn);
    this.claims.set(taskArn, claim);
    this.claimsBySession.add(claim.sessionId, taskArn);
  }

  /** Records a claim released at `at` (epoch ms). */
  removeClaim(taskArn: string, at: number = Number.POSITIVE_INFINITY): void {
    const c = this.claims.get(taskArn);
    if (c) this.claimsBySession.delete(c.sessionId, taskArn);
    this.claims.delete(taskArn);
    this.claimTouchedAt.set(taskArn, at);
  }

  /** Records a pool status written (or learned) at `at` (epoch ms); undefined = none. */
  setPoolStatus(name: string, status: WarmPoolStatus | undefined, at: number): void {
    if (status) this.poolStatus.set(name, status);
    else this.poolStatus.delete(name);
    this.poolStatusTouchedAt.set(name, at);
  }

  /** Replaces pool statuses with a read that began at `startedAt`, keeping statuses written since. */
  replacePoolStatuses(read: Iterable<readonly [string, WarmPoolStatus | undefined]>, startedAt: number): void {
    for (const [name, st] of read) {
      if ((this.poolStatusTouchedAt.get(name) ?? Number.NEGATIVE_INFINITY) >= startedAt) continue;
      if (st) this.poolStatus.set(name, st);
      else this.poolStatus.delete(name);
    }
    this.poolStatusTouchedAt.clear();
  }

  /** Warm tasks launched for `pool` that still carry the warm role (claimed or not), live and stopped. */
  warmTasksOf(pool: string): ObservedTask[] {
    return [...this.byPool.get(pool)].map((arn) => this.tasks.get(arn)).filter((t): t is ObservedTask => t !== undefined);
  }

  /**
   * Tasks serving `sessionId` (owned by us), live and stopped: those tagged for it, plus warm
   * tasks claimed for it in Redis whose tags do not say so yet (seen with virtual session tags
   * and CLAIM_PENDING_TAG, so the plan completes the claim instead of treating them as strangers).
   */
  tasksOf(sessionId: string): ObservedTask[] {
    const out: ObservedTask[] = [];
    for (const arn of this.bySession.get(sessionId)) {
      const t = this.tasks.get(arn);
      if (t) out.push(t);
    }
    for (const arn of this.claimsBySession.get(sessionId)) {
      const t = this.tasks.get(arn);
      const claim = this.claims.get(arn);
      if (!t || !claim || t.tags[TAG.session] === sessionId) continue;
      if (t.tags[TAG.session] !== undefined) continue;
      // A claim is Redis's word; only a task ECS shows as our own unclaimed warm task can be one.
      if (t.tags[TAG.owner] !== this.ownerId || t.tags[TAG.role] !== 'warm') continue;
      out.push({ ...t, tags: { ...t.tags, [TAG.role]: 'session', [TAG.session]: sessionId, [TAG.incarnation]: String(claim.incarnation), [CLAIM_PENDING_TAG]: '1' } });
    }
    return out;
  }

  /** Session ids that have a desired record or tasks. */
  sessionKeys(): string[] {
    const keys = new Set<string>(this.sessions.keys());
    for (const id of this.bySession.keys()) keys.add(id);
    for (const id of this.claimsBySession.keys()) keys.add(id);
    return [...keys];
  }

  /** Records what a hint read or an action learned about a session at `at` (epoch ms); undefined = gone. */
  setSessionEntry(id: string, entry: SessionEntry | undefined, at: number): void {
    this.entryTouchedAt.set(id, at);
    if (entry) this.sessions.set(id, entry);
    else this.sessions.delete(id);
    this.shareWithTasks(id);
  }

  /** A later activity learned at an action (an expiry refused as renewed); the time never goes back. */
  setActivity(id: string, lastActivityAt: number, at: number): void {
    const entry = this.sessions.get(id);
    if (!entry || (entry.lastActivityAt ?? 0) >= lastActivityAt) return;
    this.sessions.set(id, { ...entry, lastActivityAt });
    this.entryTouchedAt.set(id, at);
  }

  setStatus(id: string, status: SessionStatus, at: number): void {
    const entry = this.sessions.get(id);
    if (!entry) return;
    this.sessions.set(id, { ...entry, status });
    this.statusTouchedAt.set(id, at);
    this.shareWithTasks(id);
  }

  upsertAccessPoint(ap: ObservedAccessPoint): void {
    this.accessPoints.set(ap.id, ap);
  }

  /**
   * Entries of every map and set the cache holds, for soak tests and diagnostics. Bounds (R = one
   * full resync interval; at every full sync the touched-at maps are cleared, the task indexes
   * lose the tasks the read no longer shows, and `batchesSeen` is rebuilt):
   * - `sessions`: desired records in the store (live sessions + tombstones not yet purged).
   * - `pools`, `poolStatus`, `poolHealth`: pools configured or targeted.
   * - `claims`, `claimsBySession`: warm claims in the store (each a live or just-stopped warm task).
   * - `tasks`, `bySession`, `byPool`, `batchesSeen`: tasks ECS lists (live + STOPPED within its
   *   retention, about an hour) plus tasks learned within R.
   * - `accessPoints`: access points on the file system (one per user who asked for persistence).
   * - `families`: task-definition families used (templates x access points).
   * - `inflightEnsures`: ensures running now (at most one per family or user).
   * - `*TouchedAt`: facts learned within R (cleared at every full sync).
   */
  sizes(): Record<string, number> {
    return {
      sessions: this.sessions.size,
      pools: this.pools.size,
      poolStatus: this.poolStatus.size,
      claims: this.claims.size,
      tasks: this.tasks.size,
      accessPoints: this.accessPoints.size,
      families: this.families.size,
      inflightEnsures: this.inflightEnsures.size,
      poolHealth: this.poolHealth.size,
      taskTouchedAt: this.taskTouchedAt.size,
      statusTouchedAt: this.statusTouchedAt.size,
      poolStatusTouchedAt: this.poolStatusTouchedAt.size,
      claimTouchedAt: this.claimTouchedAt.size,
      entryTouchedAt: this.entryTouchedAt.size,
      bySession: this.bySession.size,
      byPool: this.byPool.size,
      claimsBySession: this.claimsBySession.size,
      batchesSeen: this.batchesSeen.size,
    };
  }

  /** A full task index (for `plan` over everything and for metrics). */
  index(): TaskIndex {
    return indexTasks(this.tasks.values(), this.ownerId);
  }

  observedView(readAt: number): ObservedSnapshot {
    return { readAt, tasks: this.tasks, accessPoints: this.accessPoints, accessPointsKnown: this.accessPointsKnown };
  }
}

/**
 * The one merge rule for two views of the same task, `known` (what the cache holds) and
 * `incoming` (what was just learned):
 * - An older `incoming` (lower ECS `version`; ECS shows changes late, so a read may be from
 *   before a stop the cache knows) does not move the state back: `known`'s state, with both
 *   views' tags (the `tagsWin` side's value where both carry a key).
 * - Otherwise `incoming` as it is, except that an `incoming` with no tags at all keeps
 *   `known`'s: every task the controller starts carries tags from RunTask, so an empty set only
 *   means ECS does not show them yet (tags appear late; events carry none). Taking it would make
 *   the task look foreign (no owner tag) and its session look taskless.
 */
export function mergeTaskViews(known: ObservedTask, incoming: ObservedTask, tagsWin: 'known' | 'incoming'): ObservedTask {
  if (isOlder(incoming, known)) return { ...known, tags: tagsWin === 'known' ? { ...incoming.tags, ...known.tags } : { ...known.tags, ...incoming.tags } };
  return Object.keys(incoming.tags).length === 0 ? { ...incoming, tags: known.tags } : incoming;
}

/** True when both views carry an ECS version and `a`'s is lower (an older view of the task). */
function isOlder(a: ObservedTask, b: ObservedTask): boolean {
  return a.version !== undefined && b.version !== undefined && a.version < b.version;
}

