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

  it('at Fargate limits, every task started before the last session\'s serves a session: waiters who lose a claim race keep their place, batches for sessions start no stock', async () => {
    const w = new BenchWorld({ seed: 1 });
    try {
      w.startController();
      await w.clock.advance(1);
      const ids = await createSessions(w.store, 300);
      await w.store.setWarmPool(POOL, TEMPLATE, 20);
      const start = w.clock.now();
      const running = async (): Promise<number> => {
        const snap = await w.store.snapshot();
        return ids.filter((id) => snap.sessions.get(id)?.status?.phase === 'Running').length;
      };
      while (w.clock.now() - start < 120_000 && (await running()) < ids.length) await w.clock.advance(500);
      expect(await running()).toBe(ids.length);
      const snap = await w.store.snapshot();
      expect(ids.filter((id) => snap.sessions.get(id)?.status?.warm === true).length).toBeGreaterThanOrEqual(50);
      const createdAt = new Map(w.core.ecs.tasks.list().map((t) => [t.arn, t.createdAt] as const));
      const served = new Set(ids.map((id) => snap.sessions.get(id)!.status!.taskArn!));
      const lastLaunch = Math.max(...[...served].map((arn) => createdAt.get(arn)!));
      // No launch token before the last session's went to a task no session runs on (pool stock
      // launched at the sessions' place, or a warm task left by a waiter that lost a claim race
      // and launched cold at the back of the line).
      const early = [...createdAt].filter(([, at]) => at <= lastLaunch).map(([arn]) => arn);
      expect(early.filter((arn) => !served.has(arn))).toEqual([]);
      // So the last of 300 launches is at (300 - 100) / 20 = 10 s after the burst, plus under
      // 0.5 s: the burst's first calls carry one cold launch each while the call bucket has room
      // (the greedy rule of warm-on-demand.ts), and a few launch tokens go unused meanwhile.
      expect(lastLaunch - start).toBeLessThanOrEqual(10_500);
    } finally {
      await w.stop();
    }
  });
});
