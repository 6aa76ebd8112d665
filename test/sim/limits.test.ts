import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand, type RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { SUBNETS, registerSessionTaskDef, useHarness } from './harness.js';
import { SimCore } from '../../src/sim/core.js';

describe('ECS request limits and paging', () => {
  const h = useHarness({ limits: false }, async (x) => {
    await registerSessionTaskDef(x);
    await registerSessionTaskDef(x, 'other');
  });

  const runMany = async (n: number, startedBy: string, family = 'session'): Promise<string[]> => {
    const arns: string[] = [];
    while (arns.length < n) {
      const count = Math.min(10, n - arns.length);
      const out = await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: family, count, startedBy, networkConfiguration: SUBNETS }));
      arns.push(...out.tasks!.map((t) => t.taskArn!));
    }
    return arns;
  };

  it('rejects count 11 and count 0 with InvalidParameterException', async () => {
    for (const count of [0, 11]) {
      const err = await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', count, networkConfiguration: SUBNETS })).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
    }
    expect(h.core.dump().tasks).toHaveLength(0);
  });

  it('describes up to 100 tasks a call and rejects 101', async () => {
    const arns = await runMany(101, 'esr');
    const ok = await h.clients.ecs.send(new DescribeTasksCommand({ tasks: arns.slice(0, 100) }));
    expect(ok.tasks).toHaveLength(100);
    const err = await h.clients.ecs.send(new DescribeTasksCommand({ tasks: arns })).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InvalidParameterException' });
  });

  it('reports unknown tasks as failures and malformed ARNs as errors', async () => {
    const [arn] = await runMany(1, 'esr');
    const unknown = 'arn:aws:ecs:us-east-1:123456789012:task/default/' + 'f'.repeat(32);
    const out = await h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arn!, unknown] }));
    expect(out.tasks!.map((t) => t.taskArn)).toEqual([arn]);
    expect(out.failures).toEqual([{ arn: unknown, reason: 'MISSING' }]);
    await expect(h.clients.ecs.send(new DescribeTasksCommand({ tasks: ['arn:aws:ecs:nope'] }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('pages ListTasks with maxResults/nextToken and filters by startedBy, family and desiredStatus', async () => {
    const mine = await runMany(25, 'esr');
    await runMany(3, 'someone-else');
    await runMany(4, 'esr', 'other');
    const seen: string[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const page = await h.clients.ecs.send(new ListTasksCommand({ startedBy: 'esr', family: 'session', maxResults: 10, nextToken }));
      expect(page.taskArns!.length).toBeLessThanOrEqual(10);
      seen.push(...page.taskArns!);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    expect(pages).toBe(3);
    expect(seen).toEqual(mine);
    expect((await h.clients.ecs.send(new ListTasksCommand({ startedBy: 'esr' }))).taskArns).toHaveLength(29);
    await expect(h.clients.ecs.send(new ListTasksCommand({ maxResults: 101 }))).rejects.toMatchObject({ name: 'InvalidParameterException' });

    h.core.crashTask(mine[0]!);
    const stopped = await h.clients.ecs.send(new ListTasksCommand({ startedBy: 'esr', desiredStatus: 'STOPPED' }));
    expect(stopped.taskArns).toEqual([mine[0]]);
    const running = await h.clients.ecs.send(new ListTasksCommand({ startedBy: 'esr', family: 'session' }));
    expect(running.taskArns).toHaveLength(24);
  });
});

describe('Fargate task sizes (RegisterTaskDefinition)', () => {
  const td = (cpu?: string, memory?: string): RegisterTaskDefinitionRequest => ({ family: 'f', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}), containerDefinitions: [{ name: 'c', image: 'i' }] });
  it('accepts the documented CPU/memory combinations and refuses others with ClientException', async () => {
    const core = new SimCore({ profile: 'instant', limits: false });
    for (const [cpu, memory] of [['256', '512'], ['256', '2048'], ['512', '4096'], ['1024', '3072'], ['4096', '30720'], ['8192', '20480'], ['16384', '122880']]) {
      await expect(core.call('RegisterTaskDefinition', td(cpu, memory)), `${cpu}/${memory}`).resolves.toBeDefined();
    }
    for (const [cpu, memory] of [['256', '99999'], ['256', '1536'], ['512', '512'], ['8192', '18432'], ['300', '1024']]) {
      await expect(core.call('RegisterTaskDefinition', td(cpu, memory)), `${cpu}/${memory}`).rejects.toMatchObject({ code: 'ClientException', message: `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.` });
    }
    await expect(core.call('RegisterTaskDefinition', td(undefined, '512'))).rejects.toMatchObject({ code: 'ClientException', message: "Fargate requires that 'cpu' be defined at the task level." });
  });
});
