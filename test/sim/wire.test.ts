import { ECSClient, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import { DescribeAccessPointsCommand, EFSClient } from '@aws-sdk/client-efs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SIM_CREDENTIALS } from '../../src/sim/sdk-clients.js';
import { startHarness, type Harness } from './harness.js';

const ECS_TARGET = 'AmazonEC2ContainerServiceV20141113.';

describe('wire protocol robustness', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ limits: false });
  });
  afterAll(async () => h.close());

  const ecsRaw = (op: string, body: string) =>
    fetch(h.server.url + '/', { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': ECS_TARGET + op }, body });

  it('answers malformed JSON with SerializationException and keeps serving', async () => {
    const res = await ecsRaw('RunTask', '{"taskDefinition": ');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'SerializationException' });
    await expect(h.clients.ecs.send(new ListTasksCommand({}))).resolves.toBeDefined();
  });

  it('answers wrong types and missing required members with InvalidParameterException', async () => {
    for (const body of ['{"taskDefinition": 5}', '{}', '[]', 'null', '{"taskDefinition":"x","count":"ten"}']) {
      const res = await ecsRaw('RunTask', body);
      expect(res.status).toBe(400);
      const b = (await res.json()) as { __type: string; message: string };
      expect(b.__type).toBe('InvalidParameterException');
      expect(b.message.length).toBeGreaterThan(10);
    }
    const res = await ecsRaw('DescribeTasks', '{"tasks": "not-a-list"}');
    expect(await res.json()).toMatchObject({ __type: 'InvalidParameterException', message: expect.stringMatching(/tasks/) });
  });

  it('the SDK raises InvalidParameterException for a bad value and ClientException for an unknown task definition', async () => {
    await expect(h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'bad name!' }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'nosuchfamily' }))).rejects.toMatchObject({ name: 'ClientException' });
  });

  it('answers an unknown ECS operation with UnknownOperationException, not a hang', async () => {
    const res = await ecsRaw('CreateService', '{}');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ __type: 'UnknownOperationException', message: expect.stringMatching(/CreateService/) });
  });

  it('answers malformed EFS bodies and unknown EFS paths with AWS-shaped errors', async () => {
    const bad = await fetch(`${h.server.url}/2015-02-01/access-points`, { method: 'POST', body: '{oops' });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('x-amzn-errortype')).toBe('BadRequest');
    expect(await bad.json()).toMatchObject({ ErrorCode: 'BadRequest' });
    const wrong = await fetch(`${h.server.url}/2015-02-01/access-points`, { method: 'POST', body: JSON.stringify({ ClientToken: 'x', FileSystemId: 42 }) });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ ErrorCode: 'BadRequest', Message: expect.stringMatching(/FileSystemId/) });
    const unknown = await fetch(`${h.server.url}/2015-02-01/file-systems`, { method: 'GET' });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});

describe('AWS environment variables point the SDK at the simulator', () => {
  let h: Harness;
  const saved: Record<string, string | undefined> = {};
  const keys = ['AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_ECS', 'AWS_ENDPOINT_URL_EFS', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
  beforeAll(async () => {
    h = await startHarness({ limits: false });
    for (const k of keys) saved[k] = process.env[k];
  });
  afterEach(() => {
    for (const k of keys) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });
  afterAll(async () => h.close());

  const setCommon = (): void => {
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = SIM_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = SIM_CREDENTIALS.secretAccessKey;
  };

  it('honours AWS_ENDPOINT_URL for both clients', async () => {
    setCommon();
    delete process.env.AWS_ENDPOINT_URL_ECS;
    delete process.env.AWS_ENDPOINT_URL_EFS;
    process.env.AWS_ENDPOINT_URL = h.server.url;
    const before = h.core.getStats().total.calls;
    const ecs = new ECSClient({ maxAttempts: 1 });
    const efs = new EFSClient({ maxAttempts: 1 });
    await expect(ecs.send(new ListTasksCommand({}))).resolves.toMatchObject({ taskArns: [] });
    await expect(efs.send(new DescribeAccessPointsCommand({}))).resolves.toMatchObject({ AccessPoints: [] });
    expect(h.core.getStats().total.calls).toBe(before + 2);
    ecs.destroy();
    efs.destroy();
  });

  it('honours the service-specific AWS_ENDPOINT_URL_ECS over AWS_ENDPOINT_URL', async () => {
    setCommon();
    process.env.AWS_ENDPOINT_URL = 'http://127.0.0.1:9'; // nothing listens there
    process.env.AWS_ENDPOINT_URL_ECS = h.server.url;
    const before = h.core.getStats().byOperation.ListTasks?.calls ?? 0;
    const ecs = new ECSClient({ maxAttempts: 1 });
    await expect(ecs.send(new ListTasksCommand({}))).resolves.toMatchObject({ taskArns: [] });
    expect(h.core.getStats().byOperation.ListTasks?.calls).toBe(before + 1);
    ecs.destroy();
  });
});
