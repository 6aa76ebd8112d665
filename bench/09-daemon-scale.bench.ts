/**
 * Scenario 9: events at scale with the controller in its own process, so its memory is a true
 * RSS. Scenario 8 runs the simulator, the store and the controller in one process on a virtual
 * clock: exact counts, but that process's RSS is not the controller's. Here:
 *
 * - the **daemon** is the real one (`node bin/reconciler.js run`, from `dist/`: `npm run build`),
 *   a child process with production wiring: the Redis desired store (its snapshot and decode
 *   memo), the AWS SDK clients, metrics, leader election off; events on
 *   (RECONCILER_EVENTS_QUEUE_URL), RECONCILER_RESYNC_SECONDS=300, controller rate limits lifted;
 * - the **simulator** serves ECS and SQS over HTTP from this (the benchmark's) process on the
 *   wall clock ('fast' task timings, throttling off, task state change events at their default
 *   delay); **Redis** is the shared one (REDIS_URL, 127.0.0.1:6379, or a private redis-server),
 *   keys under a unique prefix deleted at the end.
 *
 * Steps: (1) an idle daemon (no sessions) is started, its RSS taken once /readyz answers, and
 * stopped. (2) Set-up, not measured: the same wiring in this process with the simulator
 * in-process (no HTTP), events dropped (lossRate 1) and 128 workers converges N cold sessions
 * written through the gateway's client and writes their statuses; through HTTP with events on it
 * managed ~6 sessions/s on a loaded 2-vCPU box (500,000 start-up events behind one long poll).
 * (3) The measured daemon starts and takes over the converged world (its first full sync reads N
 * sessions from Redis and lists and describes N tasks over HTTP; it must adopt every task: the
 * RunTask calls of the take-over are reported, expected 0). (4) Once its
 * `esr_sessions{phase="Running"}` is N and the event queue is empty, 30 s, then `minutes` of
 * wall time in which `kills` tasks crash at seeded times. Reported: ECS and SQS calls per minute
 * (the simulator's counters), the daemon's CPU per minute (utime + stime from /proc/PID/stat: its
 * process only), its RSS (/proc/PID/status VmRSS, sampled every 2 s: at the end and the highest
 * in the window; VmHWM, the peak since its start, first full sync included) and the V8 heap and
 * external memory it reports in its own /metrics at the end.
 *
 * Not counted in the daemon's RSS: the simulator, Redis and this process. The /metrics scrapes
 * (one every 5 s during the take-over, one at the end) are the daemon's work too; none falls in the
 * window. Linux only (/proc). Wall time at 100,000 sessions: ~5 min + `minutes`.
 *
 * Runs only when asked, so neither `npm run bench` nor `--quick` (CI) gets slower:
 *   BENCH_DAEMON_SESSIONS=100000 npm run bench -- --only "9 "
 * BENCH_DAEMON_MINUTES (default 10), BENCH_DAEMON_KILLS (default N/1000) and
 * BENCH_DAEMON_SETUP_MINUTES (the set-up's deadline, default 60) tune it; BENCH_DAEMON_LOG=FILE
 * appends both daemons' output (stdout and stderr, JSON log lines) to FILE. NODE_OPTIONS passes on
 * to the daemon (e.g. --heapsnapshot-signal=SIGUSR2 to look inside it); BENCH_DAEMON_NODE_OPTIONS,
 * when set, replaces it for the daemon alone (e.g. --max-old-space-size=256: a heap cap for the
 * daemon that this process, which holds the set-up world, could not live with). The daemon gets
 * the image's allocator (src/app/malloc-env.ts, as deploy/Dockerfile sets it: jemalloc, which
 * must be on this machine, `apt-get install libjemalloc2`, and glibc's settings), each variable
 * unless this environment sets it; BENCH_DAEMON_MALLOC=glibc-tuned leaves jemalloc out,
 * BENCH_DAEMON_MALLOC=glibc gives glibc's defaults (daemonEnv). The report names the daemon's Node version, NODE_OPTIONS and MALLOC_* variables.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { debianJemallocPath, isAllocatorVariable, JEMALLOC_PATH, MALLOC_ENV } from '../src/app/malloc-env.js';
import { freePort, locateRedis } from '../src/common/local-redis.js';
import { SeededRng } from '../src/common/rng.js';
import { buildDaemon } from '../src/app/daemon.js';
import { loadConfig } from '../src/config/load.js';
import { connectSessionClient } from '../src/desired/client.js';
import { SimAwsApi } from '../src/observed/sim-aws-api.js';
import { SimCore, TASK_EVENTS_QUEUE } from '../src/sim/core.js';
import { startSimServer } from '../src/sim/http-server.js';
import { SQS_OPERATIONS } from '../src/sim/ops.js';
import type { StatsSnapshot } from '../src/sim/stats.js';
import { median, percentile, round } from './support/stats.js';
import { sessionId, TEMPLATE, UNLIMITED_RATE_LIMITS } from './support/world.js';
import type { BenchResult } from './types.js';
import { deleteStoreKeys } from '../src/desired/delete-prefix.js';

export const name = '9 events at scale, the daemon in its own process (real time)';

const MB = 1024 * 1024;
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'reconciler.js');
const DIST_MAIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cmd', 'main.js');

export interface DaemonScaleResult {
  sessions: number;
  setupS: number;
  /** From the measured daemon's start to its /metrics showing N Running (and the event queue empty). */
  takeoverS: number;
  /** RunTask calls the measured daemon made before it saw N Running (0: it adopted every task). */
  takeoverRunTasks: number;
  minutes: number;
  ecsCallsPerMin: number;
  describeTasksPerMin: number;
  listTasksPerMin: number;
  sqsCallsPerMin: number;
  mutatingCalls: number;
  cpuMsPerMin: number;
  kills: number;
  toLaunchS: number[];
  idleRssMb: number;
  rssEndMb: number;
  rssMaxWindowMb: number;
  rssPeakMb: number;
  rssAnonEndMb: number;
  rssFileEndMb: number;
  /**
   * Full observed reads (the resync's ECS half) that finished inside the window: 0 or 1 from the
   * daemon's `esr_full_sync_last_success_timestamp_seconds{half="observed"}` at the end (it keeps
   * only the last), so 1 means "at least one". With none, the RSS figures miss a resync's transient.
   */
  fullResyncInWindow: boolean;
  /** The daemon's Node version and memory settings (memorySettings). */
  daemonSettings: string;
  heapUsedMb: number | undefined;
  heapTotalMb: number | undefined;
  externalMb: number | undefined;
  wallS: number;
}

/** Fields of /proc/PID/status in MB (VmRSS, VmHWM, RssAnon, ...). */
function procStatus(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/status`, 'utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB$/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) / 1024;
  }
  return out;
}

const CLK_TCK = ((): number => {
  const n = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim());
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** User + system CPU of the process in ms (/proc/PID/stat fields 14 and 15). */
function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
}

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return res.text();
}

function metric(text: string, name: string): number | undefined {
  const m = new RegExp(`^${name.replace(/[{}"=]/g, (c) => `\\${c}`)} ([0-9.e+-]+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
}

function ecsCalls(s: StatsSnapshot): number {
  return s.total.calls - SQS_OPERATIONS.reduce((n, op) => n + (s.byOperation[op]?.calls ?? 0), 0);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface DaemonProcess {
  pid: number;
  /** Throws (with the daemon's last output) when it has exited. */
  alive(): void;
  /** SIGTERM, then SIGKILL after 30 s. */
  stop(): Promise<void>;
}

/** BENCH_DAEMON_MALLOC's values: the image's allocator, glibc with the image's settings, glibc's defaults. */
const MALLOC_MODES = ['image', 'glibc-tuned', 'glibc'] as const;

/**
 * The daemon's environment: this process's, then `env`; BENCH_DAEMON_NODE_OPTIONS (when set) as
 * NODE_OPTIONS; and the allocator variables (LD_PRELOAD, MALLOC_*) by BENCH_DAEMON_MALLOC:
 * - `image` (default): the image's (src/app/malloc-env.ts), each where this environment does not
 *   set it, with LD_PRELOAD naming jemalloc where this machine has it (the image's path, else
 *   Debian's: `apt-get install libjemalloc2`); throws when it has none;
 * - `glibc-tuned`: the image's glibc settings without jemalloc (this environment's LD_PRELOAD
 *   and MALLOC_CONF removed too);
 * - `glibc`: no allocator variable at all (glibc's defaults), the benchmark's own removed too.
 * Throws on any other value. `exists` tells whether a file exists (tests replace it).
 */
export function daemonEnv(base: NodeJS.ProcessEnv, env: Record<string, string>, exists: (file: string) => boolean = existsSync): Record<string, string> {
  const mode = base['BENCH_DAEMON_MALLOC'] ?? 'image';
  if (!(MALLOC_MODES as readonly string[]).includes(mode)) throw new Error(`BENCH_DAEMON_MALLOC=${mode}: expected 'image' (the image's allocator, jemalloc, the default), 'glibc-tuned' (glibc with the image's settings) or 'glibc' (glibc's defaults)`);
  const nodeOptions = base['BENCH_DAEMON_NODE_OPTIONS'];
  const allocator: Record<string, string> = {};
  if (mode !== 'glibc') {
    for (const [k, v] of Object.entries(MALLOC_ENV)) if (mode === 'image' || (k !== 'LD_PRELOAD' && k !== 'MALLOC_CONF')) allocator[k] = v;
    if (mode === 'image' && base['LD_PRELOAD'] === undefined) {
      const found = [JEMALLOC_PATH, debianJemallocPath()].find((f) => f !== undefined && exists(f));
      if (!found) throw new Error(`scenario 9 measures the daemon with the image's allocator, jemalloc, and this machine has none at ${JEMALLOC_PATH} or ${debianJemallocPath() ?? "Debian's path"}: apt-get install libjemalloc2, or BENCH_DAEMON_MALLOC=glibc-tuned to measure without it`);
      allocator['LD_PRELOAD'] = found;
    }
  }
  const out: Record<string, string> = { ...allocator };
  const dropped = (k: string): boolean => (mode === 'glibc' && isAllocatorVariable(k)) || (mode === 'glibc-tuned' && (k === 'LD_PRELOAD' || k === 'MALLOC_CONF'));
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !dropped(k)) out[k] = v;
  return { ...out, ...env, ...(nodeOptions !== undefined ? { NODE_OPTIONS: nodeOptions } : {}) };
}

/** The daemon's memory settings as given to it: NODE_OPTIONS and the allocator variables (for the report). */
function memorySettings(env: Record<string, string>): string {
  const parts = Object.entries(env).filter(([k]) => k === 'NODE_OPTIONS' || isAllocatorVariable(k)).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? parts.sort().join(' ') : '(none: V8 and glibc defaults)';
}

function spawnDaemon(env: Record<string, string>): DaemonProcess {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'run'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const logFile = process.env['BENCH_DAEMON_LOG'];
  const keep = (b: Buffer): void => {
    output = (output + b.toString()).slice(-20_000);
    if (logFile) appendFileSync(logFile, b);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = String(code ?? signal);
      resolve();
    }),
  );
  return {
    pid: child.pid!,
    alive: () => {
      if (exited !== undefined) throw new Error(`the daemon exited (${exited}); its last output:\n${output}`);
    },
    stop: async () => {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      await Promise.race([exit, sleep(30_000)]);
      if (exited === undefined) child.kill('SIGKILL');
      await exit;
    },
  };
}

async function waitReady(d: DaemonProcess, port: number): Promise<void> {
  for (const t0 = Date.now(); ; await sleep(500)) {
    d.alive();
    if (Date.now() - t0 > 600_000) throw new Error('the daemon was not ready after 600 s');
    if (await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false)) return;
  }
}

export async function measureDaemonAtScale(opts: { sessions: number; minutes: number; kills: number; setupMinutes: number; log?: (line: string) => void }): Promise<DaemonScaleResult> {
  const { sessions, minutes, kills } = opts;
  const log = opts.log ?? ((l: string) => console.log(`  .. ${l}`));
  const wall0 = Date.now();
  const located = await locateRedis();
  const launches = new Map<string, number>();
  const core = new SimCore({ profile: 'fast', limits: false, taskEvents: true, seed: 9 });
  // Replacement latency: when RunTask for a session returned, read from the simulator's side.
  const inner = core.call.bind(core);
  core.call = (async (op: string, input: unknown, o?: unknown) => {
    const out = await (inner as (op: string, input: unknown, o?: unknown) => Promise<unknown>)(op, input, o);
    if (op === 'RunTask') {
      const tags = (input as { tags?: Array<{ key?: string; value?: string }> }).tags ?? [];
      const session = tags.find((t) => t.key === 'esr:session')?.value;
      if (session) launches.set(session, Date.now());
    }
    return out;
  }) as SimCore['call'];
  const sim = await startSimServer({ core });
  const prefix = `esrbench9-${randomBytes(4).toString('hex')}`;
  const port = await freePort();
  const env: Record<string, string> = {
    REDIS_URL: located.url,
    RECONCILER_REDIS_PREFIX: prefix,
    RECONCILER_CLUSTER: 'bench',
    RECONCILER_TEMPLATES: JSON.stringify({ [TEMPLATE]: { image: 'repo/shell:1', port: 8080, subnets: ['subnet-1'] } }),
    RECONCILER_RATE_LIMITS: UNLIMITED_RATE_LIMITS,
    RECONCILER_RESYNC_SECONDS: '300',
    RECONCILER_EVENTS_QUEUE_URL: core.taskEventsQueueUrl(sim.url)!,
    RECONCILER_LEADER_ELECTION: 'false',
    RECONCILER_HTTP_HOST: '127.0.0.1',
    RECONCILER_HTTP_PORT: String(port),
    RECONCILER_LOG_LEVEL: 'warn',
    AWS_ENDPOINT_URL: sim.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIASIMULATOR000000',
    AWS_SECRET_ACCESS_KEY: 'simulator-secret-key',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  const client = connectSessionClient({ env, prefix });
  let daemon: DaemonProcess | undefined;
  let setupParts: ReturnType<typeof buildDaemon> | undefined;
  try {
    // Idle: the daemon ready with no sessions (then stopped).
    const daemonEnvironment = daemonEnv(process.env, env);
    const idle = spawnDaemon(daemonEnvironment);
    daemon = idle;
    await waitReady(idle, port);
    await sleep(3_000);
    const idleRssMb = procStatus(idle.pid)['VmRSS']!;
    await idle.stop();
    log(`idle daemon (pid ${idle.pid}, ready, no sessions): RSS ${round(idleRssMb, 0)} MB`);

    // Set-up, in this process and not measured: the same wiring with the simulator in-process
    // (no HTTP), more workers and events dropped, converges N sessions and writes their statuses.
    const setup0 = Date.now();
    core.mergeFaults({ taskEvents: { lossRate: 1 } });
    const setupEnv = { ...env, RECONCILER_WORKERS: '128' };
    delete (setupEnv as Record<string, string | undefined>)['RECONCILER_EVENTS_QUEUE_URL'];
    setupParts = buildDaemon(loadConfig(setupEnv), { env: setupEnv, aws: new SimAwsApi(core) });
    await setupParts.controller.start();
    let next = 0;
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < sessions) {
          const i = next++;
          await client.ensureSession({ id: sessionId(i), userId: `u${i}`, template: TEMPLATE, persistence: 'none', env: {}, labels: {} });
        }
      }),
    );
    log(`${sessions} sessions written in ${round((Date.now() - setup0) / 1000, 0)} s; set-up controller converging them`);
    for (let lastLog = Date.now(); ; await sleep(2_000)) {
      if (Date.now() - setup0 > opts.setupMinutes * 60_000) throw new Error(`set-up: not all ${sessions} sessions Running after ${opts.setupMinutes} min`);
      let running = 0;
      for (const e of setupParts!.controller.cache.sessions.values()) if (e.status?.phase === 'Running' && e.status.endpoint) running++;
      if (running >= sessions) break;
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log(`set-up ${round((Date.now() - setup0) / 1000, 0)} s: Running ${running}`);
      }
    }
    await setupParts.controller.stop(5_000);
    await setupParts.close();
    setupParts = undefined;
    core.setFaults({});
    log(`set-up converged ${sessions} sessions in ${round((Date.now() - setup0) / 1000, 0)} s; starting the measured daemon`);

    // The measured daemon: takes over the converged world (first full sync: reads N sessions
    // from Redis, lists and describes N tasks over HTTP).
    const start0 = Date.now();
    const runTasksBefore = core.getStats().byOperation.RunTask?.calls ?? 0;
    daemon = spawnDaemon(daemonEnvironment);
    const pid = daemon.pid;
    await waitReady(daemon, port);
    const queue = core.sqs.ensureQueue(TASK_EVENTS_QUEUE);
    for (let lastLog = 0; ; await sleep(5_000)) {
      daemon.alive();
      if (Date.now() - start0 > opts.setupMinutes * 60_000) throw new Error(`the daemon did not see all ${sessions} sessions Running within ${opts.setupMinutes} min`);
      const running = metric(await scrape(port), 'esr_sessions{phase="Running"}') ?? 0;
      const q = queue.counts();
      if (Date.now() - lastLog > 30_000) {
        lastLog = Date.now();
        log(`daemon ${round((Date.now() - start0) / 1000, 0)} s: Running ${running}, events queued ${q.visible + q.inFlight + q.delayed}, RSS ${round(procStatus(pid)['VmRSS']!, 0)} MB, CPU ${round(procCpuMs(pid) / 1000, 0)} s`);
      }
      if (running >= sessions && q.visible + q.inFlight + q.delayed === 0) break;
    }
    const setupS = (start0 - setup0) / 1000;
    const takeoverS = (Date.now() - start0) / 1000;
    const takeoverRunTasks = (core.getStats().byOperation.RunTask?.calls ?? 0) - runTasksBefore;
    log(`the daemon sees all Running after ${round(takeoverS, 0)} s; settling 30 s, then a ${minutes} min window`);
    await sleep(30_000);

    // The window.
    const windowMs = minutes * 60_000;
    const rng = new SeededRng(9);
    const victims = core
      .dump()
      .tasks.filter((t) => t.tags['esr:session'] && t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING')
      .map((t) => ({ arn: t.taskArn, session: t.tags['esr:session']! }));
    const killed: Array<{ session: string; at: number }> = [];
    const timers: NodeJS.Timeout[] = [];
    for (let i = 0; i < kills && victims.length > 0; i++) {
      const [v] = victims.splice(Math.floor(rng.next() * victims.length), 1);
      timers.push(
        setTimeout(() => {
          killed.push({ session: v!.session, at: Date.now() });
          core.crashTask(v!.arn);
        }, Math.floor(rng.next() * Math.max(1, windowMs - 60_000))),
      );
    }
    const s0 = core.getStats();
    const cpu0 = procCpuMs(pid);
    const w0 = Date.now();
    let rssMaxWindowMb = 0;
    while (Date.now() - w0 < windowMs) {
      daemon.alive();
      rssMaxWindowMb = Math.max(rssMaxWindowMb, procStatus(pid)['VmRSS']!);
      await sleep(Math.min(2_000, Math.max(0, windowMs - (Date.now() - w0))));
    }
    const realMinutes = (Date.now() - w0) / 60_000;
    daemon.alive(); // a daemon that died in the window's last seconds (say at its heap cap) says why
    const cpuMs = procCpuMs(pid) - cpu0;
    const s1 = core.getStats();
    for (const t of timers) clearTimeout(t);
    const status = procStatus(pid);
    rssMaxWindowMb = Math.max(rssMaxWindowMb, status['VmRSS']!);
    const m = await scrape(port);
    const toLaunchS = killed.flatMap((k) => {
      const at = launches.get(k.session);
      return at !== undefined && at >= k.at ? [(at - k.at) / 1000] : [];
    });
    const calls = (s: StatsSnapshot, op: string): number => s.byOperation[op as keyof StatsSnapshot['byOperation']]?.calls ?? 0;
    const optMb = (v: number | undefined): number | undefined => (v === undefined ? undefined : v / MB);
    return {
      sessions,
      setupS,
      takeoverS,
      takeoverRunTasks,
      minutes: realMinutes,
      ecsCallsPerMin: (ecsCalls(s1) - ecsCalls(s0)) / realMinutes,
      describeTasksPerMin: (calls(s1, 'DescribeTasks') - calls(s0, 'DescribeTasks')) / realMinutes,
      listTasksPerMin: (calls(s1, 'ListTasks') - calls(s0, 'ListTasks')) / realMinutes,
      sqsCallsPerMin: (s1.total.calls - ecsCalls(s1) - (s0.total.calls - ecsCalls(s0))) / realMinutes,
      mutatingCalls: s1.total.mutatingCalls - s0.total.mutatingCalls,
      cpuMsPerMin: cpuMs / realMinutes,
      kills: killed.length,
      toLaunchS,
      idleRssMb,
      rssEndMb: status['VmRSS']!,
      rssMaxWindowMb,
      rssPeakMb: status['VmHWM']!,
      rssAnonEndMb: status['RssAnon'] ?? Number.NaN,
      rssFileEndMb: status['RssFile'] ?? Number.NaN,
      fullResyncInWindow: (metric(m, 'esr_full_sync_last_success_timestamp_seconds{half="observed"}') ?? 0) * 1000 >= w0,
      daemonSettings: `node ${process.version}, ${memorySettings(daemonEnvironment)}`,
      heapUsedMb: optMb(metric(m, 'nodejs_heap_size_used_bytes')),
      heapTotalMb: optMb(metric(m, 'nodejs_heap_size_total_bytes')),
      externalMb: optMb(metric(m, 'nodejs_external_memory_bytes')),
      wallS: (Date.now() - wall0) / 1000,
    };
  } finally {
    await daemon?.stop();
    if (setupParts) await setupParts.controller.stop(1_000).then(() => setupParts?.close(), () => setupParts?.close());
    await client.close();
    await sim.close();
    const redis = new Redis(located.url, { maxRetriesPerRequest: 1 });
    await deleteStoreKeys(redis, prefix);
    redis.disconnect();
    await located.stop();
  }
}

export async function run(): Promise<BenchResult> {
  const raw = process.env['BENCH_DAEMON_SESSIONS'];
  if (raw === undefined) {
    return {
      rows: [{ metric: 'not run (real time, minutes)', value: 'skipped', unit: '', target: 'BENCH_DAEMON_SESSIONS=100000 npm run bench -- --only "9 "' }],
      notes: ['Scenario 9 runs only when BENCH_DAEMON_SESSIONS is set (it takes set-up plus 10 minutes of wall time); see its doc comment and docs/performance.md.'],
    };
  }
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 10) throw new Error(`BENCH_DAEMON_SESSIONS must be an integer >= 10, got ${raw}`);
  if (process.platform !== 'linux') throw new Error('scenario 9 reads /proc/PID/{stat,status}: Linux only');
  if (!existsSync(DIST_MAIN)) throw new Error('scenario 9 runs the built daemon: npm run build first');
  const minutes = Number(process.env['BENCH_DAEMON_MINUTES'] ?? 10);
  const kills = Number(process.env['BENCH_DAEMON_KILLS'] ?? Math.max(1, Math.round(n / 1000)));
  const setupMinutes = Number(process.env['BENCH_DAEMON_SETUP_MINUTES'] ?? 60);
  const r = await measureDaemonAtScale({ sessions: n, minutes, kills, setupMinutes });
  const mb = (v: number | undefined): number | string => (v === undefined ? 'n/a' : round(v, 0));
  return {
    rows: [
      { metric: 'converged sessions (events on, resync 300 s)', value: n, unit: 'sessions' },
      { metric: 'set-up (in-process controller, not measured)', value: round(r.setupS, 0), unit: 's (wall)' },
      { metric: 'daemon start -> sees all Running, events drained', value: round(r.takeoverS, 0), unit: 's (wall)' },
      { metric: '  RunTask calls in that take-over', value: r.takeoverRunTasks, unit: 'calls', target: '0 (every task adopted)' },
      { metric: 'window measured / tasks killed in it', value: `${round(r.minutes, 1)} min / ${r.kills}`, unit: '' },
      { metric: 'ECS calls per minute', value: round(r.ecsCallsPerMin, 1), unit: 'calls/min', target: 'reported' },
      { metric: '  of which DescribeTasks / ListTasks', value: `${round(r.describeTasksPerMin, 1)} / ${round(r.listTasksPerMin, 1)}`, unit: 'calls/min', target: `~${round(Math.ceil(n / 100) / 5, 0)} each (ceil(N/100) per 300 s resync) + refreshes` },
      { metric: 'SQS calls per minute (long polls, deletes)', value: round(r.sqsCallsPerMin, 1), unit: 'calls/min' },
      { metric: 'mutating calls in the window', value: r.mutatingCalls, unit: 'calls', target: `~${r.kills} (one RunTask per kill)` },
      { metric: 'stop -> replacement launch, p50 / p99', value: r.toLaunchS.length ? `${round(median(r.toLaunchS), 1)} / ${round(percentile(r.toLaunchS, 99), 1)}` : 'n/a', unit: 's (wall)', target: '<= 2 / <= 5' },
      { metric: 'daemon CPU per minute (its process only)', value: round(r.cpuMsPerMin, 0), unit: 'ms/min', target: 'reported' },
      { metric: 'daemon settings', value: r.daemonSettings, unit: '' },
      { metric: 'daemon RSS, idle (ready, no sessions)', value: round(r.idleRssMb, 0), unit: 'MB' },
      { metric: 'a full resync finished in the window', value: r.fullResyncInWindow ? 'yes' : 'NO', unit: '', target: 'yes (else the RSS figures miss its transient: BENCH_DAEMON_MINUTES >= 5)' },
      { metric: 'daemon RSS at the end of the window', value: round(r.rssEndMb, 0), unit: 'MB', target: '<= 300 MB' },
      { metric: 'daemon RSS, highest in the window', value: round(r.rssMaxWindowMb, 0), unit: 'MB', target: '<= 300 MB' },
      { metric: 'daemon RSS peak since its start (VmHWM: first full sync included)', value: round(r.rssPeakMb, 0), unit: 'MB' },
      { metric: 'daemon at the end: RssAnon / RssFile / V8 heap used / heap total / external', value: `${mb(r.rssAnonEndMb)} / ${mb(r.rssFileEndMb)} / ${mb(r.heapUsedMb)} / ${mb(r.heapTotalMb)} / ${mb(r.externalMb)}`, unit: 'MB' },
      { metric: 'wall time of the scenario', value: round(r.wallS / 60, 1), unit: 'min' },
    ],
    notes: [
      ...(r.fullResyncInWindow ? [] : ['No full resync finished in the window (resync every 300 s from the take-over): its RSS figures are those between resyncs. Run BENCH_DAEMON_MINUTES >= 5 for figures that include one.']),
      'The daemon (`reconciler run`, production wiring with the Redis store) is a process of its own; the simulator (HTTP, wall clock) runs in the benchmark process and Redis in its own, so the RSS, CPU and heap figures are the daemon alone.',
    ],
  };
}
