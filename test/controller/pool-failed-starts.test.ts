/**
 * Issue #17, scenario 2: a warm pool whose tasks always fail to start (simulator fault
 * failToStartRate 1, target 10) stops relaunching: each task that stops before RUNNING counts
 * for the pool's breaker, which opens after 3 in a row; then one probe batch per 60 s cooldown.
 * Was: 57 RunTask calls and 318 tasks in 60 s. Bound here for 60 s: the first batch (10 tasks)
 * plus at most one probe batch per cooldown: <= 2 RunTask calls, <= 20 tasks. The pool status
 * says so (what `reconciler get pools` prints).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import type { Controller } from '../../src/controller/controller.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { poolsTable } from '../../cmd/actions/get-extra.js';
import { formatPoolDescription } from '../../cmd/actions/describe-pool.js';
import { ReconcilerMetrics } from '../../src/metrics/reconciler-metrics.js';
import { aPlanConfig } from '../fixtures/builders.js';
import { simAws } from '../fixtures/sim-aws.js';
import { buildController } from '../support/controller-harness.js';

const lifecycle = { provisioningMs: 1000, pendingMs: 1000, activatingMs: 500, deactivatingMs: 500, stoppingMs: 1000, deprovisioningMs: 500 };

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop(1000);
});

describe('a warm pool that cannot start tasks (issue #17)', () => {
  it('opens its breaker on tasks that stop before RUNNING, probes once per cooldown, and says so in its status', async () => {
    const clock = new VirtualClock();
    const aws = simAws({ clock, lifecycle });
    aws.core.faults.set({ failToStartRate: 1 });
    const store = new MemoryDesiredStore({ clock });
    store.setLeaderEpoch(1);
    const planConfig = aPlanConfig({ pools: { warm: { template: 'shell', maxSize: 20 } } });
    const c = buildController({ aws: aws.api, store, clock, overrides: { planConfig } });
    running.push(c);
    await store.setWarmPool('warm', 'shell', 10);
    await c.start();
    await clock.advance(60_000);
    const runTasks = aws.calls.count('RunTask');
    const tasks = aws.tasks();
    const status = await store.readPoolStatus('warm');
    console.log(`pool failing to start, 60 s: ${runTasks} RunTask calls, ${tasks.length} tasks (${tasks.filter((t) => t.stopCode === 'TaskFailedToStart').length} TaskFailedToStart); status ${JSON.stringify(status?.startFailures)}`);
    expect(runTasks).toBeLessThanOrEqual(2);
    expect(tasks.length).toBeLessThanOrEqual(20);
    expect(c.cache.poolHealth.get('warm')!.breaker.state()).not.toBe('closed');
    expect(status?.startFailures).toMatchObject({ reason: 'TaskFailedToStart', breaker: 'open' });
    expect(status!.startFailures!.consecutive).toBeGreaterThanOrEqual(3);
    const table = poolsTable([(await store.snapshot()).pools.get('warm')!], tasks, planConfig.pools, new Map([['warm', status]]));
    expect(table).toMatch(/cannot start tasks: \d+ failed starts in a row \(TaskFailedToStart\); no batch for/);
    const described = formatPoolDescription('warm', await store.readPool('warm'), status, clock.now());
    expect(described).toMatch(/Starts: +cannot start tasks/);
    expect(described).toMatch(/Last error: warm task .* stopped before RUNNING: TaskFailedToStart: CannotPullContainerError/);
    // The metric the alert EsrWarmPoolCannotStartTasks reads (>= 3 for 5 m).
    const metrics = new ReconcilerMetrics({ version: 'test', defaultMetrics: false });
    metrics.setPoolConfig(planConfig.pools);
    metrics.attachController(c, () => clock.now());
    expect(await metrics.scrape()).toMatch(new RegExp(`esr_warm_pool_failed_starts\\{pool="warm"\\} ${status!.startFailures!.consecutive}\\b`));

    // Starts work again: the next probe batch runs, the breaker closes, the status clears.
    aws.core.faults.set({ failToStartRate: 0 });
    await clock.advanceUntil(() => c.cache.warmTasksOf('warm').filter((t) => t.lastStatus === 'RUNNING').length === 10, 180_000);
    await clock.advance(5_000);
    expect(c.cache.poolHealth.get('warm')!.breaker.state()).toBe('closed');
    expect((await store.readPoolStatus('warm'))?.startFailures).toBeUndefined();
  });
});
