/**
 * API economy of a full read, counted where the calls land (the simulator's stats, in-process
 * and over HTTP): a converged cluster of N tasks costs ceil(N/100) DescribeTasks plus the
 * ListTasks pages (RUNNING and STOPPED) and nothing else.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InflightRefresher } from '../../src/observed/inflight-refresher.js';
import { readSnapshot } from '../../src/observed/snapshot.js';
import { OWNER, STARTED_BY, launchSessions } from './fixtures.js';
import { startSdkOverHttpHarness, startSimInProcessHarness, type AwsApiHarness } from './harnesses.js';

describe.each([
  ['sim in-process', startSimInProcessHarness],
  ['SDK over HTTP to the simulator', startSdkOverHttpHarness],
])('snapshot economy: %s', (_name, start) => {
  let h: AwsApiHarness | undefined;
  afterEach(async () => h?.close());

  it('reads 250 running tasks with 3 DescribeTasks and 3+1 ListTasks pages, no other call', async () => {
    h = await start();
    await launchSessions(h.api, 250);
    await h.clock.advance(10_000);
    h.resetCounts();
    const snap = await readSnapshot(h.api, { cluster: h.cluster, startedBy: STARTED_BY, owner: OWNER, clock: h.clock });
    expect(snap.tasks.size).toBe(250);
    expect([...snap.tasks.values()].every((t) => t.lastStatus === 'RUNNING' && t.tags['esr:owner'] === OWNER)).toBe(true);
    expect(h.count('DescribeTasks')).toBe(Math.ceil(250 / 100));
    expect(h.count('ListTasks')).toBe(3 + 1);
    expect(h.totalCalls()).toBe(3 + 4);
  });

  it('adds only the DescribeAccessPoints pages when a file system is read', async () => {
    h = await start();
    await launchSessions(h.api, 5);
    for (let i = 0; i < 120; i++) {
      await h.api.efs.createAccessPoint({ clientToken: `u${i}`, fileSystemId: h.fileSystemId, tags: { 'esr:owner': i < 60 ? OWNER : 'someone' } });
    }
    h.resetCounts();
    const snap = await readSnapshot(h.api, { cluster: h.cluster, startedBy: STARTED_BY, owner: OWNER, fileSystemId: h.fileSystemId, clock: h.clock });
    expect(snap.accessPointsKnown).toBe(true);
    expect(snap.accessPoints.size).toBe(60);
    expect(h.count('DescribeAccessPoints')).toBe(2);
    expect(h.totalCalls()).toBe(2 + 1 + 2);
  });

  it('keeps the task read through an EFS outage, marking access points unknown', async () => {
    h = await start();
    await launchSessions(h.api, 3);
    h.outage('efs', 60_000);
    const snap = await readSnapshot(h.api, { cluster: h.cluster, startedBy: STARTED_BY, owner: OWNER, fileSystemId: h.fileSystemId, clock: h.clock });
    expect(snap.tasks.size).toBe(3);
    expect(snap.accessPointsKnown).toBe(false);
  });

  it('fails the whole read through an ECS outage', async () => {
    h = await start();
    await launchSessions(h.api, 3);
    h.outage('ecs', 60_000);
    await expect(readSnapshot(h.api, { cluster: h.cluster, startedBy: STARTED_BY, owner: OWNER, clock: h.clock })).rejects.toMatchObject({
      name: 'SnapshotReadError',
      cause: { $fault: 'server' },
    });
  });

  it('the in-flight refresher notices RUNNING without a full read', async () => {
    h = await start();
    const harness = h;
    const tasks = await launchSessions(harness.api, 3);
    const running = new Set<string>();
    const refresher = new InflightRefresher({
      api: harness.api,
      cluster: harness.cluster,
      clock: harness.clock,
      intervalMs: 20,
      onChange: (t) => {
        if (t.lastStatus === 'RUNNING') running.add(t.arn);
      },
    });
    refresher.syncFrom(tasks);
    harness.resetCounts();
    refresher.start();
    await harness.clock.advanceUntil(() => running.size === 3, 5_000);
    await refresher.stop();
    expect(harness.count('ListTasks')).toBe(0);
    expect(harness.totalCalls()).toBe(harness.count('DescribeTasks'));
    expect(refresher.trackedArns()).toEqual([]);
  });
});
