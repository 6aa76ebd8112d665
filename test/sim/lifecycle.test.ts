import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { FAST_PROFILE } from '../../src/sim/profiles.js';
import { SUBNETS, registerSessionTaskDef, useHarness } from './harness.js';

describe('task lifecycle over HTTP on virtual time', () => {
  let taskDef: string;
  const h = useHarness({ limits: false }, async (x) => {
    taskDef = await registerSessionTaskDef(x);
  });

  const describeOne = async (arn: string): Promise<Task> => {
    const out = await h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arn], include: ['TAGS'] }));
    expect(out.failures).toEqual([]);
    return out.tasks![0]!;
  };

  it('walks PROVISIONING -> PENDING -> ACTIVATING -> RUNNING with timestamps and an ENI address', async () => {
    const run = await h.clients.ecs.send(
      new RunTaskCommand({ taskDefinition: 'session', launchType: 'FARGATE', networkConfiguration: SUBNETS, startedBy: 'esr', tags: [{ key: 'owner', value: 'esr' }] }),
    );
    const task = run.tasks![0]!;
    expect(task.taskArn).toMatch(/^arn:aws:ecs:us-east-1:123456789012:task\/default\/[0-9a-f]{32}$/);
    expect(task.taskDefinitionArn).toBe(taskDef);
    expect(task.lastStatus).toBe('PROVISIONING');
    expect(task.desiredStatus).toBe('RUNNING');
    expect(task.createdAt).toBeInstanceOf(Date);
    expect(task.createdAt!.getTime()).toBe(h.clock.now());
    expect(task.tags).toEqual([{ key: 'owner', value: 'esr' }]);

    const seen: string[] = [task.lastStatus!];
    for (let i = 0; i < 20 && seen.at(-1) !== 'RUNNING'; i++) {
      await h.clock.advance(5);
      const t = await describeOne(task.taskArn!);
      if (t.lastStatus !== seen.at(-1)) seen.push(t.lastStatus!);
    }
    expect(seen).toEqual(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING']);
    const running = await describeOne(task.taskArn!);
    const maxStart = FAST_PROFILE.provisioningMs.max + FAST_PROFILE.pendingMs.max + FAST_PROFILE.activatingMs.max;
    expect(running.startedAt!.getTime() - running.createdAt!.getTime()).toBeGreaterThanOrEqual(30);
    expect(running.startedAt!.getTime() - running.createdAt!.getTime()).toBeLessThanOrEqual(maxStart);
    const eni = running.attachments![0]!;
    expect(eni.type).toBe('ElasticNetworkInterface');
    expect(eni.status).toBe('ATTACHED');
    const ip = eni.details!.find((d) => d.name === 'privateIPv4Address')!.value;
    expect(ip).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(running.containers![0]!.networkInterfaces![0]!.privateIpv4Address).toBe(ip);
    expect(running.containers![0]!.lastStatus).toBe('RUNNING');
  });

  it('StopTask walks DEACTIVATING -> STOPPING -> DEPROVISIONING -> STOPPED with UserInitiated', async () => {
    const run = await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', networkConfiguration: SUBNETS }));
    const arn = run.tasks![0]!.taskArn!;
    await h.clock.advance(100);
    expect((await describeOne(arn)).lastStatus).toBe('RUNNING');
    const stopped = await h.clients.ecs.send(new StopTaskCommand({ task: arn, reason: 'session ended' }));
    expect(stopped.task!.desiredStatus).toBe('STOPPED');
    expect(stopped.task!.stoppingAt!.getTime()).toBe(h.clock.now());
    const seen: string[] = [stopped.task!.lastStatus!];
    for (let i = 0; i < 30 && seen.at(-1) !== 'STOPPED'; i++) {
      await h.clock.advance(5);
      const t = await describeOne(arn);
      if (t.lastStatus !== seen.at(-1)) seen.push(t.lastStatus!);
    }
    expect(seen).toEqual(['DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
    const t = await describeOne(arn);
    expect(t.stopCode).toBe('UserInitiated');
    expect(t.stoppedReason).toBe('session ended');
    expect(t.stoppedAt!.getTime()).toBeGreaterThan(t.stoppingAt!.getTime());
    expect(t.startedAt).toBeInstanceOf(Date);
    // Stopping a stopped task is a success, not an error.
    const again = await h.clients.ecs.send(new StopTaskCommand({ task: arn }));
    expect(again.task!.lastStatus).toBe('STOPPED');
    expect(again.task!.stoppedReason).toBe('session ended');
  });

  it('keeps STOPPED tasks describable for the retention, then reports them MISSING', async () => {
    const run = await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', networkConfiguration: SUBNETS }));
    const arn = run.tasks![0]!.taskArn!;
    await h.clients.ecs.send(new StopTaskCommand({ task: arn }));
    await h.clock.advance(200);
    const stoppedAt = (await describeOne(arn)).stoppedAt!.getTime();
    await h.clock.runUntil(stoppedAt + FAST_PROFILE.stoppedRetentionMs - 1);
    expect((await describeOne(arn)).lastStatus).toBe('STOPPED');
    await h.clock.advance(1);
    const out = await h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arn] }));
    expect(out.tasks).toEqual([]);
    expect(out.failures).toEqual([{ arn, reason: 'MISSING' }]);
  });
});
