import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SimCore, TASK_EVENTS_QUEUE } from '../../src/sim/core.js';
import type { FaultConfigInput } from '../../src/sim/faults.js';
import { SUBNETS, registerSessionTaskDef, startHarness } from './harness.js';

interface TaskEvent {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: { taskArn: string; lastStatus: string; desiredStatus: string; version: number; createdAt: string; tags?: unknown; stopCode?: string };
}

async function world(faults: FaultConfigInput = {}, seed = 5): Promise<{ clock: VirtualClock; core: SimCore; run: () => Promise<string>; drain: () => Promise<TaskEvent[]> }> {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const core = new SimCore({ clock, seed, profile: 'fast', limits: false, taskEvents: true, faults });
  await core.call('RegisterTaskDefinition', {
    family: 'session',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: '256',
    memory: '512',
    containerDefinitions: [{ name: 'shell', image: 'img:1' }],
  });
  const url = core.taskEventsQueueUrl()!;
  return {
    clock,
    core,
    run: async () => (await core.call('RunTask', { taskDefinition: 'session', cluster: 'c1', startedBy: 'esr', networkConfiguration: SUBNETS })).tasks![0]!.taskArn!,
    drain: async () => {
      const out: TaskEvent[] = [];
      for (;;) {
        const r = await core.call('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10 });
        if (!r.Messages?.length) return out;
        for (const m of r.Messages) {
          out.push(JSON.parse(m.Body!) as TaskEvent);
          await core.call('DeleteMessage', { QueueUrl: url, ReceiptHandle: m.ReceiptHandle! });
        }
      }
    },
  };
}

describe('simulated ECS task state change events', () => {
  it('delivers one event per status change, in the EventBridge envelope, with a growing detail.version and no tags', async () => {
    const w = await world({ taskEvents: { delayMs: { min: 500, max: 500 } } });
    const arn = await w.run();
    await w.clock.advance(10_000);
    w.core.crashTask(arn);
    await w.clock.advance(30_000);
    const events = await w.drain();
    const statuses = events.map((e) => e.detail.lastStatus);
    expect(statuses).toEqual(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED']);
    const versions = events.map((e) => e.detail.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
    const e = events[0]!;
    expect(e).toMatchObject({ version: '0', 'detail-type': 'ECS Task State Change', source: 'aws.ecs', account: '123456789012', region: 'us-east-1', resources: [arn] });
    expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(e.detail.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(e.detail.tags).toBeUndefined();
    expect(events.at(-1)!.detail).toMatchObject({ desiredStatus: 'STOPPED', stopCode: 'EssentialContainerExited' });
    expect(w.core.dump().taskEvents).toMatchObject({ emitted: 8, delivered: 8, lost: 0, pending: 0 });
  });

  it('delivers after the configured delay', async () => {
    const w = await world({ taskEvents: { delayMs: { min: 3000, max: 3000 } } });
    await w.run();
    await w.clock.advance(2999);
    expect(await w.drain()).toEqual([]);
    await w.clock.advance(1);
    expect((await w.drain()).map((e) => e.detail.lastStatus)).toEqual(['PROVISIONING']);
  });

  it('loses, duplicates and reorders events at the configured rates', async () => {
    const lossy = await world({ taskEvents: { lossRate: 1 } });
    await lossy.run();
    await lossy.clock.advance(30_000);
    expect(await lossy.drain()).toEqual([]);
    expect(lossy.core.dump().taskEvents).toMatchObject({ emitted: 4, lost: 4, delivered: 0 });

    const dup = await world({ taskEvents: { duplicateRate: 1 } });
    await dup.run();
    await dup.clock.advance(30_000);
    const twice = (await dup.drain()).map((e) => e.detail.version);
    expect(twice).toHaveLength(8);
    expect(new Set(twice).size).toBe(4);

    const shuffled = await world({ taskEvents: { reorderRate: 0.5, reorderDelayMs: { min: 5000, max: 5000 } } }, 9);
    for (let i = 0; i < 5; i++) await shuffled.run();
    await shuffled.clock.advance(60_000);
    const got = await shuffled.drain();
    expect(got).toHaveLength(20);
    const byTask = new Map<string, number[]>();
    for (const e of got) byTask.set(e.detail.taskArn, [...(byTask.get(e.detail.taskArn) ?? []), e.detail.version]);
    const outOfOrder = [...byTask.values()].some((v) => v.some((x, i) => i > 0 && x < v[i - 1]!));
    expect(outOfOrder).toBe(true);
  });

  it('leaves the ECS draws of a seed unchanged whether events are on or off', async () => {
    const arnsOf = async (taskEvents: boolean): Promise<string[]> => {
      const core = new SimCore({ clock: new VirtualClock(0), seed: 3, profile: 'fast', limits: false, taskEvents });
      await core.call('RegisterTaskDefinition', { family: 'f', containerDefinitions: [{ name: 'a', image: 'i' }] });
      const out = await core.call('RunTask', { taskDefinition: 'f', count: 3 });
      return out.tasks!.map((t) => `${t.taskArn}@${t.attachments?.[0]?.id}`);
    };
    expect(await arnsOf(true)).toEqual(await arnsOf(false));
  });

  it('has no queue and emits nothing when events are off', async () => {
    const core = new SimCore({ clock: new VirtualClock(0), taskEvents: false });
    expect(core.taskEventsQueueUrl()).toBeUndefined();
    expect(core.sqs.queue(TASK_EVENTS_QUEUE)).toBeUndefined();
    expect(core.dump().taskEvents).toBeUndefined();
  });

  it('serves the events to the real SQS client over HTTP', async () => {
    const h = await startHarness({ limits: false, taskEvents: true });
    try {
      await registerSessionTaskDef(h);
      const { RunTaskCommand } = await import('@aws-sdk/client-ecs');
      await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', networkConfiguration: SUBNETS }));
      await h.clock.advance(30_000);
      const url = h.core.taskEventsQueueUrl(h.server.url)!;
      const got: Message[] = [];
      for (;;) {
        const r = await h.clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
        if (!r.Messages?.length) break;
        got.push(...r.Messages);
      }
      // Delivery delays are drawn per event, so arrival order may differ from the order of change.
      const events = got.map((m) => (JSON.parse(m.Body!) as TaskEvent).detail).sort((a, b) => a.version - b.version);
      expect(events.map((d) => d.lastStatus)).toEqual(['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING']);
    } finally {
      await h.close();
    }
  });
});
