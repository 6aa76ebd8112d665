/**
 * Keeps the benchmark code from rotting: every scenario's measurement runs at a tiny size and
 * its result is checked for shape and sanity (counts, completion), never for timings or targets.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { convergenceRun } from '../../bench/support/convergence.js';
import { optimalWaits, theoreticalMinimum } from '../../bench/support/limits.js';
import { measurePlan } from '../../bench/support/plan-scaling.js';
import { renderReport } from '../../bench/support/report.js';
import { median, percentile } from '../../bench/support/stats.js';
import { measureSteadyState } from '../../bench/03-steady-state.bench.js';
import { measureDrift } from '../../bench/04-drift.bench.js';
import { measureEventsAtScale } from '../../bench/08-events-scale.bench.js';
import { measureOutage } from '../../bench/05-outage.bench.js';
import { measureWarmClaims } from '../../bench/07-warm-claim.bench.js';
import { DEFAULT_LIMITS } from '../../src/sim/throttle.js';
import { FARGATE_PROFILE } from '../../src/sim/profiles.js';
import { testRedisUrl } from '../support/redis.js';

describe('benchmark scenarios at a tiny size', () => {
  it('every bench/*.bench.ts module exports a name and a run function', async () => {
    const dir = path.resolve(import.meta.dirname, '../../bench');
    const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts'));
    expect(files.length).toBeGreaterThanOrEqual(9);
    for (const f of files) {
      const mod = (await import(path.join(dir, f))) as { name?: unknown; run?: unknown };
      expect(typeof mod.name, f).toBe('string');
      expect(typeof mod.run, f).toBe('function');
    }
  });

  it('theoretical minimum: the formula of the issue (1000 + 200 under Fargate limits)', () => {
    const m = theoreticalMinimum(1000, 200, DEFAULT_LIMITS, FARGATE_PROFILE);
    expect(m).toMatchObject({ launches: 1200, runTaskCalls: 1020, launchBoundS: 55, callBoundS: 50, startS: 3.6 });
    expect(m.totalS).toBeCloseTo(58.6);
  });

  it('optimal waits: sessions first, batched (launch bucket binds) and one call per session (RunTask bucket binds)', () => {
    const batched = optimalWaits(1000, DEFAULT_LIMITS, FARGATE_PROFILE);
    expect(batched).toHaveLength(1000);
    // The first 100 tasks fit the launch burst; task i then waits (i - 100) / 20 s; + 3.6 s start.
    expect(batched[99]).toBeCloseTo(3.6);
    expect(batched[999]).toBeCloseTo(900 / 20 + 3.6);
    expect(batched.reduce((a, b) => a + b, 0) / 1000).toBeCloseTo(((900 * 901) / 2 / 20) / 1000 + 3.6, 6);
    const perCall = optimalWaits(1000, DEFAULT_LIMITS, FARGATE_PROFILE, { perCall: true });
    expect(perCall[19]).toBeCloseTo(3.6);
    expect(perCall[20]).toBeCloseTo(1 / 20 + 3.6);
    expect(perCall.reduce((a, b) => a + b, 0) / 1000).toBeCloseTo(((980 * 981) / 2 / 20) / 1000 + 3.6, 6);
  });

  it('median and nearest-rank percentiles', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 99)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });

  it('1+2: the controller and the naive baseline both converge on the same scenario', async () => {
    const p = { sessions: 20, pool: 10, seed: 1, stepMs: 1000, maxMs: 120_000 };
    const ctl = await convergenceRun('controller', p);
    const naive = await convergenceRun('naive', p);
    for (const r of [ctl, naive]) {
      expect(r.convergedMs).toBeGreaterThan(0);
      expect(r.samples.at(-1)).toMatchObject({ running: 20 });
      expect(r.waitsMs).toHaveLength(20);
      expect(Math.max(...r.waitsMs)).toBeLessThanOrEqual(r.convergedMs!);
      expect(Math.min(...r.waitsMs)).toBeGreaterThan(0);
      expect(r.stats.total.calls).toBeGreaterThan(0);
    }
    expect(await convergenceRun('controller', p)).toBe(ctl); // memoised: scenario 2 reuses scenario 1's runs
  }, 60_000);

  it('3: steady state counts calls per resync', async () => {
    const r = await measureSteadyState(50, 2, 10);
    expect(r.periods).toBe(2);
    expect(r.cpuMsPerResync).toHaveLength(2);
    expect(r.describePerResync).toBeGreaterThan(0);
  }, 60_000);

  it('4: drift kills 1% and sees each replaced, with events off and on', async () => {
    for (const events of [false, true]) {
      const r = await measureDrift(100, 30_000, 4, { events });
      expect(r.kills).toHaveLength(1);
      expect(r.kills[0]!.launchedAt).toBeGreaterThan(r.kills[0]!.at);
      expect(r.kills[0]!.runningAt).toBeGreaterThan(r.kills[0]!.at);
      if (events) expect(r.windowSqsCalls).toBeGreaterThan(0);
      else expect(r.windowSqsCalls).toBe(0);
    }
  }, 60_000);

  it('8: events at scale measures calls, CPU, replacements and memory', async () => {
    const r = await measureEventsAtScale(200, 2, 2);
    expect(r.kills).toBe(2);
    expect(r.toLaunchS).toHaveLength(2);
    expect(r.sqsCallsPerMin).toBeGreaterThan(0);
    expect(r.controllerHeapMb).toBeGreaterThan(0);
    expect(r.rssMb).toBeGreaterThan(0);
  }, 120_000);

  it('5: outage counts the calls that reached ECS and the recovery', async () => {
    const r = await measureOutage(50, 20_000, 5);
    expect(r.callsDuringOutage).toBeGreaterThan(0);
    expect(r.recoveryMs).toBeGreaterThan(0);
  }, 60_000);

  it('6: plan over converged sessions plans nothing', () => {
    const r = measurePlan(200, 2);
    expect(r).toMatchObject({ sessions: 200, plansWithActions: 0 });
    expect(r.runsMs).toHaveLength(2);
  });

  it('7: warm claims over real Redis are served from the pool', async () => {
    process.env.REDIS_URL ??= testRedisUrl();
    const r = await measureWarmClaims(5, 5);
    expect(r.latenciesMs).toHaveLength(5);
    expect(r.warmHits).toBe(5);
  }, 60_000);

  it('the report lists every row and links every chart', () => {
    const md = renderReport({ when: 'now', quick: true, machine: { cpus: 2, cpuModel: 'x', memGiB: 4, node: 'v20' } }, [
      { name: 'one', rows: [{ metric: 'a|b', value: 1, unit: 's', target: '<= 2' }], charts: [{ id: 'c1', title: 'T', xLabel: 'x', yLabel: 'y', series: [] }], notes: ['n'] },
    ]);
    expect(md).toContain('## one');
    expect(md).toContain('| a\\|b | 1 | s | <= 2 |');
    expect(md).toContain('![T](c1.svg)');
    expect(md).toContain('- n');
  });
});
