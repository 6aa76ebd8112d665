/**
 * Scenario 4: drift detection. N converged sessions (production config, Fargate timings and
 * limits); then 1% of their tasks crash at seeded random times within a window. For each kill:
 * virtual time from the stop to the replacement RunTask (first successful RunTask tagged with
 * the session) and to the session's status Running again on a new task. Run twice on the same
 * seed: events off (the controller learns of a stopped task from its periodic resync, default
 * 30 s ±10%, or an in-flight refresh) and events on (ECS task state change events through the
 * simulator's SQS queue at its default delivery delay of 200..1000 ms; resync unchanged), and
 * once more with events on and the resync at 300 s (the trade-off the README describes).
 * API calls: ECS/EFS calls in the window plus 120 s of recovery, against an equally long quiet
 * window before it; SQS calls (long polls, deletes) separately.
 */
import { SeededRng } from '../src/common/rng.js';
import type { AwsApi } from '../src/observed/aws-api.js';
import { SQS_OPERATIONS } from '../src/sim/ops.js';
import type { StatsSnapshot } from '../src/sim/stats.js';
import { median, percentile, round } from './support/stats.js';
import { BenchWorld, convergeSessions, sessionId } from './support/world.js';
import type { BenchResult } from './types.js';

export const name = '4 drift detection (virtual time)';

interface Kill {
  id: string;
  oldArn: string;
  at: number;
  launchedAt?: number;
  runningAt?: number;
}

/** Records, per session, the times of successful RunTask calls. */
export function recordLaunches(api: AwsApi, clock: { now(): number }, onLaunch: (session: string, at: number) => void): AwsApi {
  return {
    efs: api.efs,
    ecs: {
      ...api.ecs,
      runTask: async (input, opts) => {
        const out = await api.ecs.runTask(input, opts);
        const session = input.tags?.['esr:session'];
        if (session && out.tasks.length > 0) onLaunch(session, clock.now());
        return out;
      },
    },
  };
}

export interface DriftResult {
  kills: Kill[];
  /** ECS and EFS calls in the kill window + recovery. */
  windowCalls: number;
  windowMutating: number;
  /** ECS and EFS calls in an equally long quiet window. */
  quietCalls: number;
  /** SQS calls (ReceiveMessage, DeleteMessageBatch) in the kill window + recovery, and in the quiet window. */
  windowSqsCalls: number;
  quietSqsCalls: number;
}

export interface DriftOptions {
  /** Task state change events on (default off). */
  events?: boolean;
  /** RECONCILER_RESYNC_SECONDS (default: the production default, 30). */
  resyncSeconds?: number;
}

/** Calls to SQS in a stats snapshot. */
function sqsCalls(s: StatsSnapshot): number {
  return SQS_OPERATIONS.reduce((n, op) => n + (s.byOperation[op]?.calls ?? 0), 0);
}

export async function measureDrift(sessions: number, windowMs: number, seed: number, o: DriftOptions = {}): Promise<DriftResult> {
  const kills = new Map<string, Kill>();
  let clockRef: { now(): number } = { now: () => 0 };
  const w = new BenchWorld({
    seed,
    events: o.events ?? false,
    ...(o.resyncSeconds !== undefined ? { env: { RECONCILER_RESYNC_SECONDS: String(o.resyncSeconds) } } : {}),
    wrapApi: (api) =>
      recordLaunches(api, { now: () => clockRef.now() }, (id, at) => {
        const k = kills.get(id);
        if (k && k.launchedAt === undefined && at >= k.at) k.launchedAt = at;
      }),
  });
  clockRef = w.clock;
  await convergeSessions(w, sessions);
  await w.clock.advance(60_000); // settle: the pool of in-flight refreshes drains, one resync passes
  const recoveryMs = 120_000; // after the window: the last kills recover
  const s0 = w.core.getStats();
  await w.clock.advance(windowMs + recoveryMs);
  const s1 = w.core.getStats();
  const rng = new SeededRng(seed);
  const count = Math.max(1, Math.round(sessions / 100));
  const victims = new Set<number>();
  while (victims.size < count) victims.add(Math.floor(rng.next() * sessions));
  for (const i of victims) {
    const id = sessionId(i);
    w.clock.setTimer(() => {
      void (async () => {
        const st = (await w.store.readSession(id))?.status;
        if (!st?.taskArn) return;
        const k: Kill = { id, oldArn: st.taskArn, at: w.clock.now() };
        kills.set(id, k);
        await w.store.watchStatus(id, (s) => {
          if (k.runningAt === undefined && s?.phase === 'Running' && s.taskArn !== k.oldArn && s.endpoint) k.runningAt = w.clock.now();
        });
        w.core.crashTask(st.taskArn);
      })();
    }, Math.floor(rng.next() * windowMs));
  }
  await w.clock.advance(windowMs + recoveryMs);
  const s2 = w.core.getStats();
  await w.stop();
  const aws = (s: StatsSnapshot): number => s.total.calls - sqsCalls(s);
  return {
    kills: [...kills.values()],
    windowCalls: aws(s2) - aws(s1),
    windowMutating: s2.total.mutatingCalls - s1.total.mutatingCalls,
    quietCalls: aws(s1) - aws(s0),
    windowSqsCalls: sqsCalls(s2) - sqsCalls(s1),
    quietSqsCalls: sqsCalls(s1) - sqsCalls(s0),
  };
}

interface Figures {
  replaced: string;
  launchP50: number;
  launchP99: number;
  runningP50: number;
  runningP99: number;
  extraPerKill: number;
  quietPerMin: number;
  sqsPerMin: number;
  mutating: number;
}

function figures(r: DriftResult, windowMs: number): Figures {
  const toLaunch = r.kills.filter((k) => k.launchedAt !== undefined).map((k) => (k.launchedAt! - k.at) / 1000);
  const toRunning = r.kills.filter((k) => k.runningAt !== undefined).map((k) => (k.runningAt! - k.at) / 1000);
  const minutes = (windowMs + 120_000) / 60_000;
  return {
    replaced: `${toLaunch.length} / ${toRunning.length} of ${r.kills.length}`,
    launchP50: round(median(toLaunch), 1),
    launchP99: round(percentile(toLaunch, 99), 1),
    runningP50: round(median(toRunning), 1),
    runningP99: round(percentile(toRunning, 99), 1),
    extraPerKill: round((r.windowCalls - r.quietCalls) / Math.max(1, r.kills.length), 1),
    quietPerMin: round(r.quietCalls / minutes, 1),
    sqsPerMin: round(r.quietSqsCalls / minutes, 1),
    mutating: r.windowMutating,
  };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const sessions = quick ? 200 : 1000;
  const windowMs = quick ? 120_000 : 300_000;
  const off = await measureDrift(sessions, windowMs, 4);
  const on = await measureDrift(sessions, windowMs, 4, { events: true });
  const onLong = await measureDrift(sessions, windowMs, 4, { events: true, resyncSeconds: 300 });
  const [a, b, c] = [figures(off, windowMs), figures(on, windowMs), figures(onLong, windowMs)];
  const side = (pick: (f: Figures) => number | string): string => `${pick(a)} | ${pick(b)} | ${pick(c)}`;
  const cols = 'events off (resync 30 s) | events on (resync 30 s) | events on (resync 300 s)';
  return {
    rows: [
      { metric: 'sessions / tasks killed (1%)', value: `${sessions} / ${off.kills.length}`, unit: 'count' },
      { metric: 'kill window', value: windowMs / 1000, unit: 'virtual s' },
      { metric: `columns: ${cols}`, value: '', unit: '' },
      { metric: 'replaced / Running again', value: side((f) => f.replaced), unit: 'count' },
      { metric: 'stop -> replacement launch, p50', value: side((f) => f.launchP50), unit: 'virtual s', target: 'events on: <= 2 s' },
      { metric: 'stop -> replacement launch, p99', value: side((f) => f.launchP99), unit: 'virtual s', target: 'events on: <= 5 s (off: <= resync + jitter)' },
      { metric: 'stop -> Running again, p50', value: side((f) => f.runningP50), unit: 'virtual s' },
      { metric: 'stop -> Running again, p99', value: side((f) => f.runningP99), unit: 'virtual s' },
      { metric: 'ECS calls per minute, quiet', value: side((f) => f.quietPerMin), unit: 'calls/min' },
      { metric: 'extra ECS calls per kill', value: side((f) => f.extraPerKill), unit: 'calls' },
      { metric: 'SQS calls per minute, quiet (long polls)', value: side((f) => f.sqsPerMin), unit: 'calls/min' },
      { metric: 'mutating calls in the kill window + 120 s', value: side((f) => f.mutating), unit: 'calls', target: `~${off.kills.length} (one RunTask per kill)` },
    ],
    notes: [
      'Events on: the simulator delivers each ECS Task State Change 200..1000 ms after the change (its default) into SQS; the controller long-polls (20 s), applies views newer than its cache (ECS version) and enqueues the session. The resync stays the safety net for lost events.',
    ],
  };
}
