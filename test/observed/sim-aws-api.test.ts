/**
 * What unit tests get from the in-process simulator beyond the shared contract: the instant and
 * exact lifecycles, ECS rules the contract cannot reach through AwsApi (deregistered task
 * definitions), and the test conveniences of test/fixtures/sim-aws.ts (call counts, scripted
 * failures, crash, vanish).
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { ecsError } from '../../src/sim/errors.js';
import type { ExactPhases } from '../../src/sim/profiles.js';
import { simAws } from '../fixtures/sim-aws.js';
import { CLUSTER, runInput, taskDefinitionInput } from './fixtures.js';

async function setup(lifecycle?: ExactPhases) {
  const clock = new VirtualClock();
  const sim = simAws({ clock, lifecycle });
  const td = await sim.api.ecs.registerTaskDefinition(taskDefinitionInput());
  return { clock, sim, api: sim.api, td };
}

describe('in-process simulator for unit tests', () => {
  it('instant profile: the RunTask answer is RUNNING with an address, the StopTask answer STOPPED', async () => {
    const { api, td, clock } = await setup();
    const [t] = (await api.ecs.runTask(runInput(td.arn))).tasks;
    expect(t).toMatchObject({ lastStatus: 'RUNNING', desiredStatus: 'RUNNING', startedAt: clock.now() });
    expect(t!.privateIp).toMatch(/^10\.\d+\.\d+\.\d+$/);
    const stopped = await api.ecs.stopTask({ cluster: CLUSTER, task: t!.arn });
    expect(stopped.task).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'UserInitiated', stoppedAt: clock.now() });
  });

  it('exact profile: walks a task through every start and stop phase on the clock, then forgets it after retention', async () => {
    const { clock, sim, api, td } = await setup({
      provisioningMs: 100, pendingMs: 100, activatingMs: 100, deactivatingMs: 100, stoppingMs: 100, deprovisioningMs: 100, stoppedRetentionMs: 1_000,
    });
    const [t] = (await api.ecs.runTask(runInput(td.arn))).tasks;
    const status = async () => (await api.ecs.describeTasks({ cluster: CLUSTER, tasks: [t!.arn] })).tasks[0]?.lastStatus;
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      seen.push(await status());
      await clock.advance(100);
    }
    await api.ecs.stopTask({ cluster: CLUSTER, task: t!.arn });
    for (let i = 0; i < 4; i++) {
      seen.push(await status());
      await clock.advance(100);
    }
    expect(seen).toEqual(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
    expect(t!.privateIp).toBeUndefined();
    await clock.advance(1_000);
    expect(await status()).toBeUndefined();
    expect(sim.tasks()).toEqual([]);
  });

  it('crash stops a task behind the controller with a stop code', async () => {
    const { sim, api, td } = await setup();
    const [t] = (await api.ecs.runTask(runInput(td.arn))).tasks;
    sim.crash(t!.arn, 'SpotInterruption', 'interrupted');
    expect(sim.tasks()[0]).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'SpotInterruption', stoppedReason: 'interrupted' });
  });

  it('vanish drops a task: DescribeTasks answers MISSING, StopTask finds nothing', async () => {
    const { sim, api, td } = await setup();
    const [t] = (await api.ecs.runTask(runInput(td.arn))).tasks;
    sim.vanish(t!.arn);
    expect(await api.ecs.describeTasks({ cluster: CLUSTER, tasks: [t!.arn] })).toEqual({ tasks: [], failures: [expect.objectContaining({ arn: t!.arn, reason: 'MISSING' })] });
    expect(await api.ecs.stopTask({ cluster: CLUSTER, task: t!.arn })).toEqual({ task: undefined });
    expect(sim.tasks()).toEqual([]);
  });

  it('reports the original tasks on a clientToken conflict', async () => {
    const { api, td } = await setup();
    const first = await api.ecs.runTask(runInput(td.arn, { clientToken: 'tok' }));
    const err = await api.ecs.runTask(runInput(td.arn, { clientToken: 'tok', count: 2 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConflictException', $fault: 'client', resourceIds: [first.tasks[0]!.arn] });
  });

  it('rejects a clientToken outside 1-64 ASCII characters 33-126', async () => {
    const { api, td } = await setup();
    for (const clientToken of ['has space', 'x'.repeat(65), 'ümlaut']) {
      await expect(api.ecs.runTask(runInput(td.arn, { clientToken }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    }
    await expect(api.ecs.runTask(runInput(td.arn, { clientToken: 'x'.repeat(64) }))).resolves.toMatchObject({ failures: [] });
  });

  it('rejects RunTask for an unknown or deregistered task definition, yet a replayed token still returns its task', async () => {
    const { sim, api, td } = await setup();
    const first = await api.ecs.runTask(runInput(td.arn, { clientToken: 'before' }));
    await sim.core.call('DeregisterTaskDefinition', { taskDefinition: td.arn });
    await expect(api.ecs.runTask(runInput(td.arn))).rejects.toMatchObject({ name: 'ClientException' });
    await expect(api.ecs.runTask(runInput('nope'))).rejects.toMatchObject({ name: 'ClientException' });
    const replay = await api.ecs.runTask(runInput(td.arn, { clientToken: 'before' }));
    expect(replay.tasks.map((t) => t.arn)).toEqual(first.tasks.map((t) => t.arn));
    expect((await api.ecs.describeTaskDefinition({ taskDefinition: td.arn })).status).toBe('INACTIVE');
  });

  it('counts every call, separates mutating ones, and throws scripted failures in order', async () => {
    const { sim, api } = await setup();
    expect(sim.calls.snapshot()).toEqual({ RegisterTaskDefinition: 1 });
    sim.calls.reset();
    sim.failNext('ListTasks', ecsError.server('boom'), 2);
    await expect(api.ecs.listTasks({ cluster: CLUSTER })).rejects.toMatchObject({ name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    await expect(api.ecs.listTasks({ cluster: CLUSTER })).rejects.toMatchObject({ name: 'ServerException' });
    await expect(api.ecs.listTasks({ cluster: CLUSTER })).resolves.toEqual({ taskArns: [], nextToken: undefined });
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    sim.failNext('DescribeTasks', refused);
    await expect(api.ecs.describeTasks({ cluster: CLUSTER, tasks: ['f'.repeat(32)] })).rejects.toBe(refused);
    expect(sim.calls.count('ListTasks')).toBe(3);
    expect(sim.calls.mutating()).toBe(0);
    expect(sim.calls.total()).toBe(4);
  });

  it('enforces the access point limit per file system and knows only its file systems', async () => {
    const sim = simAws({ fileSystemIds: ['fs-00000001'], accessPointLimit: 1 });
    await sim.api.efs.createAccessPoint({ clientToken: 'a', fileSystemId: 'fs-00000001' });
    await expect(sim.api.efs.createAccessPoint({ clientToken: 'b', fileSystemId: 'fs-00000001' })).rejects.toMatchObject({ name: 'AccessPointLimitExceeded' });
    await expect(sim.api.efs.createAccessPoint({ clientToken: 'c', fileSystemId: 'fs-99999999' })).rejects.toMatchObject({ name: 'FileSystemNotFound' });
    expect(sim.accessPoints()).toEqual([expect.objectContaining({ fileSystemId: 'fs-00000001', lifeCycleState: 'available' })]);
  });
});
