import { DescribeTasksCommand, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { DescribeAccessPointsCommand } from '@aws-sdk/client-efs';
import { describe, expect, it } from 'vitest';
import { CAPACITY_UNAVAILABLE } from '../../src/sim/ecs-core.js';
import { SUBNETS, registerSessionTaskDef, useHarness } from './harness.js';

describe('fault injection over HTTP', () => {
  const h = useHarness({ limits: false, seed: 11 }, (x) => registerSessionTaskDef(x));

  const runOne = () => h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', networkConfiguration: SUBNETS }));

  it('injects ServerException 500s at the configured rate, deterministically under the seed', async () => {
    const outcomes = async (): Promise<string> => {
      const res: string[] = [];
      for (let i = 0; i < 40; i++) res.push(await h.clients.ecs.send(new ListTasksCommand({})).then(() => 'ok', (e: Error) => e.name));
      return res.join(',');
    };
    const put = await fetch(`${h.server.url}/_sim/faults`, { method: 'PUT', body: JSON.stringify({ errorRate: { ListTasks: 0.5 } }) });
    expect(put.status).toBe(200);
    const a = await outcomes();
    expect(a.split(',').filter((x) => x === 'ServerException').length).toBeGreaterThan(8);
    expect(a.split(',').filter((x) => x === 'ok').length).toBeGreaterThan(8);
    const err = await h.clients.ecs.send(new ListTasksCommand({})).then(() => undefined, (e: unknown) => e);
    if (err) expect(err).toMatchObject({ name: 'ServerException', $fault: 'server', $metadata: { httpStatusCode: 500 } });
    expect(h.core.getStats().errorsByCode.ServerException).toBeGreaterThan(8);
  });

  it('reports RunTask capacity failures in `failures`', async () => {
    h.core.setFaults({ capacityFailureRate: 1 });
    const out = await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', count: 3, networkConfiguration: SUBNETS }));
    expect(out.tasks).toEqual([]);
    expect(out.failures).toHaveLength(3);
    expect(out.failures![0]!.reason).toBe(CAPACITY_UNAVAILABLE);
  });

  it('crashes a task on request over /_sim/ with EssentialContainerExited', async () => {
    const arn = (await runOne()).tasks![0]!.taskArn!;
    await h.clock.advance(100);
    const res = await fetch(`${h.server.url}/_sim/tasks/crash`, { method: 'POST', body: JSON.stringify({ taskArn: arn }) });
    expect(res.status).toBe(200);
    await h.clock.advance(100);
    const t = (await h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks![0]!;
    expect(t).toMatchObject({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
    expect(t.containers![0]!.exitCode).toBe(1);
    const bad = await fetch(`${h.server.url}/_sim/tasks/crash`, { method: 'POST', body: JSON.stringify({ taskArn: 'f'.repeat(32) }) });
    expect(bad.status).toBe(400);
  });

  it('crashes tasks at a rate after RUNNING, and fails some to start', async () => {
    h.core.setFaults({ crashRate: 1, crashAfterMs: { min: 1000, max: 1000 } });
    const arn = (await runOne()).tasks![0]!.taskArn!;
    await h.clock.advance(500);
    expect((await h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks![0]!.lastStatus).toBe('RUNNING');
    await h.clock.advance(1000);
    expect((await h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks![0]).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });

    h.core.setFaults({ failToStartRate: 1 });
    const arn2 = (await runOne()).tasks![0]!.taskArn!;
    await h.clock.advance(500);
    const t2 = (await h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arn2] }))).tasks![0]!;
    expect(t2).toMatchObject({ lastStatus: 'STOPPED', stopCode: 'TaskFailedToStart' });
    expect(t2.startedAt).toBeUndefined();
  });

  it('interrupts spot tasks', async () => {
    const out = await h.clients.ecs.send(
      new RunTaskCommand({ taskDefinition: 'session', capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }], networkConfiguration: SUBNETS }),
    );
    const arn = out.tasks![0]!.taskArn!;
    expect(out.tasks![0]!.capacityProviderName).toBe('FARGATE_SPOT');
    await h.clock.advance(100);
    await fetch(`${h.server.url}/_sim/tasks/spot-interrupt`, { method: 'POST', body: JSON.stringify({ taskArn: arn }) });
    await h.clock.advance(100);
    expect((await h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arn] }))).tasks![0]!.stopCode).toBe('SpotInterruption');
  });

  it('serves a full ECS outage window as 500s while EFS keeps answering', async () => {
    h.core.startOutage('ecs', 10_000);
    await expect(h.clients.ecs.send(new ListTasksCommand({}))).rejects.toMatchObject({ name: 'ServerException', $metadata: { httpStatusCode: 500 } });
    await expect(h.clients.efs.send(new DescribeAccessPointsCommand({}))).resolves.toMatchObject({ AccessPoints: [] });
    await h.clock.advance(10_000);
    await expect(h.clients.ecs.send(new ListTasksCommand({}))).resolves.toMatchObject({ taskArns: [] });
    h.core.startOutage('efs', 1000);
    await expect(h.clients.efs.send(new DescribeAccessPointsCommand({}))).rejects.toMatchObject({ name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
  });

  it('hangs a request until the client aborts it, and counts it as hung', async () => {
    h.core.setFaults({ hangRate: { ListTasks: 1 } });
    const ac = new AbortController();
    const p = h.clients.ecs.send(new ListTasksCommand({}), { abortSignal: ac.signal });
    let settled = false;
    void p.then(
      () => (settled = true),
      () => (settled = true),
    );
    await h.clock.advance(60_000);
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    ac.abort();
    await expect(p).rejects.toMatchObject({ name: 'AbortError' });
    for (let i = 0; i < 50 && !h.core.getStats().byOperation.ListTasks?.hung; i++) await new Promise((r) => setTimeout(r, 10));
    expect(h.core.getStats().byOperation.ListTasks).toMatchObject({ calls: 1, hung: 1 });
  });

  it('adds latency on the simulator clock', async () => {
    h.core.setFaults({ latencyMs: { ListTasks: 5000 } });
    let done = false;
    const p = h.clients.ecs.send(new ListTasksCommand({})).then((r) => {
      done = true;
      return r;
    });
    await new Promise((r) => setTimeout(r, 50));
    await h.clock.advance(4999);
    expect(done).toBe(false);
    await h.clock.advance(1);
    await expect(p).resolves.toMatchObject({ taskArns: [] });
  });

  it('rejects an invalid fault config with a 400 naming the problem', async () => {
    const res = await fetch(`${h.server.url}/_sim/faults`, { method: 'PUT', body: JSON.stringify({ errorRate: { NoSuchOp: 2 } }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/errorRate/);
  });
});
