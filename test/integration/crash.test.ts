/**
 * Crash test with real processes: a controller is SIGKILLed in the middle of launching 200
 * sessions and restarted with no memory. Intent-before-action and clientToken idempotency must
 * give zero duplicate tasks and every session Running.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectSessionClient } from '../../src/desired/client.js';
import { TAG } from '../../src/observed/model.js';
import { spawnDaemon, type DaemonProcess } from '../support/daemon-process.js';
import { connectTestRedis, deleteByPrefix, uniquePrefix } from '../support/redis.js';
import { eventually, stackEnv, startSim } from '../support/stack.js';

const N = 200;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('SIGKILL during a burst of launches', () => {
  it(`restarts with zero duplicate tasks and all ${N} sessions Running`, async () => {
    const { core, sim } = await startSim();
    const prefix = uniquePrefix('esrcrash');
    const env = stackEnv(sim.url, prefix, {
      RECONCILER_RATE_LIMITS: JSON.stringify({ buckets: { 'ecs:RunTask': { burst: 5, ratePerSec: 40 }, 'fargate:TaskLaunch': { burst: 5, ratePerSec: 40 } } }),
    });
    const client = connectSessionClient({ env, prefix });
    cleanups.push(async () => {
      await client.close();
      await sim.close();
      const redis = connectTestRedis();
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    });
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => client.ensureSession({ id: `k${i + j}`, userId: `u${i + j}`, template: 'shell', persistence: 'none' })));
    }
    const runTasks = (): number => core.getStats().byOperation.RunTask?.calls ?? 0;

    const first: DaemonProcess = spawnDaemon(env);
    cleanups.push(async () => void first.child.kill('SIGKILL'));
    await eventually('the first controller is mid-burst', () => runTasks() >= N / 4, 30_000);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const launchedBeforeKill = runTasks();
    expect(launchedBeforeKill).toBeLessThan(N);

    const second = spawnDaemon(env);
    cleanups.push(async () => {
      second.child.kill('SIGTERM');
      await second.exited;
    });
    await eventually(`all ${N} sessions Running`, async () => {
      const page = await client.listSessions({ limit: 1000 });
      return page.sessions.filter((e) => e.status?.phase === 'Running').length === N;
    }, 60_000);

    const tasks = core.dump().tasks.filter((t) => t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED');
    const perSession = new Map<string, number>();
    for (const t of tasks) perSession.set(t.tags[TAG.session]!, (perSession.get(t.tags[TAG.session]!) ?? 0) + 1);
    const duplicates = [...perSession.values()].filter((n) => n > 1).length;
    const everLaunched = core.dump().tasks.length;
    console.log(`crash: RunTask calls before kill ${launchedBeforeKill}, total ${runTasks()}, tasks ever launched ${everLaunched}, duplicates ${duplicates}`);
    expect(duplicates).toBe(0);
    expect(perSession.size).toBe(N);
    expect(everLaunched).toBe(N);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
