/**
 * The order of launches under a burst (issue 21), end to end on virtual time: the real controller
 * against the in-process simulator, with RunTask and launch buckets small enough that every
 * launch waits its turn. Sessions asked before a warm-pool change launch before its batches.
 */
import { describe, expect, it } from 'vitest';
import { BenchWorld, POOL, TEMPLATE } from '../../../bench/support/world.js';
import type { AwsApi, RunTaskInput } from '../../../src/observed/aws-api.js';
import { TAG } from '../../../src/observed/model.js';
import { ecsError } from '../../../src/sim/errors.js';

/** RunTask calls in the order they reached ECS: `session` (its id) or `warm` (batch of n). */
function recordRunTasks(log: string[]): (api: AwsApi) => AwsApi {
  return (api) => ({
    efs: api.efs,
    ecs: new Proxy(api.ecs, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'runTask' || typeof v !== 'function') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        return async (input: RunTaskInput, opts?: { signal?: AbortSignal }) => {
          const out = await (v as (i: RunTaskInput, o?: unknown) => Promise<{ tasks: unknown[] }>).call(target, input, opts);
          if (out.tasks.length > 0) log.push(input.tags?.[TAG.role] === 'warm' ? `warm x${input.count}` : `session ${input.tags?.[TAG.session]}`);
          return out;
        };
      },
    }),
  });
}

/** A world whose controller makes 1 RunTask call per second after a burst of 2, with a small launch bucket. */
function slowWorld(log: string[], launch = { burst: 12, ratePerSec: 1 }): BenchWorld {
  const limits = { buckets: { 'ecs:RunTask': { burst: 2, ratePerSec: 1 }, 'fargate:TaskLaunch': launch } };
  return new BenchWorld({
    seed: 7,
    env: { RECONCILER_RATE_LIMITS: JSON.stringify(limits) },
    sim: { profile: 'instant' },
    wrapApi: recordRunTasks(log),
  });
}

/** Sessions a warm task cannot serve (gateway env): each takes its own launch. */
async function createEnvSessions(w: BenchWorld, n: number, prefix = 's'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = `${prefix}-${i}`;
    ids.push(id);
    await w.store.ensureSession({ id, userId: `u-${id}`, template: TEMPLATE, persistence: 'none', env: { PROJECT: 'p' }, labels: {} });
  }
  return ids;
}

describe('sessions first under a burst (virtual time)', () => {
  it('sessions asked before a pool change launch before its batches, even when their first try failed and they come back later', async () => {
    const log: string[] = [];
    const w = slowWorld(log);
    try {
      w.startController();
      await w.clock.advance(1);
      // The first two RunTask calls fail (ECS 500): those sessions retry after a backoff and reach
      // the rate limit again after the pool's batch is already waiting there.
      w.core.faults.failNext('RunTask', ecsError.server('transient'), 2);
      const ids = await createEnvSessions(w, 4);
      await w.clock.advance(1);
      await w.store.setWarmPool(POOL, TEMPLATE, 20);
      await w.clock.advanceUntil(() => log.filter((l) => l.startsWith('warm')).length >= 2, 120_000);
      expect(log.slice(0, ids.length).sort()).toEqual(ids.map((id) => `session ${id}`));
      expect(log.slice(ids.length)).toEqual(['warm x10', 'warm x10']);
    } finally {
      await w.stop();
    }
  });

  it('a pool batch waiting longer than its yield window goes before sessions asked after that window', async () => {
    const log: string[] = [];
    // A batch of 10 every 40 s: the pool's second batch waits 40 s, beyond the 30 s it yields.
    const w = slowWorld(log, { burst: 10, ratePerSec: 0.25 });
    try {
      w.startController();
      await w.clock.advance(1);
      await w.store.setWarmPool(POOL, TEMPLATE, 40);
      await w.clock.advanceUntil(() => log.length === 1, 60_000);
      await w.clock.advance(35_000);
      // Sessions a warm task cannot serve (gateway env): each takes its own launch.
      const ids = await createEnvSessions(w, 2, 'late');
      await w.clock.advanceUntil(() => log.length >= 5, 200_000);
      expect(log.slice(0, 5)).toEqual(['warm x10', 'warm x10', `session ${ids[0]}`, `session ${ids[1]}`, 'warm x10']);
    } finally {
      await w.stop();
    }
  });
});
