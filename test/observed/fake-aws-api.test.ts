/** What the fake offers beyond the shared contract: lifecycle phases, retention, hooks, counters. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { FakeAwsApi } from '../../src/observed/fake-aws-api.js';
import { awsError } from '../../src/observed/fake-error.js';
import { CLUSTER, runInput, taskDefinitionInput } from './fixtures.js';

async function setup(lifecycle = {}) {
  const clock = new VirtualClock();
  const api = new FakeAwsApi({ clock, lifecycle });
  const td = await api.ecs.registerTaskDefinition(taskDefinitionInput());
  return { clock, api, td };
}

describe('FakeAwsApi', () => {
  it('walks a task through every start and stop phase on the clock', async () => {
    const { clock, api, td } = await setup({ provisioningMs: 100, pendingMs: 100, activatingMs: 100, stoppingMs: 200, stoppedRetentionMs: 1_000 });
    const [t] = (await api.ecs.runTask(runInput(td.arn))).tasks;
    const status = async () => (await api.ecs.describeTasks({ cluster: CLUSTER, tasks: [t!.arn] })).tasks[0]?.lastStatus;
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      seen.push(await status());
      await clock.advance(100);
    }
    await api.ecs.stopTask({ cluster: CLUSTER, task: t!.arn });
    seen.push(await status());
    await clock.advance(100);
    seen.push(await status());
    await clock.advance(100);
    seen.push(await status());
    expect(seen).toEqual(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'STOPPED']);
    expect(t!.privateIp).toBeUndefined();
    await clock.advance(1_000);
    expect(await status()).toBeUndefined();
    expect(api.tasks.all()).toEqual([]);
  });

  it('crash stops a task behind the controller with a stop code', async () => {
    const { api, td } = await setup();
    const [t] = (await api.ecs.runTask(runInput(td.arn))).tasks;
    api.tasks.crash(t!.arn, 'SpotInterruption', 'interrupted');
    expect(api.tasks.all()[0]).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'SpotInterruption', stoppedReason: 'interrupted' });
  });

  it('reports the original tasks on a clientToken conflict', async () => {
    const { api, td } = await setup();
    const first = await api.ecs.runTask(runInput(td.arn, { clientToken: 'tok' }));
    const err = await api.ecs.runTask(runInput(td.arn, { clientToken: 'tok', count: 2 })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ConflictException', $fault: 'client', resourceIds: [first.tasks[0]!.arn] });
  });

  it('rejects RunTask for an unknown or deregistered task definition', async () => {
    const { api, td } = await setup();
    api.taskDefinitions.deregister(td.arn);
    await expect(api.ecs.runTask(runInput(td.arn))).rejects.toMatchObject({ name: 'ClientException' });
    await expect(api.ecs.runTask(runInput('nope'))).rejects.toMatchObject({ name: 'ClientException' });
  });

  it('lists task definitions by prefix, newest first, paged', async () => {
    const { api, td } = await setup();
    const r2 = await api.ecs.registerTaskDefinition(taskDefinitionInput());
    await api.ecs.registerTaskDefinition(taskDefinitionInput({ family: 'other' }));
    const p1 = await api.ecs.listTaskDefinitions({ familyPrefix: 'esr-', sort: 'DESC', maxResults: 1 });
    expect(p1.taskDefinitionArns).toEqual([r2.arn]);
    const p2 = await api.ecs.listTaskDefinitions({ familyPrefix: 'esr-', sort: 'DESC', maxResults: 1, nextToken: p1.nextToken });
    expect(p2).toEqual({ taskDefinitionArns: [td.arn], nextToken: undefined });
  });

  it('counts every call, separates mutating ones, and throws injected failures in order', async () => {
    const { api } = await setup();
    expect(api.calls.snapshot()).toEqual({ 'ecs.registerTaskDefinition': 1 });
    api.calls.reset();
    const boom = awsError('ServerException', 'boom', { fault: 'server' });
    api.calls.failNext('ecs.listTasks', boom, 2);
    await expect(api.ecs.listTasks({ cluster: CLUSTER })).rejects.toBe(boom);
    await expect(api.ecs.listTasks({ cluster: CLUSTER })).rejects.toBe(boom);
    await expect(api.ecs.listTasks({ cluster: CLUSTER })).resolves.toEqual({ taskArns: [], nextToken: undefined });
    expect(api.calls.count('ecs.listTasks')).toBe(3);
    expect(api.calls.mutating()).toBe(0);
    expect(api.calls.total()).toBe(3);
  });

  it('omits tags on describe while the lagging-tags switch is on', async () => {
    const { api, td } = await setup();
    const [t] = (await api.ecs.runTask(runInput(td.arn, { tags: { a: 'b' } }))).tasks;
    api.tasks.omitTagsOnDescribe = true;
    expect((await api.ecs.describeTasks({ cluster: CLUSTER, tasks: [t!.arn] })).tasks[0]!.tags).toEqual({});
    api.tasks.omitTagsOnDescribe = false;
    expect((await api.ecs.describeTasks({ cluster: CLUSTER, tasks: [t!.arn] })).tasks[0]!.tags).toEqual({ a: 'b' });
  });

  it('enforces the access point limit per file system', async () => {
    const api = new FakeAwsApi({ fileSystemIds: ['fs-00000001'], accessPointLimitPerFileSystem: 1 });
    await api.efs.createAccessPoint({ clientToken: 'a', fileSystemId: 'fs-00000001' });
    await expect(api.efs.createAccessPoint({ clientToken: 'b', fileSystemId: 'fs-00000001' })).rejects.toMatchObject({ name: 'AccessPointLimitExceeded' });
    await expect(api.efs.createAccessPoint({ clientToken: 'c', fileSystemId: 'fs-99999999' })).rejects.toMatchObject({ name: 'FileSystemNotFound' });
  });
});
