/**
 * deploy/eventbridge/task-events.cfn.json against the code: the rule delivers exactly the ECS
 * task state changes the controller reads (its source and detail type, its cluster, its
 * startedBy, its task groups), the queue is the one the IAM policy and the simulator name, only
 * that rule may send to it, and the simulator's events for our tasks match the pattern while
 * those of other clusters, starters and groups do not.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { ENV_VARS } from '../../src/config/env-vars.js';
import { SESSION_TASK_GROUP, TASK_GROUP_PREFIX, warmTaskGroup } from '../../src/controller/execute/launch.js';
import { ECS_TASK_STATE_CHANGE } from '../../src/observed/task-state-change.js';
import { SimCore, TASK_EVENTS_QUEUE } from '../../src/sim/core.js';
import { SAMPLE } from './support/placeholders.js';
import { REPO_ROOT } from './support/task-definition-examples.js';

type Json = Record<string, unknown>;
const cfn = JSON.parse(readFileSync(REPO_ROOT + 'deploy/eventbridge/task-events.cfn.json', 'utf8')) as { Parameters: Record<string, { Default?: string }>; Resources: Record<string, { Type: string; Properties: Json }> };
const rule = cfn.Resources['TaskStateChangeRule']!;
const queue = cfn.Resources['TaskEventsQueue']!;
const queuePolicy = cfn.Resources['TaskEventsQueuePolicy']!;
const pattern = rule.Properties['EventPattern'] as { source: string[]; 'detail-type': string[]; detail: { clusterArn: [{ 'Fn::Sub': string }]; startedBy: [{ Ref: string }]; group: [{ prefix: string }] } };

/** The pattern with CloudFormation's intrinsics resolved for an account, region and parameters. */
function resolvedPattern(params: { ClusterName: string; StartedBy: string }): Json {
  const arn = pattern.detail.clusterArn[0]['Fn::Sub']
    .replace('${AWS::Partition}', 'aws')
    .replace('${AWS::Region}', 'us-east-1')
    .replace('${AWS::AccountId}', '123456789012')
    .replace('${ClusterName}', params.ClusterName);
  return { source: pattern.source, 'detail-type': pattern['detail-type'], detail: { clusterArn: [arn], startedBy: [params.StartedBy], group: pattern.detail.group } };
}

/**
 * EventBridge matching for the two forms the rule uses: a list of exact strings, and `{prefix}`
 * (Amazon EventBridge User Guide, "Event patterns" and "Content filtering").
 */
function matches(p: Json, event: Json): boolean {
  return Object.entries(p).every(([key, want]) => {
    const got = event[key];
    if (!Array.isArray(want)) return typeof got === 'object' && got !== null && matches(want as Json, got as Json);
    return want.some((w: unknown) => (typeof w === 'string' ? got === w : typeof got === 'string' && got.startsWith((w as { prefix: string }).prefix)));
  });
}

describe('EventBridge rule and queue (deploy/eventbridge)', () => {
  it('filters on what the controller reads: ECS Task State Change of its cluster, its startedBy, its task groups', () => {
    expect(pattern.source).toEqual([ECS_TASK_STATE_CHANGE.source]);
    expect(pattern['detail-type']).toEqual([ECS_TASK_STATE_CHANGE.detailType]);
    expect(pattern.detail.clusterArn[0]['Fn::Sub']).toBe('arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:cluster/${ClusterName}');
    expect(pattern.detail.startedBy).toEqual([{ Ref: 'StartedBy' }]);
    expect(cfn.Parameters['StartedBy']!.Default).toBe(ENV_VARS.startedBy.default);
    expect(pattern.detail.group).toEqual([{ prefix: TASK_GROUP_PREFIX }]);
    expect(SESSION_TASK_GROUP.startsWith(TASK_GROUP_PREFIX)).toBe(true);
    expect(warmTaskGroup('shell-warm').startsWith(TASK_GROUP_PREFIX)).toBe(true);
  });

  it('the queue is the one the IAM policy, the simulator and the controller defaults name, encrypted with SSE-SQS', () => {
    expect(cfn.Parameters['QueueName']!.Default).toBe(SAMPLE.EVENTS_QUEUE_NAME);
    expect(cfn.Parameters['QueueName']!.Default).toBe(TASK_EVENTS_QUEUE);
    // EventBridge cannot send to a queue encrypted with the AWS managed KMS key; SSE-SQS works.
    expect(queue.Properties['SqsManagedSseEnabled']).toBe(true);
    expect(queue.Properties['KmsMasterKeyId']).toBeUndefined();
    expect(String(queue.Properties['VisibilityTimeout'])).toBe(ENV_VARS.eventsVisibilityTimeoutSeconds.default);
    expect(String(queue.Properties['ReceiveMessageWaitTimeSeconds'])).toBe(ENV_VARS.eventsWaitSeconds.default);
    expect(rule.Properties['Targets']).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': ['TaskEventsQueue', 'Arn'] } })]);
  });

  it('only this rule may send to the queue, and only over TLS', () => {
    const doc = queuePolicy.Properties['PolicyDocument'] as { Statement: Array<{ Effect: string; Principal: unknown; Action: string; Condition: Json }> };
    const allows = doc.Statement.filter((s) => s.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({ Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': ['TaskStateChangeRule', 'Arn'] } } } }),
    ]);
    expect(doc.Statement.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }))).toBe(true);
  });

  it("matches the simulator's events for the controller's tasks and no others", async () => {
    const clock = new VirtualClock(Date.UTC(2026, 0, 1));
    const core = new SimCore({ clock, profile: 'instant', limits: false, clusters: ['sessions', 'other'], taskEvents: true });
    const td = core.ecs.registerTaskDefinition({ family: 'esr-shell-1', containerDefinitions: [{ name: 'c', image: 'i' }] }).taskDefinition!.taskDefinitionArn!;
    const run = (cluster: string, startedBy: string, group: string): string => core.ecs.runTask({ cluster, taskDefinition: td, startedBy, group }).tasks![0]!.taskArn!;
    const ours = [run('sessions', 'esr-reconciler', SESSION_TASK_GROUP), run('sessions', 'esr-reconciler', warmTaskGroup('shell-warm'))];
    const others = [run('other', 'esr-reconciler', SESSION_TASK_GROUP), run('sessions', 'ecs-svc/123', SESSION_TASK_GROUP), run('sessions', 'esr-reconciler', 'service:payments')];
    await clock.advance(5_000);
    const events = (await core.sqs.queue(TASK_EVENTS_QUEUE)!.receive(10, 30, 0)).map((m) => JSON.parse(m.Body) as Json & { detail: { taskArn: string } });
    const p = resolvedPattern({ ClusterName: 'sessions', StartedBy: 'esr-reconciler' });
    const matched = new Set(events.filter((e) => matches(p, e)).map((e) => e.detail.taskArn));
    expect([...matched].sort()).toEqual([...ours].sort());
    for (const arn of others) expect(events.some((e) => e.detail.taskArn === arn)).toBe(true);
  });
});
