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
  abort.abort();
  await w.stop();
  await w.clock.advance(1_000);
  const endMs = samples.length > 0 ? samples[samples.length - 1]!.t * 1000 : 0;
  const waitsMs = ids.map((id) => runningSince.get(id) ?? endMs);
  return summarize(samples, waitsMs, convergedMs, stats, performance.now() - wall);
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
