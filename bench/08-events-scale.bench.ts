/**
 * Scenario 8: task state change events at scale. N converged sessions (set up fast: simulator
 * throttling off, controller limits lifted, 'fast' task profile), events on, the full resync at
 * 300 s (RECONCILER_RESYNC_SECONDS=300, the setting the README suggests with events). Then
 * `minutes` of virtual time in which `kills` tasks crash at seeded times. Reported per minute:
 * ECS calls (resync reads, the kills' replacements), SQS calls, the process CPU time minus the
 * in-process simulator's; the replacement latency of the kills; and memory.
 *
 * Memory: the simulator, the desired store and the controller share this process, so its RSS is
 * an upper bound of the controller's. The controller's own share: the heap a second controller,
 * wired the same way, holds after one full sync of the converged world (its cache of N sessions
 * and N tasks, queue, indexes; measured after a full garbage collection), plus the RSS of a
 * fresh Node process that has loaded the daemon's modules (dist/, when built): an estimate.
 *
 * Size: 5,000 sessions with `--quick` (CI), 20,000 in a full run, BENCH_SCALE_SESSIONS for
 * another. At 100,000 this one process holds the simulator's, the store's and the controller's
 * copies of everything (a run passed 2.7 GB before its set-up finished), so the 100,000 figures,
 * with the controller's true RSS, come from scenario 9 (bench/09-daemon-scale.bench.ts: the real
 * daemon in its own process against the simulator over HTTP).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { SeededRng } from '../src/common/rng.js';
import { SQS_OPERATIONS } from '../src/sim/ops.js';
import type { StatsSnapshot } from '../src/sim/stats.js';
import { recordLaunches } from './04-drift.bench.js';
import { median, percentile, round } from './support/stats.js';
import { BenchWorld, createSessions, sessionId, UNLIMITED_RATE_LIMITS } from './support/world.js';
import type { BenchResult } from './types.js';

export const name = '8 events at scale (virtual time)';

const MB = 1024 * 1024;

export interface ScaleResult {
  sessions: number;
  setupVirtualS: number;
  minutes: number;
  ecsCallsPerMin: number;
  describeTasksPerMin: number;
  sqsCallsPerMin: number;
  mutatingCalls: number;
  cpuMsPerMin: number;
  simMsPerMin: number;
  kills: number;
  toLaunchS: number[];
  rssMb: number;
  heapUsedMb: number;
  /** Heap held by a second controller after one full sync, MB (undefined without a collector). */
  controllerHeapMb: number | undefined;
  /** RSS of a fresh Node process with the daemon's modules loaded, MB (undefined when dist/ is not built). */
  daemonBaseRssMb: number | undefined;
}

const DAEMON_JS = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'app', 'daemon.js');

/** RSS of a fresh `node` that has imported the daemon (its modules, clients' code), MB. */
function daemonBaseRssMb(): number | undefined {
  if (!existsSync(DAEMON_JS)) return undefined;
  const out = spawnSync(process.execPath, ['--expose-gc', '-e', `import(${JSON.stringify(DAEMON_JS)}).then(() => { gc(); console.log(process.memoryUsage().rss); })`], { encoding: 'utf8', timeout: 60_000 });
  const rss = Number(out.stdout.trim());
  return out.status === 0 && rss > 0 ? rss / MB : undefined;
}

/** A full garbage collection, when the runtime lets us ask for one. */
function collector(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

function ecsCalls(s: StatsSnapshot): number {
  return s.total.calls - SQS_OPERATIONS.reduce((n, op) => n + (s.byOperation[op]?.calls ?? 0), 0);
}

/** Converges `sessions`, settles one resync, then measures `minutes` with `kills` crashes. */
export async function measureEventsAtScale(sessions: number, minutes: number, kills: number): Promise<ScaleResult> {
  const launches = new Map<string, number>();
  let clockRef: { now(): number } = { now: () => 0 };
  const w = new BenchWorld({
    seed: 8,
    events: true,
    sim: { limits: false, profile: 'fast' },
    env: { RECONCILER_RATE_LIMITS: UNLIMITED_RATE_LIMITS, RECONCILER_RESYNC_SECONDS: '300' },
    wrapApi: (api) => recordLaunches(api, { now: () => clockRef.now() }, (id, at) => launches.set(id, at)),
  });
  clockRef = w.clock;
  w.startController();
  await w.clock.advance(1);
  await createSessions(w.store, sessions);
  const start = w.clock.now();
  const running = (): number => {
    let n = 0;
    for (const e of w.controller.cache.sessions.values()) if (e.status?.phase === 'Running' && e.status.endpoint) n++;
    return n;
  };
  while (running() < sessions) {
    if (w.clock.now() - start > 3_600_000) throw new Error(`${sessions} sessions not all Running after an hour of virtual time`);
    await w.clock.advance(5_000);
  }
  const setupVirtualS = (w.clock.now() - start) / 1000;
  await w.clock.advance(330_000); // one full resync passes; the start-up's events are drained

  const windowMs = minutes * 60_000;
  const rng = new SeededRng(8);
  const killed: Array<{ id: string; at: number }> = [];
  for (let i = 0; i < kills; i++) {
    const id = sessionId(Math.floor(rng.next() * sessions));
    w.clock.setTimer(() => {
      const arn = w.controller.cache.sessions.get(id)?.status?.taskArn;
      if (!arn || killed.some((k) => k.id === id)) return;
      killed.push({ id, at: w.clock.now() });
      w.core.crashTask(arn);
    }, Math.floor(rng.next() * (windowMs - 60_000)));
  }
  const s0 = w.core.getStats();
  const sim0 = w.simMs;
  const c0 = process.cpuUsage();
  await w.clock.advance(windowMs);
  const c = process.cpuUsage(c0);
  const s1 = w.core.getStats();
  const simMs = w.simMs - sim0;
  const mem = process.memoryUsage();
  const toLaunchS = killed.flatMap((k) => {
    const at = launches.get(k.id);
    return at !== undefined && at >= k.at ? [(at - k.at) / 1000] : [];
  });
  await w.stop();
  const gc = collector();
  let controllerHeapMb: number | undefined;
  if (gc) {
    gc();
    const before = process.memoryUsage().heapUsed;
    const second = w.newController();
    const synced = second.fullSync();
    await w.clock.advance(1_000);
    await synced;
    gc();
    controllerHeapMb = (process.memoryUsage().heapUsed - before) / MB;
    if (second.cache.tasks.size < sessions) throw new Error(`the second controller's full sync saw ${second.cache.tasks.size} tasks, expected >= ${sessions}`);
  }
  const describe = (s: StatsSnapshot): number => s.byOperation.DescribeTasks?.calls ?? 0;
  return {
    sessions,
    setupVirtualS,
    minutes,
    ecsCallsPerMin: (ecsCalls(s1) - ecsCalls(s0)) / minutes,
    describeTasksPerMin: (describe(s1) - describe(s0)) / minutes,
    sqsCallsPerMin: (s1.total.calls - ecsCalls(s1) - (s0.total.calls - ecsCalls(s0))) / minutes,
    mutatingCalls: s1.total.mutatingCalls - s0.total.mutatingCalls,
    cpuMsPerMin: (c.user + c.system) / 1000 / minutes,
    simMsPerMin: simMs / minutes,
    kills: killed.length,
    toLaunchS,
    rssMb: mem.rss / MB,
    heapUsedMb: mem.heapUsed / MB,
    controllerHeapMb,
    daemonBaseRssMb: daemonBaseRssMb(),
  };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  // BENCH_SCALE_SESSIONS: another size (e.g. an intermediate point of the scaling curve).
  // 100,000 sessions: scenario 9 (the daemon in its own process), see the doc comment.
  const n = Number(process.env['BENCH_SCALE_SESSIONS'] ?? (quick ? 5_000 : 20_000));
  if (!Number.isInteger(n) || n < 100) throw new Error(`BENCH_SCALE_SESSIONS must be an integer >= 100, got ${process.env['BENCH_SCALE_SESSIONS']}`);
  const minutes = 10;
  const r = await measureEventsAtScale(n, minutes, quick ? 10 : 100);
  const own = r.cpuMsPerMin - r.simMsPerMin;
  const resyncDescribe = Math.ceil(n / 100) / 5; // a resync's DescribeTasks, spread over its 5 minutes
  return {
    rows: [
      { metric: 'converged sessions (events on, resync 300 s)', value: n, unit: 'sessions' },
      { metric: 'set-up: all Running after', value: round(r.setupVirtualS, 0), unit: 'virtual s' },
      { metric: 'window measured / tasks killed in it', value: `${r.minutes} min / ${r.kills}`, unit: '' },
      { metric: 'ECS calls per minute', value: round(r.ecsCallsPerMin, 1), unit: 'calls/min', target: `reported (a 30 s resync alone would be ~${round((Math.ceil(n / 100) * 2 * 2), 0)}/min)` },
      { metric: '  of which DescribeTasks', value: round(r.describeTasksPerMin, 1), unit: 'calls/min', target: `~${round(resyncDescribe, 0)} (ceil(N/100) per resync, 300 s ±10%) + refreshes` },
      { metric: 'SQS calls per minute (long polls, deletes)', value: round(r.sqsCallsPerMin, 1), unit: 'calls/min' },
      { metric: 'mutating calls in the window', value: r.mutatingCalls, unit: 'calls', target: `~${r.kills} (one RunTask per kill)` },
      { metric: 'stop -> replacement launch, p50 / p99', value: `${round(median(r.toLaunchS), 1)} / ${round(percentile(r.toLaunchS, 99), 1)}`, unit: 'virtual s', target: '<= 2 / <= 5' },
      { metric: 'process CPU per minute', value: round(r.cpuMsPerMin, 0), unit: 'ms/min' },
      { metric: '  of which in the in-process simulator', value: round(r.simMsPerMin, 0), unit: 'ms/min' },
      { metric: 'controller CPU per minute', value: round(own, 0), unit: 'ms/min', target: 'reported' },
      { metric: 'process RSS (controller + simulator + store)', value: round(r.rssMb, 0), unit: 'MB', target: 'controller <= 300 MB' },
      { metric: 'process heap used', value: round(r.heapUsedMb, 0), unit: 'MB' },
      { metric: 'controller heap (a second controller after one full sync)', value: r.controllerHeapMb === undefined ? 'n/a' : round(r.controllerHeapMb, 0), unit: 'MB' },
      { metric: 'fresh Node process with the daemon loaded, RSS', value: r.daemonBaseRssMb === undefined ? 'n/a (npm run build)' : round(r.daemonBaseRssMb, 0), unit: 'MB' },
      {
        metric: 'controller RSS estimate (the two rows above)',
        value: r.controllerHeapMb === undefined || r.daemonBaseRssMb === undefined ? 'n/a' : round(r.controllerHeapMb + r.daemonBaseRssMb, 0),
        unit: 'MB',
        target: '<= 300 MB',
      },
    ],
    notes: [
      'One process holds the simulator (its task records), the desired store and the controller, so the process RSS is an upper bound of the controller alone. The controller estimate adds the heap a second controller holds after one full sync of the same world to the RSS of a fresh Node process that loaded the daemon; it leaves out allocator slack and in-flight buffers.',
    ],
  };
}
