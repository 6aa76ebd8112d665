import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { CreateAccessPointCommand } from '@aws-sdk/client-efs';
import { isThrottlingError } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import { SUBNETS, registerSessionTaskDef, useHarness } from './harness.js';

describe('throttling over HTTP', () => {
  const h = useHarness(
    {
      limits: {
        defaultAction: { burst: 5, refillPerSec: 1 },
        actions: { ListTasks: { burst: 5, refillPerSec: 1 }, RunTask: { burst: 20, refillPerSec: 20 }, CreateAccessPoint: { burst: 2, refillPerSec: 1 } },
        taskLaunch: { burst: 100, refillPerSec: 20 },
      },
    },
    (x) => registerSessionTaskDef(x),
  );

  it('answers ThrottlingException past the burst, which the SDK classifies as throttling, and refills over time', async () => {
    for (let i = 0; i < 5; i++) await h.clients.ecs.send(new ListTasksCommand({}));
    const err = await h.clients.ecs.send(new ListTasksCommand({})).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    expect(isThrottlingError(err as Parameters<typeof isThrottlingError>[0])).toBe(true);
    // Other actions have their own buckets.
    await expect(h.clients.ecs.send(new DescribeTasksCommand({ tasks: ['a'.repeat(32)] }))).resolves.toBeDefined();
    await h.clock.advance(1000);
    await expect(h.clients.ecs.send(new ListTasksCommand({}))).resolves.toBeDefined();
    await expect(h.clients.ecs.send(new ListTasksCommand({}))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(h.core.getStats().byOperation.ListTasks).toMatchObject({ calls: 8, ok: 6, throttled: 2 });
  });

  it('limits Fargate task launches to a burst of 100 refilling at 20/s', async () => {
    let launched = 0;
    for (let i = 0; i < 10; i++) {
      launched += (await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', count: 10, networkConfiguration: SUBNETS }))).tasks!.length;
    }
    expect(launched).toBe(100);
    const err = await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', count: 1, networkConfiguration: SUBNETS })).catch((e: unknown) => e);
    expect(isThrottlingError(err as Parameters<typeof isThrottlingError>[0])).toBe(true);
    await h.clock.advance(500); // 10 launch tokens and 10 RunTask call tokens back
    const out = await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', count: 10, networkConfiguration: SUBNETS }));
    expect(out.tasks).toHaveLength(10);
  });

  it('EC2 launches: RunTask bursts 100 calls refilling 40/s, no Fargate launch bucket, tasks of launch type EC2', async () => {
    // AWS Containers blog, "Under the hood: Amazon Elastic Container Service and AWS Fargate increase task launch rates".
    const ec2 = { taskDefinition: 'session', networkConfiguration: SUBNETS, capacityProviderStrategy: [{ capacityProvider: 'ec2-asg', weight: 1 }] };
    const arns: string[] = [];
    for (let i = 0; i < 100; i++) arns.push(...(await h.clients.ecs.send(new RunTaskCommand({ ...ec2, count: 10 }))).tasks!.map((t) => t.taskArn!));
    expect(arns).toHaveLength(1000); // Fargate's launch bucket (100 tasks) would have refused the 11th call
    await expect(h.clients.ecs.send(new RunTaskCommand({ ...ec2, count: 1 }))).rejects.toMatchObject({ name: 'ThrottlingException' });
    const described = await h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arns[0]!] }));
    expect(described.tasks![0]).toMatchObject({ launchType: 'EC2', capacityProviderName: 'ec2-asg' });
    expect(described.tasks![0]!.platformVersion).toBeUndefined();
    // Fargate's RunTask bucket is its own: untouched by the EC2 burst.
    const fargate = await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', networkConfiguration: SUBNETS, launchType: 'FARGATE' }));
    expect(fargate.tasks![0]).toMatchObject({ launchType: 'FARGATE', platformVersion: '1.4.0' });
    await h.clock.advance(500); // 20 EC2 call tokens back
    const viaLaunchType = { taskDefinition: 'session', networkConfiguration: SUBNETS, launchType: 'EC2' as const };
    for (let i = 0; i < 20; i++) expect((await h.clients.ecs.send(new RunTaskCommand(viaLaunchType))).tasks![0]!.launchType).toBe('EC2');
    await expect(h.clients.ecs.send(new RunTaskCommand(viaLaunchType))).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(h.core.getStats().byOperation.RunTask).toMatchObject({ calls: 123, ok: 121, throttled: 2 });
  });

  it('refuses a strategy naming a capacity provider that cannot exist (a mis-spelt Fargate), instead of launching it on EC2', async () => {
    for (const capacityProvider of ['fargate', 'Fargate_Spot', 'ecs-asg']) {
      const req = { taskDefinition: 'session', networkConfiguration: SUBNETS, capacityProviderStrategy: [{ capacityProvider, weight: 1 }] };
      await expect(h.clients.ecs.send(new RunTaskCommand(req)), capacityProvider).rejects.toMatchObject({ name: 'InvalidParameterException' });
    }
    expect(h.core.getStats().byOperation.RunTask?.ok ?? 0).toBe(0);
  });

  it('throttles EFS with a 429 ThrottlingException', async () => {
    const mk = (t: string) => h.clients.efs.send(new CreateAccessPointCommand({ ClientToken: t, FileSystemId: 'fs-0123456789abcdef0' }));
    await mk('a');
    await mk('b');
    const err = await mk('c').catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    expect(isThrottlingError(err as Parameters<typeof isThrottlingError>[0])).toBe(true);
  });
});
