/**
 * Issue #17, scenario 5: the default rate limits match AWS's published quotas, so a burst of
 * launches is paced by our own buckets, not by ECS throttling. The simulator models AWS's Fargate
 * figures (RunTask 20 calls/s burst and sustained; task launches burst 100, 20/s). 200 sessions
 * through the production guard with the defaults, on virtual time: was 23 ThrottlingExceptions
 * out of 361 calls and 25.5 s with burst 100; now at most 1 and about 10 s (200 launches at
 * 20/s after a burst of 100 = 5 s, plus the task lifecycle).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SeededRng } from '../../src/common/rng.js';
import type { Controller } from '../../src/controller/controller.js';
import { guardedAwsApi, guardedCallFrom } from '../../src/controller/guarded-aws-api.js';
import { Parking } from '../../src/controller/queue/index.js';
import { AwsCallGuard, DEFAULT_BUCKETS, DependencyBreaker, parseRateLimitsConfig, RateLimiterRegistry } from '../../src/controller/resilience/index.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { SimAwsApi } from '../../src/observed/sim-aws-api.js';
import { SimCore } from '../../src/sim/core.js';
import { exactProfile } from '../../src/sim/profiles.js';
import { DEFAULT_LIMITS } from '../../src/sim/throttle.js';
import { simBudgets } from '../simulation/config.js';
import { buildController } from '../support/controller-harness.js';

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop(1000);
});

describe('default rate limits (issue #17)', () => {
  it("equal AWS's Fargate quotas as the simulator models them", () => {
    expect(DEFAULT_BUCKETS['ecs:RunTask']).toEqual({ burst: DEFAULT_LIMITS.actions.RunTask!.burst, ratePerSec: DEFAULT_LIMITS.actions.RunTask!.refillPerSec });
    expect(DEFAULT_BUCKETS['fargate:TaskLaunch']).toEqual({ burst: DEFAULT_LIMITS.taskLaunch.burst, ratePerSec: DEFAULT_LIMITS.taskLaunch.refillPerSec });
  });

  it('200 sessions with the simulator throttling on: paced by our buckets, at most 1 ThrottlingException', async () => {
    const clock = new VirtualClock();
    const core = new SimCore({ clock, seed: 5, profile: exactProfile({ provisioningMs: 1000, pendingMs: 1000, activatingMs: 500, deactivatingMs: 500, stoppingMs: 1000, deprovisioningMs: 500 }), fileSystems: ['fs-12345678'] });
    const api = new SimAwsApi(core);
    const store = new MemoryDesiredStore({ clock });
    store.setLeaderEpoch(1);
    const limits = new RateLimiterRegistry(clock, parseRateLimitsConfig());
    const breakers = { ecs: new DependencyBreaker({ name: 'ecs', clock }), efs: new DependencyBreaker({ name: 'efs', clock }) };
    const guard = new AwsCallGuard({ clock, limits, breakers, defaultBudgetMs: simBudgets().defaultMs });
    const parking = new Parking();
    const call = guardedCallFrom(guard, simBudgets(), { parking, limits });
    const c = buildController({ aws: api, store, clock, call, overrides: { readApi: guardedAwsApi(api, call), rng: new SeededRng(3), parking, workers: 16 } });
    running.push(c);
    for (let i = 0; i < 200; i++) await store.ensureSession({ id: `s${i}`, userId: `u${i}`, template: 'shell', persistence: 'none', env: {}, labels: {} });
    const start = clock.now();
    await c.start();
    await clock.advanceUntil(() => [...c.cache.sessions.values()].filter((e) => e.status?.phase === 'Running').length === 200, 120_000);
    const took = clock.now() - start;
    const run = core.getStats().byOperation.RunTask!;
    console.log(`200 sessions with default limits: Running in ${(took / 1000).toFixed(1)} s, RunTask ${run.calls} calls, ${run.throttled} throttled; all calls ${core.getStats().total.calls}, throttled ${core.getStats().total.throttled}`);
    expect(run.throttled).toBeLessThanOrEqual(1);
    expect(took).toBeLessThan(15_000);
  }, 120_000);
});
