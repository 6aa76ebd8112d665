/**
 * The invariants of issue #9, checked while the run goes (hooks and 1 s samples) and at
 * quiescence. The first violation ends the run; its message says what was expected and seen.
 *
 * Time bounds only count time when the system is not impaired (World.impaired: faults, outages,
 * no synced leader, a frozen process, and 30 s of recovery after each), so "longer than one
 * resync" means one resync of a healthy system.
 */
import type { SimTaskSummary } from '../../src/sim/core.js';
import { short, type StopObservation } from './aws-observer.js';
import { SIM_OWNER, SIM_PLAN, SIM_TIMINGS } from './config.js';
import type { AcceptedWrite } from './world-store.js';
import { contentMismatches } from './content-oracle.js';
import { isReady, type SessionSpec } from '../../src/desired/schema.js';
import type { DesiredSnapshot } from '../../src/desired/types.js';
import { entryExpiry, NO_LIFETIME_LIMITS } from '../../src/controller/plan/lifetime.js';
import type { SimStateDump } from '../../src/sim/core.js';

/** What the gateway wants for a session now: a key of its content, undefined when it deleted it. */
export type IntendedContent = (sessionId: string) => string | undefined;

export interface Violation {
  invariant: number;
  name: string;
  message: string;
  /** Virtual ms since the run started. */
  at: number;
}

export const INVARIANT_NAMES: Record<number, string> = {
  1: 'one task per session',
  2: 'never stop a task we do not own',
  3: 'convergence: desired sessions Running with the right endpoint, deleted ones gone',
  4: 'no orphan outlives grace + one resync',
  5: 'warm pools at target, no double claim',
  6: 'status never regresses; no fenced-out write accepted',
  7: 'mutating AWS calls proportional to the work',
  8: 'content: the task serving a Running+Ready session runs its observed generation',
  9: 'an endpoint given to the gateway is not taken away while it is still wanted',
  10: 'lifetimes: no Running+Ready session whose end passed by more than one resync',
};

/** One resync (with the loop's +10% jitter) plus sampling and stop latency. */
export const ONE_RESYNC_MS = Math.ceil(SIM_TIMINGS.resyncMs * 1.1) + 5_000;
export const ORPHAN_BOUND_MS = SIM_PLAN.orphanGraceMs + ONE_RESYNC_MS;

export class ViolationError extends Error {
  constructor(readonly violation: Violation) {
    super(`invariant ${violation.invariant} (${violation.name}) violated: ${violation.message}`);
    this.name = 'ViolationError';
  }
}

export function isOurs(t: SimTaskSummary): boolean {
  return t.tags['esr:owner'] === SIM_OWNER;
}

export function isLiveTask(t: SimTaskSummary): boolean {
  return t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED';
}

export function isRunningTask(t: SimTaskSummary): boolean {
  return t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING';
}

export class Checker {
  violation: Violation | undefined;
  private readonly lastGeneration = new Map<string, number>();
  /** Warm task ARN -> the session it was handed to (until released). */
  private readonly claims = new Map<string, string>();
  /** Healthy ms accumulated per condition key (duplicate RUNNING, orphan). */
  private readonly healthyMs = new Map<string, number>();
  /** Invariant 10: healthy ms each Running+Ready session has spent past its end. */
  private readonly pastEndMs = new Map<string, number>();
  /** Session -> the task whose endpoint the gateway was last given, and what it wanted then. */
  private readonly given = new Map<string, { taskArn: string; content: string | undefined }>();

  constructor(
    private readonly now: () => number,
    private readonly intended: IntendedContent = () => undefined,
  ) {}

  fail(invariant: number, message: string): void {
    if (this.violation) return;
    this.violation = { invariant, name: INVARIANT_NAMES[invariant] ?? '?', message, at: this.now() };
  }

  /** Invariants 2 and 9, at every StopTask that reaches AWS. */
  onStop(o: StopObservation): void {
    const session = o.tags?.['esr:session'];
    const g = session === undefined ? undefined : this.given.get(session);
    if (session !== undefined && g?.taskArn === o.taskArn && o.running) {
      const now = this.intended(session);
      if (now !== undefined && now === g.content) {
        this.fail(9, `${o.by} stopped task ${short(o.taskArn)}, RUNNING and the endpoint the gateway was given for ${session}, while the gateway still wants the same spec (${now})`);
      }
    }
    if (o.tags && o.tags['esr:owner'] !== SIM_OWNER) {
      this.fail(2, `${o.by} sent StopTask for ${short(o.taskArn)}, which carries owner tag ${JSON.stringify(o.tags['esr:owner'] ?? null)} (ours is ${SIM_OWNER}); tags ${JSON.stringify(o.tags)}`);
    }
  }

  /** Invariant 6, at every write the store accepted. */
  onWrite(w: AcceptedWrite): void {
    if (w.kind === 'wipe' || w.kind === 'rollback') {
      // Records went back (or away): a generation or a claim the store no longer holds is not a regression.
      this.lastGeneration.clear();
      // `given` stays: the gateway still holds those endpoints, and writes the same specs again.
      this.claims.clear();
      return;
    }
    const what = w.kind === 'release' ? w.taskArn : w.id;
    if (w.token < w.epoch) this.fail(6, `the store accepted a ${w.kind} of ${what} from ${w.by} with fencing token ${w.token}, but the leader epoch is ${w.epoch}`);
    if (w.kind === 'release') {
      this.claims.delete(w.taskArn);
      return;
    }
    if (w.kind === 'status' || w.kind === 'claim') {
      // The content a given task was handed out for is what the gateway wanted when it was first given.
      const prev = this.given.get(w.id);
      if (isReady(w.status) && w.status.taskArn) this.given.set(w.id, { taskArn: w.status.taskArn, content: prev?.taskArn === w.status.taskArn ? prev.content : this.intended(w.id) });
      else if (w.status.taskArn === undefined || w.status.phase !== 'Running') this.given.delete(w.id);
    }
    if (w.kind === 'claim') {
      const holder = this.claims.get(w.taskArn);
      if (holder !== undefined && holder !== w.id) this.fail(5, `warm task ${short(w.taskArn)} was claimed by ${w.id} (${w.by}) while still claimed by ${holder}`);
      this.claims.set(w.taskArn, w.id);
    }
    if (w.kind === 'purge') {
      this.lastGeneration.delete(w.id);
      return;
    }
    const prev = this.lastGeneration.get(w.id);
    if (prev !== undefined && w.status.observedGeneration < prev) {
      this.fail(6, `status of ${w.id} regressed: observedGeneration ${w.status.observedGeneration} written by ${w.by} after ${prev} (phase ${w.status.phase})`);
    }
    this.lastGeneration.set(w.id, Math.max(prev ?? 0, w.status.observedGeneration));
  }

  /**
   * Invariants 6 and 8 over one sample of the store and the simulator: a status never claims a
   * generation beyond its spec's, and the task serving a Running+Ready session that claims its
   * spec's generation runs exactly what that generation asks for (content-oracle.ts).
   */
  content(snap: Pick<DesiredSnapshot, 'sessions'>, dump: Pick<SimStateDump, 'tasks' | 'accessPoints'>): void {
    const byArn = new Map(dump.tasks.map((t) => [t.taskArn, t]));
    for (const [id, entry] of snap.sessions) {
      const spec: SessionSpec | undefined = entry.spec;
      const st = entry.status;
      if (!spec || !st) continue;
      if (st.observedGeneration > spec.generation) {
        this.fail(6, `status of ${id} claims observedGeneration ${st.observedGeneration}, but its spec is at generation ${spec.generation} (a status computed for another record)`);
        return;
      }
      if (spec.deleted || st.observedGeneration !== spec.generation || !isReady(st) || !st.taskArn) continue;
      const task = byArn.get(st.taskArn);
      if (!task || !isRunningTask(task)) continue;
      const problems = contentMismatches(spec, st, task, dump.accessPoints);
      if (problems.length > 0) {
        this.fail(8, `session ${id} is Running+Ready at generation ${spec.generation} on task ${short(task.taskArn)}, which does not run it: ${problems.join('; ')}`);
        return;
      }
    }
  }

  /**
   * Invariant 10 over one sample of the store, `stepMs` after the last one (`now`: epoch ms): a
   * session that is Running+Ready past its end — the `expiresAt` its status names, or the end its
   * spec and the store's last activity give (lifetime.ts) — is expired within one resync of
   * healthy time (a brake that holds expiries, an outage or no leader pause the count).
   */
  lifetimes(snap: Pick<DesiredSnapshot, 'sessions'>, now: number, stepMs: number, healthy: boolean): void {
    const seen = new Set<string>();
    for (const [id, entry] of snap.sessions) {
      const st = entry.status;
      if (!entry.spec || entry.spec.deleted || !isReady(st)) continue;
      const ends = [st!.expiresAt, entryExpiry(entry, SIM_PLAN.lifetime ?? NO_LIFETIME_LIMITS)?.at].filter((x): x is number => x !== undefined);
      if (ends.length === 0 || now <= Math.min(...ends)) continue;
      seen.add(id);
      const past = (this.pastEndMs.get(id) ?? 0) + (healthy ? stepMs : 0);
      this.pastEndMs.set(id, past);
      if (past > ONE_RESYNC_MS) {
        const t0 = now - this.now(); // the run's start, epoch ms: times below are ms of the run
        const which = st!.expiresAt !== undefined && now > st!.expiresAt ? `its status names expiresAt ${st!.expiresAt - t0} ms` : `its lifetime ended at ${Math.min(...ends) - t0} ms`;
        this.fail(10, `session ${id} is still Running+Ready ${past} ms of healthy time past its end (${which} of the run; spec lifetime ${JSON.stringify(entry.spec.lifetime ?? {})}, last activity ${entry.lastActivityAt === undefined ? 'none' : `${entry.lastActivityAt - t0} ms`}): not expired within one resync (${ONE_RESYNC_MS} ms)`);
        return;
      }
    }
    for (const id of [...this.pastEndMs.keys()]) if (!seen.has(id)) this.pastEndMs.delete(id);
  }

  private accumulate(key: string, stepMs: number, healthy: boolean): number {
    const v = (this.healthyMs.get(key) ?? 0) + (healthy ? stepMs : 0);
    this.healthyMs.set(key, v);
    return v;
  }

  /**
   * One sample of the simulator's tasks (invariants 1 and 4), `stepMs` after the last one.
   * `desired(id)`: whether the store holds a record (spec or tombstone) for that session now.
   */
  sample(tasks: readonly SimTaskSummary[], stepMs: number, healthy: boolean, desired: (id: string) => boolean): void {
    const seenKeys = new Set<string>();
    const byIncarnation = new Map<string, string[]>();
    const running = new Map<string, string[]>();
    for (const t of tasks) {
      if (!isOurs(t)) continue;
      const session = t.tags['esr:session'];
      if (!session) continue;
      // Live ones only: after a loss of desired state or a purge, a session's incarnations start
      // again (a task of the old life may still be stopping), so only live tasks are duplicates.
      const k = `${session}/${t.tags['esr:uid'] ?? '-'}/${t.tags['esr:incarnation'] ?? '?'}`;
      if (isLiveTask(t)) byIncarnation.set(k, [...(byIncarnation.get(k) ?? []), t.taskArn]);
      if (isRunningTask(t)) running.set(session, [...(running.get(session) ?? []), t.taskArn]);
      if (isLiveTask(t) && !desired(session)) {
        const key = `orphan:${t.taskArn}`;
        seenKeys.add(key);
        if (this.accumulate(key, stepMs, healthy) > ORPHAN_BOUND_MS) {
          this.fail(4, `task ${short(t.taskArn)} of session ${session} has had no desired record for ${ORPHAN_BOUND_MS} ms of healthy time (grace ${SIM_PLAN.orphanGraceMs} ms + one resync) and is still ${t.lastStatus}`);
        }
      }
    }
    for (const [k, arns] of byIncarnation) {
      if (arns.length > 1) this.fail(1, `session/incarnation ${k} has ${arns.length} tasks at once (${arns.map(short).join(', ')}): one launch intent started two tasks (RunTask was not idempotent)`);
    }
    for (const [session, arns] of running) {
      if (arns.length < 2) continue;
      const key = `dup:${session}`;
      seenKeys.add(key);
      if (this.accumulate(key, stepMs, healthy) > ONE_RESYNC_MS) {
        this.fail(1, `session ${session} has had ${arns.length} RUNNING tasks (${arns.map(short).join(', ')}) for more than one resync (${ONE_RESYNC_MS} ms of healthy time)`);
      }
    }
    for (const key of [...this.healthyMs.keys()]) if (!seenKeys.has(key)) this.healthyMs.delete(key);
  }
}
