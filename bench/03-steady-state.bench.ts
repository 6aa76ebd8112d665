/**
 * Scenario 3: steady state. N converged sessions (built fast: simulator throttling off and
 * controller rate limits lifted for the set-up only matter to how quickly we get there; the
 * 'fast' task profile), then 10 resync periods with nothing to do. Reported: mutating calls
 * (target 0), DescribeTasks and ListTasks per resync (target ceil(N/100) each: batches and
 * pages of 100), and the process CPU time per resync period (process.cpuUsage around the
 * advance of virtual time that covers it: snapshot reads, cache refresh, N plans, no actions).
 */
import { median, round } from './support/stats.js';
import { BenchWorld, convergeSessions, UNLIMITED_RATE_LIMITS } from './support/world.js';
import type { BenchResult } from './types.js';

export const name = '3 steady state (virtual time)';

export interface SteadyResult {
  sessions: number;
  periods: number;
  setupVirtualS: number;
  mutating: number;
  describePerResync: number;
  listPerResync: number;
  cpuMsPerResync: number[];
  /** The part of each period's CPU time spent inside the in-process simulator (AWS's side). */
  simMsPerResync: number[];
}

/** Converges `sessions`, then measures `periods` resync periods of quiet. */
export async function measureSteadyState(sessions: number, periods: number, resyncSeconds = 30): Promise<SteadyResult> {
  const w = new BenchWorld({
    seed: 3,
    sim: { limits: false, profile: 'fast' },
    env: { RECONCILER_RATE_LIMITS: UNLIMITED_RATE_LIMITS, RECONCILER_RESYNC_SECONDS: String(resyncSeconds) },
  });
  const setupMs = await convergeSessions(w, sessions);
  // Let in-flight refreshes and one full resync pass so the cache holds the converged state.
  await w.clock.advance(2 * resyncSeconds * 1000);
  const before = w.core.getStats();
  const cpu: number[] = [];
  const sim: number[] = [];
  for (let i = 0; i < periods; i++) {
    const c0 = process.cpuUsage();
    const s0 = w.simMs;
    await w.clock.advance(resyncSeconds * 1000);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
    sim.push(w.simMs - s0);
  }
  const after = w.core.getStats();
  await w.stop();
  const calls = (op: 'DescribeTasks' | 'ListTasks'): number => (after.byOperation[op]?.calls ?? 0) - (before.byOperation[op]?.calls ?? 0);
  return {
    sessions,
    periods,
    setupVirtualS: setupMs / 1000,
    mutating: after.total.mutatingCalls - before.total.mutatingCalls,
    describePerResync: calls('DescribeTasks') / periods,
    listPerResync: calls('ListTasks') / periods,
    cpuMsPerResync: cpu,
    simMsPerResync: sim,
  };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const n = quick ? 1000 : 10_000;
  const r = await measureSteadyState(n, quick ? 3 : 10);
  const pages = Math.ceil(n / 100);
  const own = r.cpuMsPerResync.map((c, i) => c - r.simMsPerResync[i]!);
  return [
    { metric: 'converged sessions', value: n, unit: 'sessions' },
    { metric: 'resync periods measured (30 s each)', value: r.periods, unit: 'periods' },
    { metric: 'mutating AWS calls', value: r.mutating, unit: 'calls', target: '0' },
    { metric: 'DescribeTasks per resync', value: round(r.describePerResync, 2), unit: 'calls', target: `${pages} (ceil(N/100))` },
    { metric: 'ListTasks per resync', value: round(r.listPerResync, 2), unit: 'calls', target: `${pages} (pages of 100)` },
    { metric: 'process CPU time per resync (median)', value: round(median(r.cpuMsPerResync), 1), unit: 'ms' },
    { metric: '  of which in the in-process simulator', value: round(median(r.simMsPerResync), 1), unit: 'ms' },
    { metric: 'controller CPU time per resync (median)', value: round(median(own), 1), unit: 'ms', target: 'reported (resync every 30 s)' },
    { metric: 'controller CPU time per resync (max)', value: round(Math.max(...own), 1), unit: 'ms' },
    { metric: 'controller CPU per session per resync', value: round((median(own) * 1000) / n, 1), unit: 'µs' },
  ];
}
