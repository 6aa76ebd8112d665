/**
 * Scenario 1 and 2: a burst of new cold sessions plus a warm pool target, written at once, on
 * Fargate-like simulator limits; run once with the controller and once with the naive baseline
 * (same seed, same simulator, same clock kind). Results are memoised per (sessions, pool, seed)
 * so both benchmark files share one set of runs. Times in virtual ms.
 */
import type { StatsSnapshot } from '../../src/sim/stats.js';
import { runNaive } from './naive.js';
import { readProgress, runSampled, type Sample } from './progress.js';
import { BenchWorld, createSessions, POOL, TEMPLATE } from './world.js';

export interface ConvergenceRun {
  /** Virtual ms from the writes to all sessions Running and the pool full; undefined: not within the bound. */
  convergedMs: number | undefined;
  /** Virtual ms until the first session was Running. */
  firstRunningMs: number | undefined;
  /** Mean over sessions of the time to Running (from the samples, step resolution). */
  meanWaitMs: number;
  /**
   * Each session's wait: virtual ms from the writes to the first sample that saw it Running with
   * an endpoint (step resolution; sessions never seen Running count as the whole run).
   */
  waitsMs: number[];
  stats: StatsSnapshot;
  samples: Sample[];
  wallMs: number;
  /** Controller runs: where each session's wait went, means over sessions (see WaitBreakdown). */
  breakdown?: WaitBreakdown;
}

/**
 * Where a session's wait goes, mean over the sessions of a run, virtual ms, from the outside:
 * `toLaunch` from the writes to the simulator accepting the RunTask that started the task it runs
 * on (a warm task claimed: the batch that started it); `toRunning` from there to the task RUNNING
 * in the simulator; `toStatus` from RUNNING to the controller writing the status Running with an
 * endpoint (the store's synchronous watch, so no sampling error); `toSample` from that write to
 * the bench's 100 ms sample that saw it.
 */
export interface WaitBreakdown {
  toLaunch: number;
  toRunning: number;
  toStatus: number;
  toSample: number;
}

export interface ConvergenceParams {
  sessions: number;
  pool: number;
  seed: number;
  /** Sampling step in virtual ms (default 100). */
  stepMs?: number;
  /** Give up after this much virtual time (default 600 s). */
  maxMs?: number;
}

const cache = new Map<string, Promise<ConvergenceRun>>();

function summarize(samples: Sample[], waitsMs: number[], convergedMs: number | undefined, stats: StatsSnapshot, wallMs: number): ConvergenceRun {
  const first = samples.find((s) => s.running > 0);
  const meanWaitMs = waitsMs.reduce((a, b) => a + b, 0) / Math.max(1, waitsMs.length);
  return { convergedMs, firstRunningMs: first ? first.t * 1000 : undefined, meanWaitMs, waitsMs, stats, samples, wallMs };
}

async function run(kind: 'controller' | 'naive', p: ConvergenceParams): Promise<ConvergenceRun> {
  const stepMs = p.stepMs ?? 100;
  const wall = performance.now();
  const w = new BenchWorld({ seed: p.seed });
  const abort = new AbortController();
  if (kind === 'controller') {
    w.startController();
    await w.clock.advance(1); // the first (empty) sync
  }
  const ids = await createSessions(w.store, p.sessions);
  const writtenRunning = new Map<string, number>();
  const unwatch: Array<() => Promise<void>> = [];
  if (kind === 'controller') {
    for (const id of ids) {
      unwatch.push(
        await w.store.watchStatus(id, (st) => {
          if (st?.phase === 'Running' && st.endpoint && !writtenRunning.has(id)) writtenRunning.set(id, w.clock.now());
        }),
      );
    }
  }
  if (kind === 'controller') await w.store.setWarmPool(POOL, TEMPLATE, p.pool);
  const statsBefore = w.core.getStats().total.calls;
  const start = w.clock.now();
  if (kind === 'naive') void runNaive({ api: w.api, clock: w.clock, store: w.store, cluster: w.config.cluster, signal: abort.signal }, ids, POOL, p.pool).catch(() => undefined);
  const samples: Sample[] = [];
  const runningSince = new Map<string, number>();
  const seen = (id: string): void => {
    if (!runningSince.has(id)) runningSince.set(id, w.clock.now() - start);
  };
  const convergedMs = await runSampled(w.clock, () => readProgress(w.store, w.core, POOL, seen), (x) => x.running === p.sessions && x.warmIdle >= p.pool, {
    startMs: start,
    stepMs,
    maxMs: p.maxMs ?? 600_000,
    samples,
  });
  const stats = w.core.getStats();
  for (const s of samples) s.calls -= statsBefore;
  const breakdown = kind === 'controller' ? await breakdownOf(w, ids, start, writtenRunning, runningSince) : undefined;
  for (const u of unwatch) await u();
  abort.abort();
  await w.stop();
  await w.clock.advance(1_000);
  const endMs = samples.length > 0 ? samples[samples.length - 1]!.t * 1000 : 0;
  const waitsMs = ids.map((id) => runningSince.get(id) ?? endMs);
  return { ...summarize(samples, waitsMs, convergedMs, stats, performance.now() - wall), ...(breakdown ? { breakdown } : {}) };
}

/** The breakdown of the waits of the sessions seen Running (see WaitBreakdown). */
async function breakdownOf(w: BenchWorld, ids: readonly string[], start: number, written: Map<string, number>, seen: Map<string, number>): Promise<WaitBreakdown | undefined> {
  const snap = await w.store.snapshot();
  const records = new Map(w.core.ecs.tasks.list().map((t) => [t.arn, t] as const));
  const sum = { toLaunch: 0, toRunning: 0, toStatus: 0, toSample: 0 };
  let n = 0;
  for (const id of ids) {
    const arn = snap.sessions.get(id)?.status?.taskArn;
    const task = arn ? records.get(arn) : undefined;
    const wrote = written.get(id);
    const saw = seen.get(id);
    if (!task || wrote === undefined || saw === undefined) continue;
    sum.toLaunch += task.createdAt - start;
    sum.toRunning += task.runningAt - task.createdAt;
    sum.toStatus += wrote - task.runningAt;
    sum.toSample += start + saw - wrote;
    n++;
  }
  if (n === 0) return undefined;
  return { toLaunch: sum.toLaunch / n, toRunning: sum.toRunning / n, toStatus: sum.toStatus / n, toSample: sum.toSample / n };
}

/** One run of `kind` on these parameters (memoised). */
export function convergenceRun(kind: 'controller' | 'naive', p: ConvergenceParams): Promise<ConvergenceRun> {
  const key = `${kind}:${p.sessions}:${p.pool}:${p.seed}:${p.stepMs ?? 100}`;
  let r = cache.get(key);
  if (!r) cache.set(key, (r = run(kind, p)));
  return r;
}

/** Sizes and repeats of scenarios 1 and 2. */
export function convergenceSizes(quick: boolean): { sessions: number; pool: number; seeds: number[] } {
  return quick ? { sessions: 200, pool: 40, seeds: [1] } : { sessions: 1000, pool: 200, seeds: [1, 2, 3] };
}
