/**
 * Warm tasks on demand: while sessions wait on the RunTask call bucket and the Fargate launch
 * bucket holds more tasks than the call bucket has calls, a session a warm task can serve does
 * not take a call of its own; it waits for a warm task that its pool starts for it, ten to a
 * RunTask call (RunTask `count` <= 10), and takes it through the warm-claim path as it comes up.
 *
 * Who may wait: exactly the sessions a warm task serves (launch fingerprint, plan/launch-spec.ts:
 * no gateway env, persistence `none` or `preferred`). The others take their own launch.
 *
 * Order: waiting sessions join a FIFO per pool in request order; the pool's batches for them
 * stand in the rate-limit lines where the oldest of them stands (queue/request-order.ts), so they
 * go before sessions that asked later. Claims take the oldest idle warm task, whoever started it.
 * A waiter leaves when it no longer needs a launch (it runs, or is gone), not when it plans a
 * claim: a claim lost to a concurrent claimer leaves it waiting where it stood (a fresh cold
 * launch would stand behind every session that asked after it, tens of seconds in a burst).
 *
 * Bound: a session waits at most `maxWaitMs` for its warm task; then it takes its own launch
 * (a failed batch, a pool at its maxSize, a pool reconcile held up never strand it). State is
 * in memory, an optimisation: a restarted controller simply launches the sessions cold.
 */
import type { Clock } from '../common/clock.js';
import { nextRequestSeq } from './queue/request-order.js';
import { LAUNCH_BUCKET } from './guarded-aws-api.js';

/** The bucket names a session's cold launch draws from. */
export interface LaunchBuckets {
  /** Tokens free now (fractional) and callers waiting. */
  runTask: { available(): number; waiting(): number };
  launches: { available(): number };
}

interface Waiter {
  pool: string;
  requestedAt: number;
  seq: number;
  since: number;
}

/** How long a cold launch decided here counts as taking a RunTask call before it shows in the bucket, ms. */
export const COLD_IN_FLIGHT_MS = 1_000;

/** Default bound of a session's wait for an on-demand warm task (ms): about twice a Fargate start. */
export const DEFAULT_ON_DEMAND_MAX_WAIT_MS = 10_000;

export class WarmOnDemand {
  private readonly waiters = new Map<string, Waiter>();
  /** Sessions whose wait ran out: they take their own launch until they leave. */
  private readonly expired = new Set<string>();
  /**
   * Sessions told to launch on their own, by when: their RunTask call is on its way to the
   * bucket (a status write comes first), so for COLD_IN_FLIGHT_MS they count as taking a call.
   * Without this every session of a burst, planned before any took a token, would see free calls.
   */
  private readonly cold = new Map<string, number>();
  private readonly listeners = new Set<(pool: string) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly buckets: LaunchBuckets,
    readonly maxWaitMs = DEFAULT_ON_DEMAND_MAX_WAIT_MS,
  ) {}

  /**
   * Decides for a session about to launch cold (`eligible`: a warm task of `pool` serves it).
   * `wait` = wait for an on-demand warm task (with its 1-based place among the pool's waiters);
   * `launch` = take its own launch. `unlaunched(pool)` is how many waiting sessions have no warm
   * task started for them yet (they still need launch tokens).
   */
  decide(sessionId: string, pool: string, requestedAt: number, unlaunched: number): { wait: true; position: number; joined: boolean } | { wait: false } {
    const now = this.clock.now();
    const w = this.waiters.get(sessionId);
    if (w) {
      if (now - w.since < this.maxWaitMs && w.pool === pool) return { wait: true, position: this.positionOf(sessionId), joined: false };
      this.waiters.delete(sessionId);
      this.expired.add(sessionId);
      return { wait: false };
    }
    if (this.expired.has(sessionId)) return this.launchCold(sessionId, now);
    const { runTask, launches } = this.buckets;
    const callWouldWait = runTask.waiting() > 0 || runTask.available() - this.coldInFlight(now) < 1;
    // Launch tokens the call bucket cannot use now; cold launches on their way take one of each.
    const spareLaunches = Math.floor(launches.available()) - Math.floor(runTask.available()) - unlaunched;
    if (!callWouldWait || spareLaunches < 1) return this.launchCold(sessionId, now);
    this.waiters.set(sessionId, { pool, requestedAt, seq: nextRequestSeq(), since: now });
    for (const l of this.listeners) l(pool);
    return { wait: true, position: this.positionOf(sessionId), joined: true };
  }

  /** The session no longer launches (claimed a task, runs, is gone): it leaves every list. */
  leave(sessionId: string): void {
    this.waiters.delete(sessionId);
    this.expired.delete(sessionId);
    this.cold.delete(sessionId);
  }

  private launchCold(sessionId: string, now: number): { wait: false } {
    this.cold.set(sessionId, now);
    return { wait: false };
  }

  private coldInFlight(now: number): number {
    let n = 0;
    for (const [id, at] of this.cold) {
      if (now - at < COLD_IN_FLIGHT_MS) n++;
      else this.cold.delete(id);
    }
    return n;
  }

  /**
   * Sessions of `pool` waiting now and the place of the oldest. Not counted: expired waits, and
   * waiters `served` says already hold a task (a claim made, its reconcile not yet done: the
   * claimed task no longer counts as idle either).
   */
  demand(pool: string, served?: (sessionId: string) => boolean): { waiting: number; oldest: { requestedAt: number; seq: number } | undefined } {
    const now = this.clock.now();
    let waiting = 0;
    let oldest: Waiter | undefined;
    for (const [id, w] of this.waiters) {
      if (w.pool !== pool || now - w.since >= this.maxWaitMs || served?.(id)) continue;
      waiting++;
      if (!oldest || w.requestedAt < oldest.requestedAt || (w.requestedAt === oldest.requestedAt && w.seq < oldest.seq)) oldest = w;
    }
    return { waiting, oldest: oldest ? { requestedAt: oldest.requestedAt, seq: oldest.seq } : undefined };
  }

  /**
   * For soak tests and diagnostics. Bounds: `waiters` and `expired` <= sessions wanting a launch
   * now or claiming a warm task (a session leaves both at its first reconcile that plans neither
   * a launch nor a claim: it runs, holds a claimed task or is gone); `cold` <= sessions told to launch cold within COLD_IN_FLIGHT_MS (older
   * entries are dropped whenever a decision counts them) or not yet counted since; `listeners`:
   * one per controller.
   */
  sizes(): Record<string, number> {
    return { waiters: this.waiters.size, expired: this.expired.size, cold: this.cold.size, listeners: this.listeners.size };
  }

  /** Called with the pool's name whenever a session starts waiting on it (enqueue the pool). */
  onDemand(listener: (pool: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private positionOf(sessionId: string): number {
    const me = this.waiters.get(sessionId)!;
    let position = 1;
    for (const [id, w] of this.waiters) {
      if (id !== sessionId && w.pool === me.pool && (w.requestedAt < me.requestedAt || (w.requestedAt === me.requestedAt && w.seq < me.seq))) position++;
    }
    return position;
  }
}

/** The buckets of a registry that a session's cold launch draws from (RunTask calls, Fargate launches). */
export function launchBucketsOf(limits: { bucket(op: string): LaunchBuckets['runTask'] & LaunchBuckets['launches'] }): LaunchBuckets {
  return { runTask: limits.bucket('ecs:RunTask'), launches: limits.bucket(LAUNCH_BUCKET) };
}
