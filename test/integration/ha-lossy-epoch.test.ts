/**
 * The fencing epoch across a real failover that loses writes, on Sentinel and on Cluster
 * (private deployments on loopback; test/support/lossy-failover.ts makes the writes be lost).
 *
 * While the replica is paused, a leader term is acquired and used (both lost with the old
 * master), and an acquisition that waits for a replica is not acted on. After the promotion a
 * replica that never saw the lost term acquires: its epoch is above every epoch ever handed
 * out, and the lost term's writes are fenced. Readiness (the `{PREFIX}` slot's master accepts a
 * write) is false while that master is dead, and true again after the promotion.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { redisPrimaryCheck } from '../../src/app/health-checks.js';
import { eventually } from '../support/eventually.js';
import { VirtualClock } from '../../src/common/clock.js';
import { LeaderElector, leaseKeys } from '../../src/controller/leader/index.js';
import { isFencedError } from '../../src/desired/errors.js';
import type { RedisLike } from '../../src/desired/lua.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { aStatus } from '../fixtures/builders.js';
import { lossyFailover } from '../support/lossy-failover.js';
import { uniquePrefix } from '../support/redis.js';
import { startTopology, type RedisTopology } from '../support/redis-topology.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
});

const TIMINGS = { leaseMs: 1500, renewDeadlineMs: 1000, retryMs: 200 };

describe.each(['sentinel', 'cluster'] as const)('fencing epoch across a lossy failover on %s', (kind) => {
  it('never goes backwards: the term lost with the old master is below the next one, and its writes are fenced', { timeout: 180_000 }, async () => {
    const topo: RedisTopology = await startTopology(kind);
    cleanups.push(() => topo.stop());
    const prefix = uniquePrefix('esrlossy');
    const tag = `{${prefix}}`;
    const conns: RedisLike[] = [];
    const connect = (env: Record<string, string> = {}): RedisLike => {
      const c = topo.connect({ REDIS_COMMAND_TIMEOUT_MS: '3000', REDIS_WAIT_TIMEOUT_MS: '500', ...env });
      conns.push(c);
      return c;
    };
    cleanups.push(() => conns.forEach((c) => c.disconnect()));
    const electors: LeaderElector[] = [];
    const elector = (identity: string, redis: RedisLike): LeaderElector => {
      const e = new LeaderElector({ redis, prefix, clock: new VirtualClock(), timings: TIMINGS, identity });
      electors.push(e);
      return e;
    };
    cleanups.push(async () => {
      for (const e of electors) await e.stop();
    });
    const store = new RedisDesiredStore({ redis: connect(), prefix });
    await store.ensureSession({ id: 's1', userId: 'u', template: 'shell', persistence: 'none' });

    const first = elector('first', connect()); // waits for a replica (the default on Sentinel and Cluster)
    await first.start();
    expect(first.isLeader()).toBe(true);
    const e1 = first.fencingToken();
    expect((await store.writeStatus('s1', aStatus(), e1)).outcome).toBe('written');

    const check = redisPrimaryCheck(connect(), `${tag}:readyz`);
    const ready = (): Promise<{ ok: boolean; message?: string }> => Promise.resolve().then(check);
    expect((await ready()).ok).toBe(true);
    let readyWhileDown: boolean | undefined;
    let lost = 0;
    let unacknowledged: LeaderElector | undefined;
    const result = await lossyFailover(topo, {
      tag,
      whileStalled: async () => {
        await first.release();
        // A replica without acknowledgement takes a term and writes in it: both die with the master.
        const noWait = elector('lost', connect({ REDIS_WAIT_REPLICAS: '0' }));
        await noWait.start();
        expect(noWait.isLeader()).toBe(true);
        lost = noWait.fencingToken();
        expect(lost).toBeGreaterThan(e1);
        expect((await store.writeStatus('s1', aStatus({ phase: 'Running' }), lost)).outcome).toBe('written');
        await noWait.release();
        // A replica that waits for acknowledgement gets none (the replica is paused): it does not act.
        unacknowledged = elector('waits', connect());
        await unacknowledged.start();
        expect(unacknowledged.isLeader()).toBe(false);
        await unacknowledged.stop();
      },
      afterKill: async () => {
        readyWhileDown = (await ready().catch(() => ({ ok: false }))).ok;
      },
    });
    expect(readyWhileDown).toBe(false);
    await eventually('ready on the promoted master', async () => (await ready().catch(() => ({ ok: false }))).ok, 30_000);
    expect(result.lostWrites).toBe(true);

    const admin = connect({ REDIS_WAIT_REPLICAS: '0' });
    const afterFailover = Number((await admin.get(leaseKeys(prefix).epoch)) ?? 0);
    expect(afterFailover).toBeLessThan(lost); // the store did go back in time
    const fresh = elector('fresh', connect()); // never saw `lost`
    const deadline = Date.now() + 30_000;
    while (!fresh.isLeader() && Date.now() < deadline) {
      if (fresh.getState() === 'idle') await fresh.start();
      else await fresh.tryOnce();
      if (!fresh.isLeader()) await new Promise((r) => setTimeout(r, TIMINGS.retryMs));
    }
    expect(fresh.isLeader()).toBe(true);
    const e3 = fresh.fencingToken();
    const sampled = [e1, lost, e3];
    console.log(`${kind} lossy failover: promotion ${result.promotionMs} ms; epochs handed out ${sampled.join(' -> ')}; epoch in the store after the failover ${afterFailover}`);
    expect(e3).toBeGreaterThan(lost);
    for (const stale of [e1, lost]) {
      expect(isFencedError(await store.writeStatus('s1', aStatus(), stale).catch((e: unknown) => e))).toBe(true);
    }
    expect((await store.writeStatus('s1', aStatus(), e3)).outcome).toBe('written');
  });
});
