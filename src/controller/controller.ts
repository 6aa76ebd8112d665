/**
 * The level-triggered loop. A full resync (desired snapshot + observed snapshot) every
 * `resyncMs` ± 10% refills the cache and enqueues every key; change hints, in-flight task
 * refreshes, ECS task state change events (when configured) and requeues enqueue single keys in
 * between. Correctness never depends on a hint:
 * a missed one only delays a fix until the next resync.
 *
 * Lifecycle: starting -> running -> draining -> stopped (or failed).
 */
import type { Clock, TimerHandle } from '../common/clock.js';
import { RetryPolicy } from '../common/retry-policy.js';
import type { Rng } from '../common/rng.js';
import type { DesiredStore, HintCursor, StoreMarker } from '../desired/types.js';
import type { AwsApi } from '../observed/aws-api.js';
import { InflightRefresher, isInFlight } from '../observed/inflight-refresher.js';
import { readSnapshot } from '../observed/snapshot.js';
import { ControllerCache } from './cache.js';
import { isLeaseExpiringError } from './leader/lease-gate.js';
import { desiredTaskCount } from './safety/desired-count.js';
import { dueExpiries, NO_LIFETIME_LIMITS } from './plan/lifetime.js';
import type { ExecutorDeps } from './execute/context.js';
import { RateLimitingQueue, runWorkers, type Parking, type ResultLabel, type ShutdownReport, type WorkerPool, type QueueMetricsSink } from './queue/index.js';
import { planCachedSession, reconcileSession, type ReconcileDeps } from './reconcile-key.js';
import { planCachedPool, reconcilePool } from './reconcile-pool.js';
import { poolKey } from './plan/plan-pool.js';
import type { WarmOnDemand } from './warm-on-demand.js';
import type { PlanConfig } from './plan/plan-config.js';
import type { SessionPlan } from './plan/plan-session.js';
import { TaskEventSource, type TaskEventApplied, type TaskEventSourceOptions } from './events/task-event-source.js';
import { isLive, type ObservedTask } from '../observed/model.js';
import { SyncHalf } from './sync-half.js';

/** How often a key is looked at again while a takeover's full read is still running (ms). */
const TAKEOVER_SYNC_POLL_MS = 250;

export type ControllerState = 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/** One half of the full resync, as `syncHealth` reports it (times in clock ms). */
export interface SyncHalfHealth {
  lastSuccessAt: number | undefined;
  /** When the last successful read began: the half's view is at least this fresh. */
  lastSuccessBeganAt: number | undefined;
  /** Failed reads in a row. */
  failures: number;
  failingSince: number | undefined;
  lastError: string | undefined;
}

export interface ControllerOptions extends Omit<ExecutorDeps, 'cache'> {
  rng: Rng;
  desired: DesiredStore;
  /** Unguarded reads go through this (snapshot, refresh); usually the guarded decorator. */
  readApi: AwsApi;
  planConfig: PlanConfig;
  resyncMs: number;
  inflightRefreshMs: number;
  workers: number;
  queueMetrics?: QueueMetricsSink;
  onPlan?: (plan: SessionPlan) => void;
  onResult?: (key: string, label: ResultLabel, err?: unknown) => void;
  /**
   * After every full sync, before its keys are processed (the desired-state brake is fed here):
   * `desiredTasks` = live sessions + warm-pool targets; `marker` = the store's marker (undefined: wiped);
   * `expiring` = sessions due to expire now (their lifetime bound passed; the mass-expiry brake).
   */
  onSync?: (info: { ms: number; sessions: number; tasks: number; desiredTasks: number; marker: StoreMarker | undefined; expiring: number }) => void;
  /**
   * Leadership mode: when set, keys are processed (actions taken) only while it returns true; a
   * follower drops them but keeps syncing, so a takeover's full sync enqueues them all again.
   */
  isLeader?: () => boolean;
  /** Workers parked on rate limits lend their slots (see queue/parking.ts). */
  parking?: Parking;
  /** Warm tasks started on demand for sessions waiting on the RunTask call limit (warm-on-demand.ts). */
  warmOnDemand?: WarmOnDemand;
  /**
   * ECS task state change events from SQS as hints (events/task-event-source.ts); unset: none.
   * The controller supplies how events apply (cache, queue) and leadership.
   */
  taskEvents?: Omit<TaskEventSourceOptions, 'apply' | 'isActive' | 'clock' | 'rng' | 'cluster' | 'onMessage' | 'onError'>;
  /** Each task-event message's result (metrics, logs); see TaskEventSourceOptions.onMessage. */
  onTaskEvent?: TaskEventSourceOptions['onMessage'];
  onError?: (where: string, err: unknown) => void;
  /** Backoff of a failed desired/observed read and of the hints loop (retry policy); default 1 s doubling up to min(30 s, resyncMs). */
  syncRetry?: { baseMs?: number; capMs?: number };
}

export class Controller {
  readonly cache: ControllerCache;
  readonly queue: RateLimitingQueue<string>;
  state: ControllerState = 'starting';
  /** True once a full sync has completed (readiness). */
  synced = false;
  private pool: WorkerPool | undefined;
  private resyncTimer: TimerHandle | undefined;
  private readonly abort = new AbortController();
  private readonly refresher: InflightRefresher;
  private cursor: HintCursor | undefined;
  /** When this replica last became the leader, until a full read begun since then finished (takeOver). */
  private tookOverAt: number | undefined;
  /** The two halves of the full resync (sync-half.ts): they fail and retry independently. */
  readonly desiredHalf: SyncHalf;
  readonly observedHalf: SyncHalf;
  private readonly syncPolicy: RetryPolicy;
  private desiredFacts: Omit<Parameters<NonNullable<ControllerOptions['onSync']>>[0], 'tasks'> | undefined;
  private syncReported = false;
  private hintsLoop: Promise<void> | undefined;
  private readonly clock: Clock;
  /** The task-event source when events are configured. */
  readonly taskEvents: TaskEventSource | undefined;

  constructor(private readonly o: ControllerOptions) {
    this.clock = o.clock;
    this.cache = new ControllerCache(o.config.ownerId);
    this.queue = new RateLimitingQueue<string>({ clock: o.clock, rng: o.rng, name: 'sessions', ...(o.queueMetrics ? { metrics: o.queueMetrics } : {}) });
    this.syncPolicy = new RetryPolicy({ baseMs: o.syncRetry?.baseMs ?? 1000, capMs: Math.max(o.syncRetry?.baseMs ?? 1000, o.syncRetry?.capMs ?? Math.min(30_000, o.resyncMs)), rng: o.rng });
    const half = (name: 'desired' | 'observed', read: () => Promise<void>): SyncHalf =>
      new SyncHalf({ name, read, clock: o.clock, policy: this.syncPolicy, onSuccess: () => this.afterRead(name), onError: (err) => o.onError?.(`${name}-sync`, err) });
    this.desiredHalf = half('desired', () => this.readDesired());
    this.observedHalf = half('observed', () => this.readObserved());
    this.refresher = new InflightRefresher({
      api: o.readApi,
      cluster: o.config.cluster,
      clock: o.clock,
      intervalMs: o.inflightRefreshMs,
      onChange: (task) => {
        this.cache.upsertTask(task, this.clock.now());
        this.enqueueFor(task.arn);
      },
      onError: (err) => o.onError?.('inflight-refresh', err),
    });
    this.taskEvents = o.taskEvents
      ? new TaskEventSource({
          ...o.taskEvents,
          clock: o.clock,
          rng: o.rng,
          cluster: o.config.cluster,
          apply: (task) => this.applyTaskEvent(task),
          onMessage: (result, info) => o.onTaskEvent?.(result, info),
          onError: (where, err) => o.onError?.(`task-events ${where}`, err),
          ...(o.isLeader ? { isActive: o.isLeader } : {}),
        })
      : undefined;
    // A session that starts waiting for a warm task asks its pool to start one now.
    o.warmOnDemand?.onDemand((pool) => this.queue.add(poolKey(pool), { priority: 'changed' }));
  }

  /** Enqueues whatever a task change concerns: its session (tag or claim) and its warm pool. */
  private enqueueFor(taskArn: string): void {
    const tags = this.cache.tasks.get(taskArn)?.tags ?? {};
    const session = tags['esr:session'] ?? this.cache.claims.get(taskArn)?.sessionId;
    if (session) this.queue.add(session, { priority: 'changed' });
    if (tags['esr:pool']) this.queue.add(poolKey(tags['esr:pool']), { priority: 'changed' });
  }

  /**
   * A task view from an ECS task state change event (a hint). Newer than the cache (ECS
   * `version`): the cache takes it and the task's session and pool are enqueued. Not comparable
   * (no version on one side): the task is re-described by the in-flight refresher, which
   * enqueues on a change. Unknown task started by us (e.g. a RunTask whose answer was lost): the
   * refresher describes it (with tags) and enqueues what it serves. Stale (a duplicate, or
   * overtaken by a later view): nothing.
   */
  private applyTaskEvent(task: ObservedTask): TaskEventApplied {
    const now = this.clock.now();
    const result = this.cache.applyTaskEvent(task, now);
    if (result === 'applied') {
      this.enqueueFor(task.arn);
      const cached = this.cache.tasks.get(task.arn);
      if (cached) this.refresher.track(cached);
    } else if (result === 'unversioned' || (result === 'unknownTask' && task.startedBy === this.o.config.startedBy)) {
      this.refresher.trackArn(task.arn);
    }
    return result;
  }

  /** Has the in-flight refresher describe a session's live tasks at its next tick; a change enqueues the session. */
  private describeSoon(sessionId: string): void {
    for (const t of this.cache.tasksOf(sessionId)) if (isLive(t)) this.refresher.trackArn(t.arn);
  }

  /** Keys of every pool that is configured or has a target or tasks. */
  private poolKeys(): string[] {
    const names = new Set<string>([...Object.keys(this.o.planConfig.pools), ...this.cache.pools.keys()]);
    return [...names].map(poolKey);
  }

  private reconcileDeps(): ReconcileDeps {
    return { ...this.o, cache: this.cache, onEvent: (e) => this.o.onEvent?.(e) };
  }

  /** Starts the loop: the first full sync, then workers, hints, refresher and the resync timer. */
  async start(): Promise<void> {
    await this.firstSync();
    this.state = 'running';
    const deps = this.reconcileDeps();
    this.pool = runWorkers(this.queue, this.o.workers, async (key) => {
      if (this.o.isLeader && !this.o.isLeader()) return undefined;
      if (!this.syncedSinceTakeover()) return { requeueAfter: TAKEOVER_SYNC_POLL_MS };
      const isPool = key.startsWith('pool:');
      const work = isPool ? reconcilePool(deps, key.slice('pool:'.length)) : reconcileSession(deps, key);
      const result = await work.catch((err: unknown) => {
        if (isLeaseExpiringError(err)) return { requeueAfter: err.retryAfterMs };
        throw err;
      });
      const touched = isPool ? this.cache.warmTasksOf(key.slice('pool:'.length)) : this.cache.tasksOf(key);
      for (const t of touched) if (isInFlight(t)) this.refresher.track(t);
      if (!isPool) {
        // A claim takes a task out of its pool: let the pool replenish now, not at the next resync.
        for (const t of touched) if (t.tags['esr:pool']) this.queue.add(poolKey(t.tags['esr:pool']), { priority: 'changed' });
      }
      return result;
    }, { ...(this.o.onResult ? { onResult: this.o.onResult } : {}), ...(this.o.parking ? { parking: this.o.parking } : {}) });
    this.refresher.start();
    this.taskEvents?.start();
    this.hintsLoop = this.followHints();
    this.scheduleResync();
  }

  /**
   * The first full sync: both halves read, each retried on its own with the retry policy's
   * backoff while its dependency is unreachable (a daemon that starts during an outage waits for
   * it instead of exiting). Rejects only when the controller is stopped meanwhile.
   */
  private async firstSync(): Promise<void> {
    const signal = this.abort.signal;
    this.desiredHalf.arm();
    this.observedHalf.arm();
    for (const half of [this.desiredHalf, this.observedHalf]) if (!half.succeeded) half.run().catch(() => undefined);
    await Promise.all([this.desiredHalf.whenSucceeded(signal), this.observedHalf.whenSucceeded(signal)]);
  }

  private scheduleResync(): void {
    if (this.state !== 'running') return;
    const jitter = 0.9 + 0.2 * this.o.rng.next();
    this.resyncTimer = this.clock.setTimer(() => {
      // A half whose retry is pending is left to its backoff (no extra attempt against a failing dependency).
      void Promise.allSettled([this.desiredHalf.runUnlessRetrying(), this.observedHalf.runUnlessRetrying()]).finally(() => this.scheduleResync());
    }, this.o.resyncMs * jitter);
  }

  /**
   * Reads everything (both halves at once, each applied on its own success), refreshes the
   * cache, enqueues every key at resync priority. Concurrent calls share reads. Rejects with the
   * first half's error when either failed (the other half's read is applied all the same).
   */
  /**
   * This replica has just become the leader: nothing is acted on until a full read of both
   * Redis and ECS that began now has finished. A follower's cache is fresh on the desired side
   * (it follows hints) but its observed side dates from its last resync: planning from that mix,
   * a session whose status names a task the leader before it launched a moment ago looked
   * taskless, and a second incarnation was launched (then the first stopped as outdated; seen in
   * test/integration/ha-shutdown.test.ts as 151 tasks launched for 150 sessions).
   */
  async takeOver(): Promise<void> {
    this.tookOverAt = this.clock.now();
    await this.fullSync();
  }

  /** False from a takeover until both halves have a successful read that began after it. */
  private syncedSinceTakeover(): boolean {
    const since = this.tookOverAt;
    if (since === undefined) return true;
    const began = (h: SyncHalf): boolean => (h.lastSuccessBeganAt ?? Number.NEGATIVE_INFINITY) >= since;
    if (!began(this.desiredHalf) || !began(this.observedHalf)) return false;
    this.tookOverAt = undefined;
    return true;
  }

  async fullSync(): Promise<void> {
    const [d, o] = await Promise.allSettled([this.desiredHalf.run(), this.observedHalf.run()]);
    if (d.status === 'rejected') throw d.reason;
    if (o.status === 'rejected') throw o.reason;
  }

  /** The desired half: sessions, warm-pool targets, claims and pool statuses from Redis. */
  private async readDesired(): Promise<void> {
    const startedAt = this.clock.now();
    const poolNames = [...new Set(Object.keys(this.o.planConfig.pools))];
    const [desired, claims, poolStatuses] = await Promise.all([
      this.o.desired.snapshot(),
      this.o.status.warmClaims(),
      Promise.all(poolNames.map(async (name) => [name, await this.o.status.readPoolStatus(name)] as const)),
    ]);
    const finishedAt = this.clock.now();
    this.cache.replaceDesired(desired, startedAt, finishedAt);
    this.cache.setClaims(claims, startedAt);
    this.cache.replacePoolStatuses(poolStatuses, startedAt);
    if (!this.cursor) this.cursor = desired.cursor;
    this.desiredFacts = { ms: finishedAt - startedAt, sessions: desired.sessions.size, desiredTasks: desiredTaskCount(desired), marker: desired.marker, expiring: dueExpiries(desired.sessions.values(), this.o.planConfig.lifetime ?? NO_LIFETIME_LIMITS, finishedAt) };
  }

  /** The observed half: every task we started (and access points) from ECS/EFS. */
  private async readObserved(): Promise<void> {
    const startedAt = this.clock.now();
    const observed = await readSnapshot(this.o.readApi, {
      cluster: this.o.config.cluster,
      startedBy: this.o.config.startedBy,
      owner: this.o.config.ownerId,
      ...(this.o.config.efsFileSystemId ? { fileSystemId: this.o.config.efsFileSystemId } : {}),
      clock: this.clock,
      signal: this.abort.signal,
      known: (arn) => this.cache.tasks.get(arn),
      adopt: (task) => this.cache.adoptTask(task),
    });
    this.cache.replaceObserved(observed, startedAt, true);
    this.refresher.syncFrom(this.cache.tasks.values());
  }

  /**
   * Health of the two halves of the full resync, for readiness and metrics: when each last read,
   * and, when one has been failing for longer than two resync periods, `problem` names it and
   * its last error (a resync that fails is never silent: readiness turns false within
   * 2 x RECONCILER_RESYNC_SECONDS of the first failure).
   */
  syncHealth(now = this.clock.now()): { halves: Record<'desired' | 'observed', SyncHalfHealth>; problem: string | undefined } {
    const health = (h: SyncHalf): SyncHalfHealth => ({ lastSuccessAt: h.lastSuccessAt, lastSuccessBeganAt: h.lastSuccessBeganAt, failures: h.failures, failingSince: h.failingSince, lastError: h.lastError });
    const halves = { desired: health(this.desiredHalf), observed: health(this.observedHalf) };
    const staleMs = 2 * this.o.resyncMs;
    const problems = (['desired', 'observed'] as const)
      .filter((n) => halves[n].failingSince !== undefined && now - halves[n].failingSince! >= staleMs)
      .map((n) => `the ${n} read of the full resync has failed for ${Math.round((now - halves[n].failingSince!) / 1000)} s (${halves[n].failures} attempts): ${halves[n].lastError}`);
    return { halves, problem: problems.length > 0 ? problems.join('; ') : undefined };
  }

  /**
   * After either half's success: every key at resync priority, and (once both halves have read)
   * the sync facts for the desired-state brake, with the tasks the cache holds.
   */
  private afterRead(half: 'desired' | 'observed'): void {
    for (const key of this.cache.sessionKeys()) this.queue.add(key, { priority: 'resync' });
    for (const key of this.poolKeys()) this.queue.add(key, { priority: 'resync' });
    const facts = this.desiredFacts;
    if (!facts || !this.observedHalf.succeeded) return;
    this.synced = true;
    // Fed on every desired read; an observed read only completes the first full sync.
    if (half === 'observed' && this.syncReported) return;
    this.syncReported = true;
    this.o.onSync?.({ ...facts, tasks: this.cache.tasks.size });
  }

  /**
   * Follows the change hints. After a failure (Redis unreachable, the follower broke) hints may
   * have been missed: the loop waits its own backoff, then a fresh desired read (which, while
   * Redis is still down, is the desired half's pending retry: one backoff governs the reads),
   * and follows again from that read's position. ECS is read once when Redis is back (a full
   * resync after the reconnect), never per retry.
   */
  private async followHints(): Promise<void> {
    const signal = this.abort.signal;
    const backoff = this.syncPolicy.backoff();
    let recovering = false;
    while (!signal.aborted) {
      try {
        // No position (start, or hints missed after an error): a desired read sets one.
        if (!this.cursor) await this.desiredHalf.fresh(signal);
        if (recovering) {
          // Back after a Redis failure: once, a full resync (nothing could be acted on meanwhile).
          recovering = false;
          this.observedHalf.runUnlessRetrying().catch(() => undefined);
        }
        const from = this.cursor ?? { id: '0-0', seq: 0 };
        for await (const ev of this.o.desired.followHints(from, { signal })) {
          if (ev.type === 'resync') {
            this.cursor = undefined;
            if (ev.reason === 'error') throw new Error(ev.message);
            break;
          }
          backoff.reset();
          this.cursor = ev.cursor;
          const ids = new Set(ev.hints.filter((h) => h.kind === 'session').map((h) => h.id));
          // A gateway's refresh request (generation 0): its tasks may have changed behind our
          // back (the gateway lost its connection), so the refresher describes them at its next tick.
          for (const h of ev.hints) if (h.kind === 'session' && h.generation === 0) this.describeSoon(h.id);
          const pools = new Set(ev.hints.filter((h) => h.kind === 'pool').map((h) => h.id));
          await Promise.all([
            ...[...ids].map(async (id) => {
              this.cache.setSessionEntry(id, await this.o.desired.readSession(id), this.clock.now());
              this.queue.add(id, { priority: 'changed' });
            }),
            ...[...pools].map(async (name) => {
              const entry = await this.o.desired.readPool(name);
              if (entry) this.cache.pools.set(name, entry);
              else this.cache.pools.delete(name);
              this.queue.add(poolKey(name), { priority: 'changed' });
            }),
          ]);
        }
      } catch (err) {
        if (signal.aborted) return;
        this.o.onError?.('hints', err);
        this.cursor = undefined;
        recovering = true;
        await this.clock.sleep(backoff.next(), signal).catch(() => undefined);
      }
    }
  }

  /**
   * The plan for every key, from the cache, without acting: what `reconciler plan` prints. The
   * same per-key planner the workers use, so the daemon and `plan` cannot disagree.
   */
  planAll(): SessionPlan[] {
    const deps = this.reconcileDeps();
    const sessions = this.cache
      .sessionKeys()
      .sort()
      .map((key) => planCachedSession(deps, key));
    const pools = this.poolKeys()
      .sort()
      .map((key) => planCachedPool(deps, key.slice('pool:'.length)));
    return [...sessions, ...pools].filter((p) => p.actions.length > 0);
  }

  /**
   * Entries of every map, set and list this controller holds in memory, by `part.name`: the
   * cache (`cache.*`), the work queue (`queue.*`), the in-flight refresher (`refresher.*`) and
   * warm-on-demand (`warmOnDemand.*`). Each part's `sizes()` states its bounds; soak tests check
   * them (test/simulation/soak.ts, docs/simulation.md "Soak and bounds"). The call guard, rate
   * limits and safety parts are built by the wiring and report their own.
   */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    const add = (part: string, s: Record<string, number>): void => {
      for (const [k, v] of Object.entries(s)) out[`${part}.${k}`] = v;
    };
    add('cache', this.cache.sizes());
    add('queue', this.queue.sizes());
    add('refresher', this.refresher.sizes());
    if (this.o.warmOnDemand) add('warmOnDemand', this.o.warmOnDemand.sizes());
    return out;
  }

  /** Stops taking work, lets in-flight reconciles finish within `graceMs`, stops the loops. */
  async stop(graceMs: number): Promise<ShutdownReport | undefined> {
    if (this.state === 'stopped') return undefined;
    this.state = 'draining';
    if (this.resyncTimer) this.clock.clearTimer(this.resyncTimer);
    this.desiredHalf.stop();
    this.observedHalf.stop();
    this.abort.abort(new Error('controller stopping'));
    await Promise.all([this.refresher.stop(), this.taskEvents?.stop()]);
    const report = this.pool ? await this.pool.shutdown(graceMs) : undefined;
    await this.hintsLoop?.catch(() => undefined);
    this.state = 'stopped';
    return report;
  }
}
