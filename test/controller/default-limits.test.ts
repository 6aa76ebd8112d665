/**
 * Issue #17: the default rate limits match AWS's published quotas, so a burst of launches is
 * paced by our own buckets, not by ECS throttling. The simulator models AWS's figures: Fargate
 * RunTask 20 calls/s burst and sustained, Fargate task launches burst 100 refilling 20/s ("AWS
 * Fargate throttling quotas"); EC2 launch type RunTask burst 100 refilling 40/s, no launch bucket
 * (AWS Containers blog, "Under the hood: ... increase task launch rates").
 *
 * 200 sessions through the production guard with the defaults the templates select, on virtual
 * time. Fargate (scenario 5): was 23 ThrottlingExceptions out of 361 calls and 25.5 s with burst
 * 100; now at most 1 and about 10 s (200 launches at 20/s after a burst of 100 = 5 s, plus the
 * task lifecycle). EC2: 100 calls at once, the other 100 at 40/s (2.5 s), plus the lifecycle.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SeededRng } from '../../src/common/rng.js';
import type { Controller } from '../../src/controller/controller.js';
import { guardedAwsApi, guardedCallFrom } from '../../src/controller/guarded-aws-api.js';
import type { PlanConfig } from '../../src/controller/plan/plan-config.js';
import { Parking } from '../../src/controller/queue/index.js';
import { AwsCallGuard, DEFAULT_BUCKETS, defaultBucketsFor, DependencyBreaker, EC2_RUN_TASK_BUCKET, parseRateLimitsConfig, RateLimiterRegistry } from '../../src/controller/resilience/index.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { SimAwsApi } from '../../src/observed/sim-aws-api.js';
import { SimCore } from '../../src/sim/core.js';
import { exactProfile } from '../../src/sim/profiles.js';
import { DEFAULT_LIMITS } from '../../src/sim/throttle.js';
import { aPlanConfig } from '../fixtures/builders.js';
import { simBudgets } from '../simulation/config.js';
import { buildController } from '../support/controller-harness.js';

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop(1000);
});

const shell = aPlanConfig().templates['shell']!;
const FARGATE_TEMPLATES: PlanConfig['templates'] = { shell };
const EC2_TEMPLATES: PlanConfig['templates'] = { shell: { ...shell, capacityProvider: 'ec2-asg' } };

/** Starts 200 sessions of `templates` with the defaults chosen from them; returns the figures. */
async function start200(templates: PlanConfig['templates']): Promise<{ tookMs: number; runTaskCalls: number; runTaskThrottled: number; calls: number; throttled: number }> {
  const clock = new VirtualClock();
  const core = new SimCore({ clock, seed: 5, profile: exactProfile({ provisioningMs: 1000, pendingMs: 1000, activatingMs: 500, deactivatingMs: 500, stoppingMs: 1000, deprovisioningMs: 500 }), fileSystems: ['fs-12345678'] });
  const api = new SimAwsApi(core);
  const store = new MemoryDesiredStore({ clock });
  store.setLeaderEpoch(1);
  const limits = new RateLimiterRegistry(clock, parseRateLimitsConfig({}, templates));
  const breakers = { ecs: new DependencyBreaker({ name: 'ecs', clock }), efs: new DependencyBreaker({ name: 'efs', clock }) };
  const guard = new AwsCallGuard({ clock, limits, breakers, defaultBudgetMs: simBudgets().defaultMs });
  const parking = new Parking();
  const call = guardedCallFrom(guard, simBudgets(), { parking, limits });
  const c = buildController({ aws: api, store, clock, call, templates, overrides: { readApi: guardedAwsApi(api, call), rng: new SeededRng(3), parking, workers: 16 } });
  running.push(c);
  for (let i = 0; i < 200; i++) await store.ensureSession({ id: `s${i}`, userId: `u${i}`, template: 'shell', persistence: 'none', env: {}, labels: {} });
  const start = clock.now();
  await c.start();
  await clock.advanceUntil(() => [...c.cache.sessions.values()].filter((e) => e.status?.phase === 'Running').length === 200, 120_000);
  const run = core.getStats().byOperation.RunTask!;
  const total = core.getStats().total;
  return { tookMs: clock.now() - start, runTaskCalls: run.calls, runTaskThrottled: run.throttled, calls: total.calls, throttled: total.throttled };
}

const show = (kind: string, f: Awaited<ReturnType<typeof start200>>): string =>
  `200 ${kind} sessions with default limits: Running in ${(f.tookMs / 1000).toFixed(1)} s, RunTask ${f.runTaskCalls} calls, ${f.runTaskThrottled} throttled; all calls ${f.calls}, throttled ${f.throttled}`;

describe('default rate limits (issue #17)', () => {
  it("equal AWS's quotas as the simulator models them, Fargate and EC2", () => {
    expect(DEFAULT_BUCKETS['ecs:RunTask']).toEqual({ burst: DEFAULT_LIMITS.actions.RunTask!.burst, ratePerSec: DEFAULT_LIMITS.actions.RunTask!.refillPerSec });
    expect(DEFAULT_BUCKETS['fargate:TaskLaunch']).toEqual({ burst: DEFAULT_LIMITS.taskLaunch.burst, ratePerSec: DEFAULT_LIMITS.taskLaunch.refillPerSec });
    expect(EC2_RUN_TASK_BUCKET).toEqual({ burst: DEFAULT_LIMITS.ec2RunTask.burst, ratePerSec: DEFAULT_LIMITS.ec2RunTask.refillPerSec });
  });

  it('are chosen from the templates: EC2 figures only when every template is on EC2; overrides win', () => {
    const spot = { ...shell, capacityProvider: 'FARGATE_SPOT' };
    const ec2 = EC2_TEMPLATES['shell']!;
    expect(defaultBucketsFor({ a: ec2, b: { ...ec2, capacityProvider: 'other-asg' } })['ecs:RunTask']).toEqual({ burst: 100, ratePerSec: 40 });
    // One account-wide RunTask bucket on our side: with any Fargate template, the tighter Fargate figure.
    expect(defaultBucketsFor({ a: ec2, b: spot })['ecs:RunTask']).toEqual({ burst: 20, ratePerSec: 20 });
    expect(defaultBucketsFor({ a: shell, b: spot })['ecs:RunTask']).toEqual({ burst: 20, ratePerSec: 20 });
    expect(defaultBucketsFor({})['ecs:RunTask']).toEqual({ burst: 20, ratePerSec: 20 });
    expect(parseRateLimitsConfig({}, EC2_TEMPLATES).buckets['ecs:RunTask']).toEqual({ burst: 100, ratePerSec: 40 });
    expect(parseRateLimitsConfig({ buckets: { 'ecs:RunTask': { burst: 7, ratePerSec: 3 } } }, EC2_TEMPLATES).buckets['ecs:RunTask']).toEqual({ burst: 7, ratePerSec: 3 });
    expect(parseRateLimitsConfig({}, EC2_TEMPLATES).buckets['ecs:StopTask']).toEqual(DEFAULT_BUCKETS['ecs:StopTask']);
  });

  it('200 sessions with the simulator throttling on: paced by our buckets, at most 1 ThrottlingException; EC2 faster than Fargate', async () => {
    const fargate = await start200(FARGATE_TEMPLATES);
    console.log(show('Fargate', fargate));
    expect(fargate.runTaskThrottled).toBeLessThanOrEqual(1);
    expect(fargate.tookMs).toBeLessThan(15_000);
    const ec2 = await start200(EC2_TEMPLATES);
    console.log(show('EC2', ec2));
    expect(ec2.runTaskThrottled).toBeLessThanOrEqual(1);
    expect(ec2.tookMs).toBeLessThan(fargate.tookMs);
    // 100 calls at once, 100 at 40/s = 2.5 s, plus the 2.5 s lifecycle: about 5 s. Drawing the
    // Fargate launch bucket (100, then 20/s) for EC2 launches would make it about 7.5 s.
    expect(ec2.tookMs).toBeLessThan(6_000);
  }, 120_000);
});
