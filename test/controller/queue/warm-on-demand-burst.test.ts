/**
 * Warm tasks on demand, end to end on virtual time (issue 21): the real controller against the
 * in-process simulator, with a RunTask call bucket tighter than the launch bucket. Sessions a
 * warm task can serve share batched launches and are handed warm tasks; a session with gateway
 * env (content a warm task cannot carry) takes its own launch.
 */
import { describe, expect, it } from 'vitest';
import { BenchWorld, createSessions, POOL, TEMPLATE } from '../../../bench/support/world.js';
import { TAG } from '../../../src/observed/model.js';

describe('warm tasks on demand under a burst (virtual time)', () => {
  it('eligible sessions share batched launches and take warm tasks; a session with gateway env launches its own', async () => {
    const limits = { buckets: { 'ecs:RunTask': { burst: 2, ratePerSec: 0.5 }, 'fargate:TaskLaunch': { burst: 40, ratePerSec: 1 } } };
    const w = new BenchWorld({ seed: 3, env: { RECONCILER_RATE_LIMITS: JSON.stringify(limits) } });
    try {
      w.startController();
      await w.clock.advance(1);
      await w.store.setWarmPool(POOL, TEMPLATE, 0);
      const ids = await createSessions(w.store, 20);
      await w.store.ensureSession({ id: 'with-env', userId: 'u-env', template: TEMPLATE, persistence: 'none', env: { PROJECT: 'p' }, labels: {} });
      const all = [...ids, 'with-env'];
      const running = async (): Promise<number> => {
        const snap = await w.store.snapshot();
        return all.filter((id) => snap.sessions.get(id)?.status?.phase === 'Running').length;
      };
      for (let t = 0; t < 300_000 && (await running()) < all.length; t += 500) await w.clock.advance(500);
      expect(await running()).toBe(all.length);
      const snap = await w.store.snapshot();
      const warm = ids.filter((id) => snap.sessions.get(id)?.status?.warm === true);
      // 21 launches through 2 + 0.5/s calls: one call each would need ~40 s; batches need far fewer.
      expect(warm.length).toBeGreaterThanOrEqual(10);
      expect(snap.sessions.get('with-env')?.status?.warm).toBe(false);
      const tasks = w.core.dump().tasks;
      const envTask = tasks.find((t) => t.taskArn === snap.sessions.get('with-env')?.status?.taskArn);
      expect(envTask?.tags[TAG.role]).toBe('session');
      // Every warm-served session runs a task that was started as a warm task of the pool.
      for (const id of warm) expect(tasks.find((t) => t.taskArn === snap.sessions.get(id)?.status?.taskArn)?.tags[TAG.pool]).toBe(POOL);
      expect(w.core.getStats().byOperation.RunTask?.calls ?? 0).toBeLessThan(all.length);
    } finally {
      await w.stop();
    }
  });

  it('at Fargate limits, every task started in a burst serves a session: waiters who lose a claim race keep their place, batches start no stock', async () => {
    const w = new BenchWorld({ seed: 1 });
    try {
      w.startController();
      await w.clock.advance(1);
      await w.store.setWarmPool(POOL, TEMPLATE, 0);
      const ids = await createSessions(w.store, 200);
      const start = w.clock.now();
      const running = async (): Promise<number> => {
        const snap = await w.store.snapshot();
        return ids.filter((id) => snap.sessions.get(id)?.status?.phase === 'Running').length;
      };
      while (w.clock.now() - start < 120_000 && (await running()) < ids.length) await w.clock.advance(500);
      expect(await running()).toBe(ids.length);
      const snap = await w.store.snapshot();
      const warm = ids.filter((id) => snap.sessions.get(id)?.status?.warm === true);
      expect(warm.length).toBeGreaterThanOrEqual(50);
      // No launch token went to a task no session runs on (stock launched at the sessions' place,
      // or a warm task left behind by a waiter that lost a claim and launched cold at the back).
      expect(w.core.dump().tasks).toHaveLength(ids.length);
      // The last of 200 launches: (200 - 100) / 20 s after the burst, plus a start and a refresh.
      const lastUp = Math.max(...ids.map((id) => snap.sessions.get(id)!.status!.startedAt! - start));
      expect(lastUp).toBeLessThan(5_000 + 6_000);
    } finally {
      await w.stop();
    }
  });
});
