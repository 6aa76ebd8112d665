/** SdkSqsApi: the real @aws-sdk/client-sqs over HTTP against the simulator's SQS and its task events. */
import { RunTaskCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SdkSqsApi } from '../../src/observed/sdk-sqs-api.js';
import { readTaskStateChange } from '../../src/observed/task-state-change.js';
import { TASK_EVENTS_QUEUE } from '../../src/sim/core.js';
import { registerSessionTaskDef, startHarness, SUBNETS, type Harness } from '../sim/harness.js';

describe('SdkSqsApi against the simulator over HTTP', () => {
  let h: Harness;
  let api: SdkSqsApi;
  let queueUrl: string;
  beforeAll(async () => {
    h = await startHarness({ limits: false, taskEvents: true });
    api = new SdkSqsApi(h.clients.sqs);
    queueUrl = h.core.taskEventsQueueUrl(h.server.url)!;
  });
  afterAll(async () => h.close());

  it('receives the ECS task state change events of a task in batches of up to 10, reads them, deletes them', async () => {
    const td = await registerSessionTaskDef(h);
    const run = await h.clients.ecs.send(new RunTaskCommand({ cluster: 'default', taskDefinition: td, launchType: 'FARGATE', startedBy: 'esr-reconciler', networkConfiguration: SUBNETS }));
    const arn = run.tasks![0]!.taskArn!;
    await h.clock.advance(60_000); // the task walks to RUNNING; every change is delivered
    const messages = await api.receiveMessages({ queueUrl, maxMessages: 10, waitSeconds: 1, visibilityTimeoutSeconds: 30 });
    expect(messages.length).toBeGreaterThanOrEqual(2);
    expect(messages.length).toBeLessThanOrEqual(10);
    const versions = messages.map((m) => {
      const r = readTaskStateChange(m.body, 'default');
      if (r.kind !== 'task') throw new Error(`not a task event: ${r.reason}`);
      expect(r.task.arn).toBe(arn);
      expect(m.receiveCount).toBe(1);
      return r.task.version!;
    });
    expect(new Set(versions).size).toBe(versions.length);
    const out = await api.deleteMessages({ queueUrl, receiptHandles: messages.map((m) => m.receiptHandle) });
    expect(out.failed).toEqual([]);
    expect(h.core.sqs.queue(TASK_EVENTS_QUEUE)!.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('a long poll answers as soon as a message arrives; a bad receipt handle is a per-entry failure', async () => {
    const receives = (): number => h.core.getStats().byOperation.ReceiveMessage?.calls ?? 0;
    const before = receives();
    const polling = api.receiveMessages({ queueUrl, maxMessages: 10, waitSeconds: 20, visibilityTimeoutSeconds: 30 });
    // The poll has reached the server and waits (on virtual time, which does not move here).
    await vi.waitFor(() => expect(receives()).toBe(before + 1), { timeout: 30_000, interval: 10 });
    h.core.sqs.queue(TASK_EVENTS_QUEUE)!.send('hello');
    const got = await polling;
    expect(got.map((m) => m.body)).toEqual(['hello']);
    const out = await api.deleteMessages({ queueUrl, receiptHandles: [got[0]!.receiptHandle, 'not-a-handle'] });
    expect(out.failed).toEqual([{ index: 1, code: 'ReceiptHandleIsInvalid', message: expect.any(String) }]);
  });
});
