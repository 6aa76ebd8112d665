import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SimCore, TASK_EVENTS_QUEUE } from '../../src/sim/core.js';
import { readTaskStateChange, isCluster } from '../../src/observed/task-state-change.js';

const TASK_ARN = 'arn:aws:ecs:eu-west-1:123456789012:task/test/0123456789abcdef';
const CLUSTER_ARN = 'arn:aws:ecs:eu-west-1:123456789012:cluster/test';

/** An event as EventBridge delivers it to SQS (Amazon ECS Developer Guide, "Amazon ECS task state change events"). */
function event(over: { envelope?: Record<string, unknown>; detail?: Record<string, unknown> } = {}): string {
  return JSON.stringify({
    version: '0',
    id: '3317b2af-7005-947d-b652-f55e762e571a',
    'detail-type': 'ECS Task State Change',
    source: 'aws.ecs',
    account: '123456789012',
    time: '2026-01-01T00:00:05Z',
    region: 'eu-west-1',
    resources: [TASK_ARN],
    detail: {
      taskArn: TASK_ARN,
      clusterArn: CLUSTER_ARN,
      lastStatus: 'STOPPED',
      desiredStatus: 'STOPPED',
      startedBy: 'esr-reconciler',
      group: 'esr-session',
      stopCode: 'EssentialContainerExited',
      stoppedAt: '2026-01-01T00:00:04.250Z',
      version: 5,
      ...over.detail,
    },
    ...over.envelope,
  });
}

describe('readTaskStateChange', () => {
  it('reads the task, its version and the event time from an ECS Task State Change event', () => {
    const r = readTaskStateChange(event(), 'test');
    expect(r).toMatchObject({ kind: 'task', clusterArn: CLUSTER_ARN, eventId: '3317b2af-7005-947d-b652-f55e762e571a', time: Date.UTC(2026, 0, 1, 0, 0, 5) });
    if (r.kind !== 'task') throw new Error('unreachable');
    expect(r.task).toMatchObject({ arn: TASK_ARN, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 5, stopCode: 'EssentialContainerExited', startedBy: 'esr-reconciler', stoppedAt: Date.UTC(2026, 0, 1, 0, 0, 4, 250), tags: {} });
  });

  it.each([
    ['a body that is not JSON', 'not json {', 'malformed', /body is not JSON/],
    ['a JSON array', '[1,2]', 'malformed', /not an EventBridge event/],
    ['an envelope without source', JSON.stringify({ 'detail-type': 'x' }), 'malformed', /event\.source/],
    ['an S3 event', event({ envelope: { source: 'aws.s3', 'detail-type': 'Object Created' } }), 'foreign', /aws\.s3/],
    ['an ECS container instance event', event({ envelope: { 'detail-type': 'ECS Container Instance State Change' } }), 'foreign', /Container Instance/],
    ['a task event without detail.version', event({ detail: { version: undefined } }), 'malformed', /detail\.version/],
    ['a negative version', event({ detail: { version: -1 } }), 'malformed', /detail\.version/],
    ['a taskArn that is not a task ARN', event({ detail: { taskArn: 'arn:aws:ecs:eu-west-1:1:service/x' } }), 'malformed', /detail\.taskArn: must be an ECS task ARN/],
    ['no detail at all', event({ envelope: { detail: null } }), 'malformed', /^detail/],
    ['a task of another cluster', event({ detail: { clusterArn: 'arn:aws:ecs:eu-west-1:123456789012:cluster/other' } }), 'foreign', /cluster\/other, not test/],
  ])('%s: dropped with a reason naming what is wrong', (_name, body, kind, reason) => {
    const r = readTaskStateChange(body, 'test');
    expect(r.kind).toBe(kind);
    expect(r.kind !== 'task' && r.reason).toMatch(reason);
  });

  it('matches the cluster by name or by ARN', () => {
    expect(isCluster(CLUSTER_ARN, 'test')).toBe(true);
    expect(isCluster(CLUSTER_ARN, CLUSTER_ARN)).toBe(true);
    expect(isCluster(CLUSTER_ARN, 'est')).toBe(false);
    expect(isCluster('arn:aws:ecs:eu-west-1:123456789012:cluster/test-2', 'test')).toBe(false);
  });

  it('reads what the simulator delivers into its queue', async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const core = new SimCore({ clock, profile: 'instant', limits: false, clusters: ['test'], taskEvents: true });
    const td = core.ecs.registerTaskDefinition({ family: 'f', containerDefinitions: [{ name: 'c', image: 'i' }] }).taskDefinition!.taskDefinitionArn!;
    const arn = core.ecs.runTask({ cluster: 'test', taskDefinition: td, startedBy: 'esr-reconciler' }).tasks![0]!.taskArn!;
    await clock.advance(5_000);
    const messages = await core.sqs.queue(TASK_EVENTS_QUEUE)!.receive(10, 30, 0);
    expect(messages.length).toBeGreaterThan(0);
    for (const m of messages) {
      const r = readTaskStateChange(m.Body, 'test');
      expect(r).toMatchObject({ kind: 'task', task: { arn, startedBy: 'esr-reconciler' } });
      expect(r.kind === 'task' && r.task.version).toBeGreaterThan(0);
    }
  });
});
