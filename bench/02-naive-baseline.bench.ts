/**
 * Scenario 2: the naive baseline (bench/support/naive.ts: a polling loop per session with fixed
 * 100 ms sleeps, no batching, no shared rate limit, retries without jitter) on the same scenario,
 * simulator and seeds as scenario 1, side by side with the controller's runs. Medians over seeds;
 * the charts show the first seed.
 */
import { convergenceRun, convergenceSizes, type ConvergenceRun } from './support/convergence.js';
import { optimalWaits } from './support/limits.js';
import { median, round } from './support/stats.js';
import { DEFAULT_LIMITS } from '../src/sim/throttle.js';
import { FARGATE_PROFILE } from '../src/sim/profiles.js';
import type { BenchChart, BenchResult } from './types.js';

export const name = '2 controller vs naive baseline (virtual time)';

const secs = (ms: number): number | string => (Number.isFinite(ms) ? round(ms / 1000, 1) : 'not converged');

/** Sessions Running at each of `times` (s) if each ran at its optimal wait. */
function optimumCurve(sessions: number, times: readonly number[]): Array<readonly [number, number]> {
  const waits = optimalWaits(sessions, DEFAULT_LIMITS, FARGATE_PROFILE);
  return times.map((t) => [t, waits.filter((w) => w <= t).length] as const);
}

function charts(c: ConvergenceRun, n: ConvergenceRun, sessions: number, quick: boolean): BenchChart[] {
  const suffix = quick ? '-quick' : '';
  const times = (c.samples.length >= n.samples.length ? c : n).samples.map((s) => s.t);
  return [
    {
      id: `sessions-running${suffix}`,
      title: `Sessions Running over time (${sessions} new cold sessions + warm pool)`,
      xLabel: 'virtual seconds since the sessions were written',
      yLabel: 'sessions Running',
      series: [
        { name: 'controller', points: c.samples.map((s) => [s.t, s.running] as const) },
        { name: 'naive baseline', points: n.samples.map((s) => [s.t, s.running] as const) },
        { name: 'optimum (limits, sessions first)', points: optimumCurve(sessions, times) },
      ],
    },
    {
      id: `aws-calls${suffix}`,
      title: 'AWS calls made (cumulative, all outcomes)',
      xLabel: 'virtual seconds since the sessions were written',
      yLabel: 'AWS calls',
      series: [
        { name: 'controller', points: c.samples.map((s) => [s.t, s.calls] as const) },
        { name: 'naive baseline', points: n.samples.map((s) => [s.t, s.calls] as const) },
      ],
    },
    {
      id: `aws-calls-controller${suffix}`,
      title: 'Controller alone: AWS calls and throttling errors (cumulative)',
      xLabel: 'virtual seconds since the sessions were written',
      yLabel: 'count',
      series: [
        { name: 'controller: AWS calls', points: c.samples.map((s) => [s.t, s.calls] as const) },
        { name: 'controller: throttled', points: c.samples.map((s) => [s.t, s.throttled] as const) },
      ],
    },
  ];
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const { sessions, pool, seeds } = convergenceSizes(quick);
  const ctl: ConvergenceRun[] = [];
  const naive: ConvergenceRun[] = [];
  for (const seed of seeds) {
    ctl.push(await convergenceRun('controller', { sessions, pool, seed }));
    naive.push(await convergenceRun('naive', { sessions, pool, seed }));
  }
  const m = (rs: ConvergenceRun[], f: (r: ConvergenceRun) => number): number => median(rs.map(f));
  const tC = m(ctl, (r) => r.convergedMs ?? Infinity);
  const tN = m(naive, (r) => r.convergedMs ?? Infinity);
  const callsC = m(ctl, (r) => r.stats.total.calls);
  const callsN = m(naive, (r) => r.stats.total.calls);
  const thrC = m(ctl, (r) => r.stats.total.throttled);
  const thrN = m(naive, (r) => r.stats.total.throttled);
  const rows = [
    { metric: 'time to converge: controller', value: secs(tC), unit: 'virtual s' },
    { metric: 'time to converge: naive', value: secs(tN), unit: 'virtual s' },
    { metric: 'time ratio naive / controller', value: round(tN / tC, 3), unit: 'x', target: '> 1 (controller faster)' },
    { metric: 'mean wait per session: controller', value: secs(m(ctl, (r) => r.meanWaitMs)), unit: 'virtual s' },
    { metric: 'mean wait per session: naive', value: secs(m(naive, (r) => r.meanWaitMs)), unit: 'virtual s' },
    { metric: 'AWS calls: controller', value: callsC, unit: 'calls' },
    { metric: 'AWS calls: naive', value: callsN, unit: 'calls' },
    { metric: 'AWS calls ratio naive / controller', value: round(callsN / callsC, 1), unit: 'x', target: '>= 5' },
    { metric: 'mutating calls: controller', value: m(ctl, (r) => r.stats.total.mutatingCalls), unit: 'calls' },
    { metric: 'mutating calls: naive', value: m(naive, (r) => r.stats.total.mutatingCalls), unit: 'calls' },
    { metric: 'throttling errors: controller', value: thrC, unit: 'errors' },
    { metric: 'throttling errors: naive', value: thrN, unit: 'errors', target: 'far more than the controller' },
    { metric: 'naive wall time per run (median)', value: Math.round(m(naive, (r) => r.wallMs)), unit: 'ms' },
  ];
  return { rows, charts: charts(ctl[0]!, naive[0]!, sessions, quick) };
}
