/**
 * The composed stop gate, and ownership at the action: a plan forced to stop a task without our
 * owner tag is refused by the executor (never reaches AWS), and the refusal is counted.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { ControllerCache } from '../../src/controller/cache.js';
import type { ExecutorDeps } from '../../src/controller/execute/context.js';
import { executeAction } from '../../src/controller/execute/execute.js';
import type { StopTaskAction } from '../../src/controller/plan/actions.js';
import { DesiredStateBrake, SafetyStopGate, StopBudget } from '../../src/controller/safety/index.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { TAG } from '../../src/observed/model.js';
import { aPlanConfig, aTask, OWNER } from '../fixtures/builders.js';
import { simAws } from '../fixtures/sim-aws.js';
import { passthroughCall } from '../support/controller-harness.js';

const marker = { schemaVersion: 1, storeId: 's', createdAt: 0 };

function gate(opts: { reachable?: boolean; perMinute?: number } = {}) {
  const clock = new VirtualClock();
  const brake = new DesiredStateBrake({ clock });
  const budget = new StopBudget(clock, opts.perMinute ?? 2);
  let reachable = opts.reachable ?? true;
  const deferred: string[] = [];
  const g = new SafetyStopGate({ brake, budget, redisReachable: () => reachable, retryAfterMs: 3000, onDeferred: (r) => deferred.push(r) });
  return { clock, brake, budget, g, deferred, setReachable: (v: boolean) => (reachable = v) };
}

const stopOf = (taskArn: string): StopTaskAction => ({ type: 'stopTask', key: `orphan:${taskArn}`, sessionId: undefined, taskArn, stopReason: 'test', drift: 'OrphanTask', message: 'forced by the test' });

describe('SafetyStopGate', () => {
  it('checks Redis, then the brake, then the budget; only an allowed stop takes a budget token', () => {
    const { brake, budget, g, deferred, setReachable } = gate();
    setReachable(false);
    expect(g.check(stopOf('t1'))).toMatchObject({ retryAfterMs: 3000, wait: expect.stringMatching(/Redis is unreachable/) });
    setReachable(true);
    brake.observe({ desired: 100, tasks: 100, marker });
    brake.observe({ desired: 0, tasks: 100, marker: undefined });
    expect(g.check(stopOf('t1'))).toMatchObject({ retryAfterMs: 3000, wait: expect.stringMatching(/brake engaged \(marker-missing\)/) });
    expect(budget.available()).toBe(2);
    brake.release();
    expect(g.check(stopOf('t1'))).toBe('allow');
    expect(g.check(stopOf('t2'))).toBe('allow');
    expect(g.check(stopOf('t3'))).toMatchObject({ retryAfterMs: 30_000, wait: 'stop budget of 2/min spent' });
    expect(deferred).toEqual(['redis', 'brake', 'budget']);
    expect(g.counters).toEqual({ stopsAllowed: 2, stopsDeferred: { redis: 1, brake: 1, budget: 1 }, stopsRefusedNotOwned: 0 });
  });

  it('a plan forced to stop a task lacking our owner tag is refused at the action and counted; AWS never sees it', async () => {
    const { clock, g } = gate();
    const sim = simAws({ clock });
    const cache = new ControllerCache(OWNER);
    const foreign = aTask({ session: 'x', extraTags: { [TAG.owner]: 'someone-else' } });
    const untagged = { ...aTask({ session: 'y' }), tags: {} };
    cache.upsertTask(foreign, clock.now());
    cache.upsertTask(untagged, clock.now());
    const planConfig = aPlanConfig();
    const deps: ExecutorDeps = {
      aws: sim.api, status: new MemoryDesiredStore({ clock }), fencingToken: () => 1, cache, call: passthroughCall, clock,
      config: { cluster: 'test', startedBy: 'esr-reconciler', ownerId: OWNER, efsFileSystemId: undefined, templates: planConfig.templates },
      stopGate: g,
      onEvent: (e) => g.observeEvent(e),
    };
    for (const t of [foreign, untagged]) {
      const err = await executeAction(deps, stopOf(t.arn)).catch((e: unknown) => e);
      expect((err as Error).name).toBe('NotOwnedError');
    }
    expect(sim.calls.count('StopTask')).toBe(0);
    expect(g.counters.stopsRefusedNotOwned).toBe(2);
    expect(g.counters.stopsAllowed).toBe(0); // refused before the gate: no budget spent
  });
});
