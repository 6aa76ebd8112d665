/**
 * Scenario 4: drift detection. N converged sessions (production config, Fargate timings and
 * limits); then 1% of their tasks crash at seeded random times within a window. For each kill:
 * virtual time from the stop to the replacement RunTask (first successful RunTask tagged with
 * the session) and to the session's status Running again on a new task. The controller learns of
 * a stopped task from its periodic resync (default 30 s, ±10%) or an in-flight refresh; there is
 * no event stream. API calls: those in the window plus 120 s of recovery, against an equally long
 * quiet window before it.
 */
import { SeededRng } from '../src/common/rng.js';
import type { AwsApi } from '../src/observed/aws-api.js';
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
function recordLaunches(api: AwsApi, clock: { now(): number }, onLaunch: (session: string, at: number) => void): AwsApi {
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
  windowCalls: number;
  windowMutating: number;
  quietCalls: number;
}

export async function measureDrift(sessions: number, windowMs: number, seed: number): Promise<DriftResult> {
  const kills = new Map<string, Kill>();
  let clockRef: { now(): number } = { now: () => 0 };
  const w = new BenchWorld({
    seed,
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
  const s0 = w.core.getStats().total;
  await w.clock.advance(windowMs + recoveryMs);
  const s1 = w.core.getStats().total;
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
  const s2 = w.core.getStats().total;
  await w.stop();
  return { kills: [...kills.values()], windowCalls: s2.calls - s1.calls, windowMutating: s2.mutatingCalls - s1.mutatingCalls, quietCalls: s1.calls - s0.calls };
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const sessions = quick ? 200 : 1000;
  const windowMs = quick ? 120_000 : 300_000;
  const r = await measureDrift(sessions, windowMs, 4);
  const toLaunch = r.kills.filter((k) => k.launchedAt !== undefined).map((k) => (k.launchedAt! - k.at) / 1000);
  const toRunning = r.kills.filter((k) => k.runningAt !== undefined).map((k) => (k.runningAt! - k.at) / 1000);
  return [
    { metric: 'sessions / tasks killed (1%)', value: `${sessions} / ${r.kills.length}`, unit: 'count' },
    { metric: 'kill window', value: windowMs / 1000, unit: 'virtual s' },
    { metric: 'replaced / Running again', value: `${toLaunch.length} / ${toRunning.length}`, unit: 'count', target: `${r.kills.length} / ${r.kills.length}` },
    { metric: 'stop -> replacement launch, p50', value: round(median(toLaunch), 1), unit: 'virtual s' },
    { metric: 'stop -> replacement launch, p99', value: round(percentile(toLaunch, 99), 1), unit: 'virtual s', target: '<= resync period (30 s) + jitter' },
    { metric: 'stop -> Running again, p50', value: round(median(toRunning), 1), unit: 'virtual s' },
    { metric: 'stop -> Running again, p99', value: round(percentile(toRunning, 99), 1), unit: 'virtual s' },
    { metric: 'AWS calls in the kill window + 120 s', value: r.windowCalls, unit: 'calls' },
    { metric: 'AWS calls in an equally long quiet window', value: r.quietCalls, unit: 'calls' },
    { metric: 'extra AWS calls per kill', value: round((r.windowCalls - r.quietCalls) / Math.max(1, r.kills.length), 1), unit: 'calls' },
    { metric: 'mutating calls in the kill window + 120 s', value: r.windowMutating, unit: 'calls', target: `~${r.kills.length} (one RunTask per kill)` },
  ];
}
