/**
 * One simulator run: one seed decides everything. Builds the world, plays the schedule with a
 * sample of the invariants every second of virtual time, then a quiet period, convergence, a
 * stable window (a converged system makes no mutating call) and the call-budget check.
 */
import { SeededRng } from '../../src/common/rng.js';
import { convergenceProblems } from './convergence.js';
import type { LoggedEvent } from './event-log.js';
import { Checker, ONE_RESYNC_MS, type Violation } from './invariants.js';
import { SIM_PLAN, SIM_TIMINGS } from './config.js';
import { generateSchedule, type ScheduleOptions } from './schedule.js';
import { subSeed, T0, World, type Mutation } from './world.js';

export interface RunOptions {
  seed: number;
  mutation?: Mutation;
  /** Echo every event as it happens. */
  echo?: (line: string) => void;
  schedule?: Partial<ScheduleOptions>;
  /**
   * ECS task state change events on: the simulator delivers them into SQS (late, duplicated,
   * reordered, 20% lost: SIM_EVENTS.delivery), the controller reads them as hints, and some seeds
   * add an SQS outage. The schedule and every task and fault draw are those of the seed without events.
   */
  events?: boolean;
}

export interface RunResult {
  seed: number;
  violation: Violation | undefined;
  /** The last events before the end (or the violation). */
  trace: LoggedEvent[];
  /** Digest of the whole event log: equal for two runs of a seed. */
  digest: string;
  events: number;
  virtualMs: number;
  convergedAfterMs: number | undefined;
  mutatingCalls: number;
  work: number;
  kinds: string[];
  counters: World['counters'];
}

const STEP_MS = 1_000;
/** After the faults stop: every bound the controller has, end to end, plus slack. */
export const QUIET_BOUND_MS = SIM_PLAN.startDeadlineMs + SIM_PLAN.retryCapMs + 2 * ONE_RESYNC_MS + SIM_PLAN.orphanGraceMs + 30_000;
/** Invariant 7: mutating calls per unit of work asked for, and a fixed allowance. */
export const CALLS_PER_WORK = 12;
export const CALLS_ALLOWANCE = 40;

export async function runSeed(o: RunOptions): Promise<RunResult> {
  let world: World | undefined;
  const since = (): number => (world ? world.clock.now() - T0 : 0);
  const checker = new Checker(since, (id) => world?.gateway.contentKey(id));
  const w = (world = new World(o.seed, { onStop: (x) => checker.onStop(x), onWrite: (x) => checker.onWrite(x) }, o.mutation, o.echo, o.events ?? false));
  const schedule = generateSchedule(new SeededRng(subSeed(o.seed, 4)), { maxSessions: 24, leaderChanges: true, ...o.schedule }, new SeededRng(subSeed(o.seed, 5)), new SeededRng(subSeed(o.seed, 8)));
  w.log.add('sched', `seed ${o.seed}: ${schedule.events.length} events over ${schedule.faultPhaseMs} ms; kinds ${schedule.kinds.join(',') || 'none'}${o.events ? '; task events on' : ''}${o.mutation ? `; MUTATION ${o.mutation.name}` : ''}`);
  if (o.events) scheduleSqsOutage(w, new SeededRng(subSeed(o.seed, 7)), schedule.faultPhaseMs);

  const sample = async (): Promise<void> => {
    const snap = await w.store.inner.snapshot();
    const dump = w.core.dump();
    checker.sample(dump.tasks, STEP_MS, !w.impaired(), (id) => snap.sessions.has(id));
    checker.content(snap, dump);
    checker.lifetimes(snap, w.clock.now(), STEP_MS, !w.impaired() && !w.leader?.safety.brake.engaged());
    await w.gateway.tick(w.clock.now());
  };

  w.startLeader();
  let i = 0;
  for (let t = 0; t < schedule.faultPhaseMs && !checker.violation; t += STEP_MS) {
    while (i < schedule.events.length && schedule.events[i]!.at <= t + STEP_MS && !checker.violation) {
      const e = schedule.events[i++]!;
      await w.clock.runUntil(T0 + e.at);
      await w.apply(e);
    }
    await w.clock.runUntil(T0 + t + STEP_MS);
    await sample();
  }

  let convergedAfterMs: number | undefined;
  if (!checker.violation) {
    w.quiesce();
    const quietStart = w.clock.now();
    for (let q = STEP_MS; q <= QUIET_BOUND_MS && !checker.violation; q += STEP_MS) {
      await w.clock.runUntil(quietStart + q);
      await sample();
      if (q % 5_000 === 0) await w.gateway.retryFailed();
      // The brake alert fires after a minute; the operator checks desired state and releases it.
      if (q % 60_000 === 0) w.operatorReleasesBrakes();
      // Converged means nothing left to do: no problem found, no gateway write still pending, and
      // the leader has read the world since the faults stopped (until then it may still act on
      // what it could not see: an answer it lost, a change its failing reads missed).
      if (w.pendingRevives === 0 && w.leaderHasReadSince(quietStart) && (await convergenceProblems(w)).length === 0) {
        convergedAfterMs = q;
        break;
      }
    }
    if (convergedAfterMs === undefined && !checker.violation) {
      const problems = await convergenceProblems(w);
      if (!w.leaderHasReadSince(quietStart)) problems.push({ invariant: 3, message: `the leader has not read desired and observed state in full since the faults stopped` });
      if (w.pendingRevives > 0) problems.push({ invariant: 3, message: `${w.pendingRevives} gateway writes still pending` });
      const first = problems[0]!;
      checker.fail(first.invariant, `not converged ${QUIET_BOUND_MS} ms after the faults stopped: ${problems.slice(0, 4).map((p) => p.message).join('; ')}${problems.length > 4 ? `; and ${problems.length - 4} more` : ''}`);
    }
  }
  if (!checker.violation) {
    const before = w.observer.totalMutating();
    const windowMs = 2 * ONE_RESYNC_MS;
    const start = w.clock.now();
    for (let q = STEP_MS; q <= windowMs && !checker.violation; q += STEP_MS) {
      await w.clock.runUntil(start + q);
      await sample();
    }
    const extra = w.observer.totalMutating() - before;
    if (extra > 0) checker.fail(7, `a converged system made ${extra} mutating AWS calls in ${windowMs} ms of quiet (expected none)`);
    const problems = await convergenceProblems(w);
    if (problems.length > 0) checker.fail(problems[0]!.invariant, `converged, then drifted away in a quiet period: ${problems[0]!.message}`);
  }
  const work = w.gateway.changes + w.counters.killedTasks + w.counters.wipes * w.gateway.liveIds().length;
  const mutatingCalls = w.observer.totalMutating();
  const budget = CALLS_PER_WORK * work + CALLS_ALLOWANCE;
  if (mutatingCalls > budget) {
    checker.fail(7, `${mutatingCalls} mutating AWS calls for ${work} units of work (budget ${CALLS_PER_WORK} x work + ${CALLS_ALLOWANCE} = ${budget}): ${JSON.stringify(Object.fromEntries(w.observer.mutating))}`);
  }
  if (checker.violation) w.log.add('check', `VIOLATION of invariant ${checker.violation.invariant}: ${checker.violation.message}`);
  for (const s of w.slots) if (s.gate.state !== 'dead') s.kill();
  return {
    seed: o.seed,
    violation: checker.violation,
    trace: w.log.tail(40),
    digest: w.log.digest(),
    events: w.log.size(),
    virtualMs: w.clock.now() - T0,
    convergedAfterMs,
    mutatingCalls,
    work,
    kinds: schedule.kinds,
    counters: w.counters,
  };
}

/** With events on, a third of the seeds lose SQS for 5..95 s somewhere in the fault phase (its own draws). */
function scheduleSqsOutage(w: World, rng: SeededRng, faultPhaseMs: number): void {
  if (rng.next() >= 1 / 3) return;
  const at = Math.floor(rng.next() * faultPhaseMs);
  const durationMs = 5_000 + Math.floor(rng.next() * 90_000);
  const mode = rng.next() < 0.3 ? 'hang' : 'error';
  w.clock.setTimer(() => w.sqsOutage(durationMs, mode), at);
}

/** The one command that replays a seed. */
export function replayCommand(seed: number, mutation?: string, events = false): string {
  return `npm run simulate -- --seed ${seed} --verbose${events ? ' --events' : ''}${mutation ? ` --mutation ${mutation}` : ''}`;
}

/** Default run bound for timers: `SIM_TIMINGS` is re-exported for reports. */
export { SIM_TIMINGS };
