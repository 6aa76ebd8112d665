/**
 * Scenario 1: convergence under ECS limits. N new cold sessions and a warm pool target are
 * written at once; the controller (production wiring, default config) runs against the
 * simulator at Fargate-like limits (RunTask burst 20, 20 calls/s; launch bucket burst 100,
 * refill 20/s; RunTask count <= 10). Reported: virtual time until every session is Running
 * with an endpoint and the pool holds its target of idle RUNNING tasks, against the theoretical
 * minimum from those limits (bench/support/limits.ts). Median over seeds.
 *
 * And what a user feels: each session's wait from the write to Running with an endpoint, as
 * mean, p50 and p99 over the sessions of a run (median over seeds), for the controller and the
 * naive loops of the same seeds, against the optimum the limits allow when sessions go first and
 * tasks of identical content share RunTask calls (`optimalWaits`).
 */
import { DEFAULT_LIMITS } from '../src/sim/throttle.js';
import { FARGATE_PROFILE } from '../src/sim/profiles.js';
import { convergenceRun, convergenceSizes, type ConvergenceRun } from './support/convergence.js';
import { meanStartSeconds, optimalWaits, theoreticalMinimum } from './support/limits.js';
import { median, percentile, round } from './support/stats.js';
import type { BenchResult } from './types.js';

export const name = '1 convergence under ECS limits (virtual time)';

const secs = (ms: number | undefined): number | string => (ms === undefined ? 'not converged' : round(ms / 1000, 1));
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Mean, p50 and p99 of one run's per-session waits, in seconds. */
function waitStats(waitsS: readonly number[]): { mean: number; p50: number; p99: number } {
  return { mean: mean(waitsS), p50: percentile(waitsS, 50), p99: percentile(waitsS, 99) };
}

/** Median over runs of each wait figure, in seconds. */
function medianWaits(runs: readonly ConvergenceRun[]): { mean: number; p50: number; p99: number } {
  const per = runs.map((r) => waitStats(r.waitsMs.map((ms) => ms / 1000)));
  return { mean: median(per.map((x) => x.mean)), p50: median(per.map((x) => x.p50)), p99: median(per.map((x) => x.p99)) };
}

/**
 * Where the controller's mean wait goes (medians over seeds of each run's means), beside the
 * optimum's model of the same steps: launch at the limits' pace, the profile's mean start, and no
 * delay between RUNNING and the status.
 */
function breakdownRows(runs: readonly ConvergenceRun[], sessions: number): Array<{ metric: string; value: number; unit: string; target?: string }> {
  const bs = runs.map((r) => r.breakdown).filter((b) => b !== undefined);
  if (bs.length === 0) return [];
  const startS = meanStartSeconds(FARGATE_PROFILE);
  const optLaunch = mean(optimalWaits(sessions, DEFAULT_LIMITS, FARGATE_PROFILE).map((w) => w - startS));
  const m = (f: (b: (typeof bs)[number]) => number): number => round(median(bs.map(f)) / 1000, 3);
  return [
    { metric: 'controller wait: writes -> RunTask accepted (mean)', value: m((b) => b.toLaunch), unit: 'virtual s', target: `optimum ${round(optLaunch, 3)}` },
    { metric: 'controller wait: RunTask -> task RUNNING (mean)', value: m((b) => b.toRunning), unit: 'virtual s', target: `profile mean ${round(startS, 3)}` },
    { metric: 'controller wait: RUNNING -> status Running (mean)', value: m((b) => b.toStatus), unit: 'virtual s', target: 'optimum 0' },
    { metric: 'controller wait: status -> bench sample (mean)', value: m((b) => b.toSample), unit: 'virtual s', target: 'sampling, <= 0.1' },
  ];
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const { sessions, pool, seeds } = convergenceSizes(quick);
  const runs: ConvergenceRun[] = [];
  const naive: ConvergenceRun[] = [];
  for (const seed of seeds) {
    runs.push(await convergenceRun('controller', { sessions, pool, seed }));
    naive.push(await convergenceRun('naive', { sessions, pool, seed }));
  }
  const min = theoreticalMinimum(sessions, pool, DEFAULT_LIMITS, FARGATE_PROFILE);
  const best = waitStats(optimalWaits(sessions, DEFAULT_LIMITS, FARGATE_PROFILE));
  const bestPerCall = waitStats(optimalWaits(sessions, DEFAULT_LIMITS, FARGATE_PROFILE, { perCall: true }));
  const ctl = medianWaits(runs);
  const nv = medianWaits(naive);
  const waitRows = (who: string, w: { mean: number; p50: number; p99: number }, target?: string) => [
    { metric: `${who}: mean wait per session`, value: round(w.mean, 2), unit: 'virtual s' },
    { metric: `${who}: mean wait / optimum`, value: round(w.mean / best.mean, 3), unit: 'x', ...(target ? { target } : {}) },
    { metric: `${who}: p50 wait per session`, value: round(w.p50, 2), unit: 'virtual s', target: `optimum ${round(best.p50, 2)}` },
    { metric: `${who}: p99 wait per session`, value: round(w.p99, 2), unit: 'virtual s', target: `optimum ${round(best.p99, 2)}` },
  ];
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
    { metric: 'optimum: mean wait per session', value: round(best.mean, 2), unit: 's', target: 'sessions first, batched' },
    { metric: 'optimum: p50 / p99 wait per session', value: `${round(best.p50, 2)} / ${round(best.p99, 2)}`, unit: 's' },
    { metric: 'one call per session: mean wait', value: round(bestPerCall.mean, 2), unit: 's', target: 'sessions first, unbatched' },
    ...waitRows('controller', ctl, '<= 1.05'),
    ...waitRows('naive', nv),
    ...breakdownRows(runs, sessions),
    { metric: 'controller: RunTask calls (median)', value: median(runs.map((r) => r.stats.byOperation.RunTask?.calls ?? 0)), unit: 'calls', target: `>= ${min.runTaskCalls}` },
    { metric: 'controller: AWS calls (median)', value: median(runs.map((r) => r.stats.total.calls)), unit: 'calls' },
    { metric: 'controller: throttling errors (median)', value: median(runs.map((r) => r.stats.total.throttled)), unit: 'errors' },
    { metric: 'wall time per run (median)', value: Math.round(median(runs.map((r) => r.wallMs))), unit: 'ms' },
  ];
  return {
    rows,
    notes: [
      `Convergence times per seed: ${runs.map((r) => secs(r.convergedMs)).join(', ')} virtual s.`,
      `Waits are per session, from the writes to the first sample (every 100 virtual ms) that saw it Running with an endpoint; figures are medians over seeds of each run's mean, p50 and p99.`,
    ],
  };
}
