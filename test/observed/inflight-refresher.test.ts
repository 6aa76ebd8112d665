import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { InflightRefresher, isInFlight } from '../../src/observed/inflight-refresher.js';
import type { ObservedTask } from '../../src/observed/model.js';
import { ecsError } from '../../src/sim/errors.js';
import { simAws } from '../fixtures/sim-aws.js';
import { CLUSTER, launchSessions } from './fixtures.js';

const LIFECYCLE = { provisioningMs: 1_000, pendingMs: 2_000, activatingMs: 500, deactivatingMs: 1_000, stoppingMs: 1_000, deprovisioningMs: 1_000 };

function setup(intervalMs = 250) {
  const clock = new VirtualClock();
  const sim = simAws({ clock, lifecycle: LIFECYCLE });
  const api = sim.api;
  const changes: { arn: string; status: string; previous: string | undefined; at: number }[] = [];
  const vanished: string[] = [];
  const errors: unknown[] = [];
  const refresher = new InflightRefresher({
    api,
    cluster: CLUSTER,
    clock,
    intervalMs,
    onChange: (t: ObservedTask, prev) => changes.push({ arn: t.arn, status: t.lastStatus, previous: prev?.lastStatus, at: clock.now() }),
    onVanished: (arn) => vanished.push(arn),
    onError: (e) => errors.push(e),
  });
  return { clock, sim, api, refresher, changes, vanished, errors };
}

describe('InflightRefresher', () => {
  it('notices RUNNING within one interval and then stops refreshing the task', async () => {
    const { clock, sim, api, refresher, changes } = setup();
    const start = clock.now();
    const [task] = await launchSessions(api, 1);
    expect(task?.lastStatus).toBe('PROVISIONING');
    refresher.track(task!);
    refresher.start();
    await clock.advanceUntil(() => changes.some((c) => c.status === 'RUNNING'), 10_000);
    const running = changes.find((c) => c.status === 'RUNNING')!;
    expect(running.at - start).toBeGreaterThanOrEqual(3_500);
    expect(running.at - start).toBeLessThanOrEqual(3_500 + 250);
    expect(changes.map((c) => c.status)).toEqual(['PENDING', 'ACTIVATING', 'RUNNING']);
    expect(refresher.trackedArns()).toEqual([]);
    sim.calls.reset();
    await clock.advance(5_000);
    expect(sim.calls.count('DescribeTasks')).toBe(0);
    await refresher.stop();
  });

  it('reports a stop through to STOPPED', async () => {
    const { clock, api, refresher, changes } = setup();
    const [task] = await launchSessions(api, 1);
    await clock.advance(4_000);
    const stopped = await api.ecs.stopTask({ cluster: CLUSTER, task: task!.arn });
    expect(isInFlight(stopped.task!)).toBe(true);
    refresher.track(stopped.task!);
    refresher.start();
    await clock.advance(3_500);
    expect(changes.map((c) => c.status)).toEqual(['STOPPING', 'DEPROVISIONING', 'STOPPED']);
    expect(refresher.trackedArns()).toEqual([]);
    await refresher.stop();
  });

  it('batches 250 in-flight tasks into 3 DescribeTasks per tick', async () => {
    const { clock, sim, api, refresher } = setup(500);
    const tasks = await launchSessions(api, 250);
    refresher.syncFrom(tasks);
    expect(refresher.trackedArns()).toHaveLength(250);
    sim.calls.reset();
    refresher.start();
    await clock.advance(500);
    expect(sim.calls.snapshot()).toEqual({ DescribeTasks: 3 });
    await refresher.stop();
  });

  it('reports vanished tasks once and keeps going after read errors', async () => {
    const { clock, sim, api, refresher, vanished, errors, changes } = setup();
    const [a, b] = await launchSessions(api, 2);
    refresher.track(a!);
    refresher.track(b!);
    sim.failNext('DescribeTasks', ecsError.throttling());
    refresher.start();
    await clock.advance(250);
    expect(errors).toHaveLength(1);
    sim.vanish(a!.arn);
    await clock.advance(1_000);
    expect(vanished).toEqual([a!.arn]);
    expect(changes.some((c) => c.arn === b!.arn && c.status === 'PENDING')).toBe(true);
    expect(refresher.trackedArns()).toEqual([b!.arn]);
    await refresher.stop();
  });

  it('costs nothing when nothing is in flight, and ignores settled tasks', async () => {
    const { clock, sim, api, refresher } = setup();
    const [task] = await launchSessions(api, 1);
    await clock.advance(10_000);
    const [settled] = (await api.ecs.describeTasks({ cluster: CLUSTER, tasks: [task!.arn] })).tasks;
    refresher.track(settled!);
    sim.calls.reset();
    refresher.start();
    await clock.advance(10_000);
    expect(sim.calls.total()).toBe(0);
    await refresher.stop();
  });

  it('isolates a throwing callback', async () => {
    const clock = new VirtualClock();
    const { api } = simAws({ clock, lifecycle: LIFECYCLE });
    const errors: unknown[] = [];
    const refresher = new InflightRefresher({
      api, cluster: CLUSTER, clock, intervalMs: 100,
      onChange: () => { throw new Error('callback bug'); },
      onError: (e) => errors.push(e),
    });
    const [task] = await launchSessions(api, 1);
    refresher.trackArn(task!.arn);
    expect(await refresher.refreshOnce()).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('describes tasks about to turn RUNNING at the fast cadence once it has seen a few starts, at no cost while none is due', async () => {
    const { clock, sim, api, refresher, changes } = setup(1_000);
    refresher.start();
    // Five starts seen (3.5 s each here) make the estimate: a task is due soon from 3.5 s of age.
    const first = await launchSessions(api, 5);
    for (const t of first) refresher.track(t);
    await clock.advanceUntil(() => refresher.trackedArns().length === 0, 10_000);
    expect(refresher.expectedSoonMs()).toBe(3_500);
    await clock.advance(10_000);
    sim.calls.reset();
    const start = clock.now();
    const [task] = await launchSessions(api, 1);
    refresher.track(task!);
    await clock.advance(3_000);
    // Young tasks are described at the full cadence only (fast ticks with nothing due cost nothing).
    expect(sim.calls.count('DescribeTasks')).toBe(3);
    await clock.advanceUntil(() => changes.some((c) => c.arn === task!.arn && c.status === 'RUNNING'), 10_000);
    const running = changes.find((c) => c.arn === task!.arn && c.status === 'RUNNING')!;
    // RUNNING at 3.5 s is seen within the fast interval (250 ms), not at the 4 s full tick.
    expect(running.at - start).toBeGreaterThanOrEqual(3_500);
    expect(running.at - start).toBeLessThanOrEqual(3_750);
    await refresher.stop();
  });

  it('an ACTIVATING task is due soon without any estimate', async () => {
    const { clock, api, refresher, changes } = setup(1_000);
    const start = clock.now();
    const [task] = await launchSessions(api, 1);
    refresher.track(task!);
    refresher.start();
    await clock.advanceUntil(() => changes.some((c) => c.status === 'RUNNING'), 10_000);
    expect(refresher.expectedSoonMs()).toBeUndefined();
    // ACTIVATING from 3 s (seen at the 3 s full tick), RUNNING at 3.5 s: seen by a fast tick.
    expect(changes.find((c) => c.status === 'RUNNING')!.at - start).toBeLessThanOrEqual(3_750);
    await refresher.stop();
  });
});
