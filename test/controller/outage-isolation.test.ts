/**
 * Issue #17, scenario 1: an outage of one dependency costs that dependency only breaker probes
 * and jittered backoff, and the other dependency's work goes on. 250 sessions, a 120 s outage of
 * ECS, then of Redis, on virtual time; the controller is wired with the production breakers,
 * rate limits and call guard (as `reconciler run` and the simulation wire them).
 *
 * Bounds (stated here, asserted below):
 * - ECS out for 120 s: ECS sees at most threshold (5) failures plus what was in flight when the
 *   breaker opened (the snapshot's and the refresher's parallel reads: up to 8) plus one probe
 *   per 10 s cooldown (13): <= 26 calls. Redis is read at the resync cadence only (30 s ± 10%:
 *   <= 5 desired snapshots, was 124), and a session written during the outage is read at once
 *   (hints) and gets a status naming the ECS outage.
 * - Redis out for 120 s: Redis sees the desired half's backoff (1 s doubling to 30 s, full
 *   jitter: 9-12 attempts expected, <= 20 asserted), the hints loop's single attempt per recovery
 *   and the work queue's per-key backoff; ECS is read at the resync cadence (<= 5 observed syncs,
 *   each 4 ListTasks pages (RUNNING and STOPPED) + 3 DescribeTasks batches: <= 35 calls, was
 *   496 + 372), and a task that crashed meanwhile is seen in the cache before Redis returns.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SeededRng } from '../../src/common/rng.js';
import type { Controller } from '../../src/controller/controller.js';
import { guardedAwsApi, guardedCallFrom } from '../../src/controller/guarded-aws-api.js';
import { AwsCallGuard, DependencyBreaker, parseRateLimitsConfig, RateLimiterRegistry } from '../../src/controller/resilience/index.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { simAws } from '../fixtures/sim-aws.js';
import { withStoreOutage } from '../fixtures/store-outage.js';
import { simBudgets } from '../simulation/config.js';
import { buildController } from '../support/controller-harness.js';

const SESSIONS = 250;
const OUTAGE_MS = 120_000;
const ECS_READS = ['ListTasks', 'DescribeTasks'] as const;

function setup() {
  const clock = new VirtualClock();
  const aws = simAws({ clock });
  const memory = new MemoryDesiredStore({ clock });
  memory.setLeaderEpoch(1);
  const redis = withStoreOutage(memory);
  const breakers = {
    ecs: new DependencyBreaker({ name: 'ecs', clock, threshold: 5, halfOpenAfterMs: 10_000 }),
    efs: new DependencyBreaker({ name: 'efs', clock, threshold: 5, halfOpenAfterMs: 10_000 }),
  };
  const limits = new RateLimiterRegistry(clock, parseRateLimitsConfig());
  const guard = new AwsCallGuard({ clock, limits, breakers, defaultBudgetMs: simBudgets().defaultMs });
  const call = guardedCallFrom(guard, simBudgets());
  const controller = buildController({ aws: aws.api, store: redis.store, clock, call, overrides: { readApi: guardedAwsApi(aws.api, call), rng: new SeededRng(17) } });
  return { clock, aws, redis, memory, breakers, controller };
}

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop(1000);
});

async function converged(s: ReturnType<typeof setup>): Promise<void> {
  for (let i = 0; i < SESSIONS; i++) await s.memory.ensureSession({ id: `s${i}`, userId: `u${i}`, template: 'shell', persistence: 'none', env: {}, labels: {} });
  running.push(s.controller);
  await s.controller.start();
  await s.clock.advanceUntil(() => [...s.controller.cache.sessions.values()].filter((e) => e.status?.phase === 'Running').length === SESSIONS, 120_000);
  await s.clock.advance(5_000);
}

const ecsReads = (s: ReturnType<typeof setup>): number => ECS_READS.reduce((n, op) => n + s.aws.calls.count(op), 0);

describe('outage isolation (issue #17)', () => {
  it('ECS out for 120 s: ECS gets breaker probes only, Redis its resync cadence, and desired changes are followed', async () => {
    const s = setup();
    await converged(s);
    s.aws.calls.reset();
    s.redis.reset();
    s.aws.core.faults.addOutage('ecs', OUTAGE_MS);
    const start = s.clock.now();
    await s.clock.advanceUntil(() => s.breakers.ecs.state() === 'open', 60_000);
    // A new session during the outage: read from the hints at once, with a status that says why it waits.
    await s.memory.ensureSession({ id: 'late', userId: 'late', template: 'shell', persistence: 'none', env: {}, labels: {} });
    const seenAfter = await s.clock.advanceUntil(() => s.controller.cache.sessions.get('late')?.status?.conditions.some((c) => c.reason === 'EcsUnavailable') === true, 10_000);
    expect(seenAfter).toBeLessThan(10_000);
    await s.clock.advance(start + OUTAGE_MS - s.clock.now());
    const ecsCalls = s.aws.calls.total();
    const snapshots = s.redis.count('snapshot');
    console.log(`ECS outage 120 s: ${ecsCalls} ECS calls (${JSON.stringify(s.aws.calls.snapshot())}), ${snapshots} desired snapshots, ${s.redis.count('followHints')} hint follows`);
    expect(ecsCalls).toBeLessThanOrEqual(26);
    expect(snapshots).toBeLessThanOrEqual(5);
    expect(s.redis.count('followHints')).toBeLessThanOrEqual(3);
    // After the outage everything converges, the late session included.
    await s.clock.advanceUntil(() => s.controller.cache.sessions.get('late')?.status?.phase === 'Running', 120_000);
  }, 120_000);

  it('Redis out for 120 s: Redis gets jittered backoff only, ECS its resync cadence, and ECS reads go on', async () => {
    const s = setup();
    await converged(s);
    s.aws.calls.reset();
    s.redis.reset();
    const victim = s.controller.cache.sessions.get('s7')!.status!.taskArn!;
    s.redis.down = true;
    const start = s.clock.now();
    const observedSyncsBefore = s.controller.observedHalf.attempts;
    await s.clock.advance(5_000);
    s.aws.crash(victim);
    await s.clock.advanceUntil(() => s.controller.cache.tasks.get(victim)?.lastStatus === 'STOPPED', 60_000);
    await s.clock.advance(start + OUTAGE_MS - s.clock.now());
    const reads = ecsReads(s);
    const snapshots = s.redis.count('snapshot');
    console.log(`Redis outage 120 s: ${s.redis.total()} Redis calls (${JSON.stringify(Object.fromEntries(s.redis.calls))}), ${reads} ECS reads (${JSON.stringify(s.aws.calls.snapshot())})`);
    expect(snapshots).toBeGreaterThanOrEqual(3); // it does retry
    expect(snapshots).toBeLessThanOrEqual(20);
    expect(s.redis.count('followHints')).toBeLessThanOrEqual(3);
    expect(s.controller.observedHalf.attempts - observedSyncsBefore).toBeLessThanOrEqual(5);
    expect(reads).toBeLessThanOrEqual(35);
    expect(s.aws.calls.mutating()).toBe(0); // intent before action: nothing launched without Redis
    s.redis.down = false;
    await s.clock.advanceUntil(() => {
      const st = s.controller.cache.sessions.get('s7')?.status;
      return st?.phase === 'Running' && st.taskArn !== victim;
    }, 120_000);
  }, 120_000);
});
