/**
 * Scenario 1: convergence under ECS limits. N new cold sessions and a warm pool target are
 * written at once; the controller (production wiring, default config) runs against the
 * simulator at Fargate-like limits (RunTask burst 20, 20 calls/s; launch bucket burst 100,
 * refill 20/s; RunTask count <= 10). Reported: virtual time until every session is Running
 * with an endpoint and the pool holds its target of idle RUNNING tasks, against the theoretical
 * minimum from those limits (bench/support/limits.ts). Median over seeds.
 */
import { DEFAULT_LIMITS } from '../src/sim/throttle.js';
import { FARGATE_PROFILE } from '../src/sim/profiles.js';
import { convergenceRun, convergenceSizes, type ConvergenceRun } from './support/convergence.js';
import { theoreticalMinimum } from './support/limits.js';
import { median, round } from './support/stats.js';
import type { BenchResult } from './types.js';

export const name = '1 convergence under ECS limits (virtual time)';

const secs = (ms: number | undefined): number | string => (ms === undefined ? 'not converged' : round(ms / 1000, 1));

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const { sessions, pool, seeds } = convergenceSizes(quick);
  const runs: ConvergenceRun[] = [];
  for (const seed of seeds) runs.push(await convergenceRun('controller', { sessions, pool, seed }));
  const min = theoreticalMinimum(sessions, pool, DEFAULT_LIMITS, FARGATE_PROFILE);
  const converged = runs.map((r) => r.convergedMs ?? Number.POSITIVE_INFINITY);
  const t = median(converged);
  const rows = [
    { metric: 'sessions (cold) + warm pool target', value: `${sessions} + ${pool}`, unit: 'tasks' },
    { metric: 'repeats (seeds)', value: seeds.length, unit: 'runs' },
    { metric: 'theoretical minimum: launch bucket', value: round(min.launchBoundS, 1), unit: 's', target: `(${min.launches}-${DEFAULT_LIMITS.taskLaunch.burst})/${DEFAULT_LIMITS.taskLaunch.refillPerSec}` },
    { metric: 'theoretical minimum: RunTask bucket', value: round(min.callBoundS, 1), unit: 's', target: `(${min.runTaskCalls}-${DEFAULT_LIMITS.actions.RunTask!.burst})/${DEFAULT_LIMITS.actions.RunTask!.refillPerSec}` },
    { metric: 'theoretical minimum: + mean task start', value: round(min.totalS, 1), unit: 's' },
    { metric: 'controller: time to converge (median)', value: secs(Number.isFinite(t) ? t : undefined), unit: 'virtual s' },
    { metric: 'controller: ratio to theoretical minimum', value: Number.isFinite(t) ? round(t / 1000 / min.totalS, 3) : 'n/a', unit: 'x', target: '<= 1.10' },
    { metric: 'controller: first session Running (median)', value: secs(median(runs.map((r) => r.firstRunningMs ?? Number.POSITIVE_INFINITY))), unit: 'virtual s' },
    { metric: 'controller: mean wait per session (median)', value: secs(median(runs.map((r) => r.meanWaitMs))), unit: 'virtual s' },
    { metric: 'controller: RunTask calls (median)', value: median(runs.map((r) => r.stats.byOperation.RunTask?.calls ?? 0)), unit: 'calls', target: `>= ${min.runTaskCalls}` },
    { metric: 'controller: AWS calls (median)', value: median(runs.map((r) => r.stats.total.calls)), unit: 'calls' },
    { metric: 'controller: throttling errors (median)', value: median(runs.map((r) => r.stats.total.throttled)), unit: 'errors' },
    { metric: 'wall time per run (median)', value: Math.round(median(runs.map((r) => r.wallMs))), unit: 'ms' },
  ];
  return { rows, notes: [`Convergence times per seed: ${runs.map((r) => secs(r.convergedMs)).join(', ')} virtual s.`] };
}
