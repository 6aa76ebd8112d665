/**
 * SIGTERM to the leader during a burst of launches (real processes): it exits 0 within the
 * grace period and releases its lease, so the follower takes over at once (well before the lease
 * would expire) and completes the burst with zero duplicate tasks.
 */
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { connectSessionClient } from '../../src/desired/client.js';
import { spawnDaemon, type DaemonProcess } from '../support/daemon-process.js';
import { connectTestRedis, deleteByPrefix, uniquePrefix } from '../support/redis.js';
import { eventually, stackEnv, startSim } from '../support/stack.js';
import { duplicates, HA_ENV, leaderPid, startCountingProxy } from '../leader/support/ha-harness.js';

const N = 150;
const GRACE_MS = 10_000;
const LEASE_MS = Number(HA_ENV.RECONCILER_LEADER_LEASE_MS);
const redis = connectTestRedis();
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  redis.disconnect();
});

describe('graceful shutdown', () => {
  it(`SIGTERM mid-burst of ${N} launches: exit 0 within the grace, the successor finishes with 0 duplicates`, { timeout: 60_000 }, async () => {
    const { core, sim } = await startSim();
    const prefix = uniquePrefix('esrterm');
    const env = stackEnv(sim.url, prefix, {
      ...HA_ENV,
      RECONCILER_SHUTDOWN_GRACE_MS: String(GRACE_MS),
      RECONCILER_RATE_LIMITS: JSON.stringify({ buckets: { 'ecs:RunTask': { burst: 5, ratePerSec: 40 }, 'fargate:TaskLaunch': { burst: 5, ratePerSec: 40 } } }),
    });
    const proxy = await startCountingProxy(sim.url);
    const client = connectSessionClient({ env, prefix });
    const procs: DaemonProcess[] = [];
    cleanups.push(async () => {
      for (const p of procs) p.child.kill('SIGKILL');
      await client.close();
      await proxy.close();
      await sim.close();
      await deleteByPrefix(redis, prefix);
    });
    onTestFailed(() => procs.forEach((p, i) => console.log(`--- replica ${i}:\n${p.output().slice(-4000)}`)));
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => client.ensureSession({ id: `t${i + j}`, userId: `u${i + j}`, template: 'shell', persistence: 'none' })));
    }
    const a = spawnDaemon({ ...env, AWS_ENDPOINT_URL: proxy.url });
    procs.push(a);
    await eventually('a leads', async () => (await leaderPid(redis, prefix)) === a.child.pid, 15_000);
    const b = spawnDaemon(env);
    procs.push(b);
    await eventually('a is mid-burst', () => (proxy.mutating.get('RunTask') ?? 0) >= N / 4, 20_000);
    a.child.kill('SIGTERM');
    const termAt = Date.now();
    const code = await a.exited;
    const exitMs = Date.now() - termAt;
    const byA = proxy.mutating.get('RunTask') ?? 0;
    await eventually('b leads', async () => (await leaderPid(redis, prefix)) === b.child.pid, 10_000);
    const takeoverMs = Date.now() - termAt;
    await eventually(`all ${N} sessions Running`, async () => {
      const page = await client.listSessions({ limit: 1000 });
      return page.sessions.filter((e) => e.status?.phase === 'Running').length === N;
    }, 40_000);
    const d = duplicates(core);
    console.log(`sigterm: exit ${code} after ${exitMs} ms (grace ${GRACE_MS}); successor leading ${takeoverMs - exitMs} ms after the exit (lease ${LEASE_MS}); RunTask by the first ${byA}; duplicates ${d.duplicates}; tasks ever launched ${d.everLaunched}`);
    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS);
    // The lease was released on the way out: the follower did not wait for it to expire.
    expect(a.output()).toMatch(/lost leadership \(released\)/);
    expect(takeoverMs - exitMs).toBeLessThan(LEASE_MS);
    expect(byA).toBeLessThan(N);
    expect(a.output()).not.toMatch(/second signal/);
    expect(d.duplicates).toBe(0);
    expect(d.perSession.size).toBe(N);
    if (d.everLaunched !== N) {
      for (const t of core.dump().tasks.filter((x) => x.lastStatus === 'STOPPED' || x.desiredStatus === 'STOPPED')) console.log(`extra task: ${JSON.stringify({ arn: t.taskArn, tags: t.tags, lastStatus: t.lastStatus, stopCode: t.stopCode, stoppedReason: t.stoppedReason })}`);
    }
    expect(d.everLaunched).toBe(N);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });
});
