import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { TAG } from '../../src/observed/model.js';
import { SnapshotReadError, readSnapshot } from '../../src/observed/snapshot.js';
import { ecsError, efsError } from '../../src/sim/errors.js';
import { simAws } from '../fixtures/sim-aws.js';
import { CLUSTER, OWNER, STARTED_BY, launchSessions, runInput, taskDefinitionInput } from './fixtures.js';

const FS = 'fs-00000000000000001';

function setup() {
  const clock = new VirtualClock();
  const sim = simAws({ clock, fileSystemIds: [FS] });
  return { sim, api: sim.api, clock };
}

describe('readSnapshot', () => {
  it('reads a converged cluster of 250 tasks with ceil(250/100) DescribeTasks and the ListTasks pages only', async () => {
    const { sim, api, clock } = setup();
    await launchSessions(api, 250);
    sim.calls.reset();
    const snap = await readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, clock });
    expect(snap.tasks.size).toBe(250);
    expect(sim.calls.snapshot()).toEqual({ ListTasks: 3 + 1, DescribeTasks: 3 });
    expect(sim.calls.mutating()).toBe(0);
    expect(snap.readAt).toBe(clock.now());
  });

  it("hands back the caller's object for a task that did not change, and a new one for a task that did", async () => {
    const { sim, api, clock } = setup();
    const [a, b] = await launchSessions(api, 2);
    const first = await readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, clock });
    sim.crash(b!.arn);
    const held = new Map(first.tasks);
    const second = await readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, clock, known: (arn) => held.get(arn) });
    expect(second.tasks.get(a!.arn)).toBe(first.tasks.get(a!.arn));
    expect(second.tasks.get(b!.arn)).not.toBe(first.tasks.get(b!.arn));
    expect(second.tasks.get(b!.arn)?.lastStatus).toBe('STOPPED');
    // Without the hook every task is a new object, with the same values.
    const third = await readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, clock });
    expect(third.tasks.get(a!.arn)).not.toBe(first.tasks.get(a!.arn));
    expect(third.tasks.get(a!.arn)).toEqual(first.tasks.get(a!.arn));
  });

  it('includes stopped tasks and tasks of ours whose tags lag, and excludes other startedBy', async () => {
    const { sim, api, clock } = setup();
    const [a] = await launchSessions(api, 1);
    const def = await api.ecs.registerTaskDefinition(taskDefinitionInput());
    // Ours by startedBy, but DescribeTasks shows no tags yet (as while tags lag behind a launch).
    const [b] = (await api.ecs.runTask(runInput(def.arn))).tasks;
    await api.ecs.runTask(runInput(def.arn, { startedBy: 'someone-else' }));
    sim.crash(a!.arn);
    const snap = await readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, clock });
    expect([...snap.tasks.keys()].sort()).toEqual([a!.arn, b!.arn].sort());
    expect(snap.tasks.get(a!.arn)?.lastStatus).toBe('STOPPED');
    expect(snap.tasks.get(a!.arn)?.stopCode).toBe('EssentialContainerExited');
    expect(snap.tasks.get(b!.arn)?.tags).toEqual({});
  });

  it('keeps only access points with our owner tag, paged', async () => {
    const { sim, api, clock } = setup();
    for (let i = 0; i < 150; i++) {
      await api.efs.createAccessPoint({ clientToken: `t${i}`, fileSystemId: FS, tags: { [TAG.owner]: i % 3 === 0 ? 'other' : OWNER } });
    }
    sim.calls.reset();
    const snap = await readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, fileSystemId: FS, clock });
    expect(snap.accessPointsKnown).toBe(true);
    expect(snap.accessPoints.size).toBe(100);
    expect(sim.calls.count('DescribeAccessPoints')).toBe(2);
    expect(sim.calls.count('DescribeTasks')).toBe(0);
  });

  it('keeps the task read when EFS fails, marking access points unknown', async () => {
    const { sim, api, clock } = setup();
    await launchSessions(api, 3);
    sim.failNext('DescribeAccessPoints', efsError.internal('boom'));
    const snap = await readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, fileSystemId: FS, clock });
    expect(snap.tasks.size).toBe(3);
    expect(snap.accessPointsKnown).toBe(false);
    expect(snap.accessPoints.size).toBe(0);
  });

  it('fails the read with context and cause when ECS fails', async () => {
    const { sim, api, clock } = setup();
    await launchSessions(api, 150);
    sim.failNext('DescribeTasks', ecsError.throttling());
    const err = await readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, clock }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SnapshotReadError);
    expect((err as Error).message).toMatch(/DescribeTasks batch \d\/2/);
    expect((err as Error).cause).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
  });

  it('drops a task that vanished between list and describe', async () => {
    const { sim, api, clock } = setup();
    const [a, b] = await launchSessions(api, 2);
    const original = api.ecs.describeTasks;
    api.ecs.describeTasks = (input, opts) => {
      sim.vanish(a!.arn);
      return original(input, opts);
    };
    const snap = await readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, clock });
    expect([...snap.tasks.keys()]).toEqual([b!.arn]);
  });

  it('rejects when the signal is aborted, even if only EFS would notice', async () => {
    const { api, clock } = setup();
    const ac = new AbortController();
    ac.abort(new Error('shutdown'));
    await expect(
      readSnapshot(api, { cluster: CLUSTER, startedBy: STARTED_BY, owner: OWNER, fileSystemId: FS, clock, signal: ac.signal }),
    ).rejects.toThrow(/ListTasks RUNNING page 1/);
  });
});
