/**
 * The controller's task-role policy (deploy/iam/controller-task-role-policy.json) against the
 * code: (a) every ECS/EFS/SQS command the SDK adapters send is allowed, with the context AWS
 * authorizes it in (tag-on-create and PassRole included); (b) the policy allows no action
 * beyond those; (c) the guarding conditions exist, and requests outside them are denied.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TAG } from '../../src/observed/model.js';
import { sessionLaunchSpec } from '../../src/controller/plan/launch-spec.js';
import { aSpec } from '../fixtures/builders.js';
import { templatesSchema } from '../../src/config/templates.js';
import { isAllowed, type AuthRequest, type Policy, type Statement } from './support/iam-eval.js';
import { renderedJson, SAMPLE } from './support/placeholders.js';
import { REPO_ROOT, SESSION_EXAMPLE } from './support/task-definition-examples.js';

const policy = renderedJson<Policy>('deploy/iam/controller-task-role-policy.json');

/**
 * `new XxxCommand(` in an SDK adapter file, as IAM actions of that service. SQS authorizes a
 * batch call by its single action (Amazon SQS Developer Guide, "Amazon SQS API permissions":
 * DeleteMessageBatch needs sqs:DeleteMessage).
 */
function calledActions(file: string, prefix: string): string[] {
  const src = readFileSync(REPO_ROOT + file, 'utf8');
  const action = (op: string): string => (prefix === 'sqs' ? op.replace(/Batch$/, '') : op);
  return [...new Set([...src.matchAll(/new\s+([A-Z][A-Za-z]+)Command\s*\(/g)].map((m) => `${prefix}:${action(m[1]!)}`))].sort();
}
const CALLED = [
  ...calledActions('src/observed/sdk-ecs-api.ts', 'ecs'),
  ...calledActions('src/observed/sdk-efs-api.ts', 'elasticfilesystem'),
  ...calledActions('src/observed/sdk-sqs-api.ts', 'sqs'),
];

/** Actions AWS checks in addition to the called operation itself (PassRole at launch, TagResource for tag-on-create). */
const DEPENDENT_ACTIONS = ['iam:PassRole', 'ecs:TagResource', 'elasticfilesystem:TagResource'];

const { REGION, ACCOUNT_ID, CLUSTER, OWNER_ID, FILE_SYSTEM_ID, EVENTS_QUEUE_NAME } = SAMPLE;
const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${EVENTS_QUEUE_NAME}`;
const ecsArn = (rest: string): string => `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:${rest}`;
const efsArn = (rest: string): string => `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT_ID}:${rest}`;
const CLUSTER_ARN = ecsArn(`cluster/${CLUSTER}`);
const TASK_ARN = ecsArn(`task/${CLUSTER}/0123456789abcdef0123456789abcdef`);
const FS_ARN = efsArn(`file-system/${FILE_SYSTEM_ID}`);
const AP_ARN = efsArn('access-point/fsap-0123456789abcdef0');
const SESSION_ROLES = [`arn:aws:iam::${ACCOUNT_ID}:role/esr-session-task`, `arn:aws:iam::${ACCOUNT_ID}:role/esr-session-execution`];
const OWNER_KEY = `aws:ResourceTag/${TAG.owner}`;

/** The tags the code puts on a session task, as the request-tag context AWS evaluates. */
function launchTagContext(): Record<string, string | string[]> {
  const templates = templatesSchema.parse(renderedJson('deploy/ecs/templates.example.json'));
  const spec = sessionLaunchSpec({
    spec: aSpec({ id: 's-1', userId: 'u-1', template: 'session', env: {} }),
    template: templates['session']!,
    accessPointId: undefined,
    incarnation: 1,
    ownerId: OWNER_ID,
  });
  return { ...Object.fromEntries(Object.entries(spec.tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])), 'aws:TagKeys': Object.keys(spec.tags) };
}
/** The family the controller registers for the example template (`esr-<template>-<hash>`), revision 1. */
const TASK_DEF_ARN = ecsArn(`task-definition/${renderedJson<{ family: string }>(SESSION_EXAMPLE).family}:1`);
const passRoles = (): AuthRequest[] => SESSION_ROLES.map((resource) => ({ action: 'iam:PassRole', resource, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }));

/** For each operation the code calls: every authorization AWS performs for it, as the code sends it. */
const AUTHORIZATIONS: Record<string, AuthRequest[]> = {
  'ecs:ListTasks': [{ action: 'ecs:ListTasks', resource: ecsArn(`container-instance/${CLUSTER}/*`), context: { 'ecs:cluster': CLUSTER_ARN } }],
  'ecs:DescribeTasks': [{ action: 'ecs:DescribeTasks', resource: TASK_ARN, context: { 'ecs:cluster': CLUSTER_ARN } }],
  'ecs:RunTask': [
    { action: 'ecs:RunTask', resource: TASK_DEF_ARN, context: { 'ecs:cluster': CLUSTER_ARN, ...launchTagContext() } },
    { action: 'ecs:TagResource', resource: TASK_ARN, context: { 'ecs:CreateAction': 'RunTask', ...launchTagContext() } },
    ...passRoles(),
  ],
  'ecs:StopTask': [{ action: 'ecs:StopTask', resource: TASK_ARN, context: { 'ecs:cluster': CLUSTER_ARN, [OWNER_KEY]: OWNER_ID } }],
  'ecs:TagResource': [
    { action: 'ecs:TagResource', resource: TASK_ARN, context: { [OWNER_KEY]: OWNER_ID, [`aws:RequestTag/${TAG.session}`]: 's-1', 'aws:TagKeys': [TAG.session] } },
  ],
  'ecs:RegisterTaskDefinition': [
    { action: 'ecs:RegisterTaskDefinition', resource: TASK_DEF_ARN, context: { [`aws:RequestTag/${TAG.owner}`]: OWNER_ID, 'aws:TagKeys': [TAG.owner, TAG.specHash] } },
    { action: 'ecs:TagResource', resource: TASK_DEF_ARN, context: { 'ecs:CreateAction': 'RegisterTaskDefinition', [`aws:RequestTag/${TAG.owner}`]: OWNER_ID } },
    ...passRoles(),
  ],
  'ecs:DescribeTaskDefinition': [{ action: 'ecs:DescribeTaskDefinition', resource: '*' }],
  'ecs:ListTaskDefinitions': [{ action: 'ecs:ListTaskDefinitions', resource: '*' }],
  'elasticfilesystem:CreateAccessPoint': [
    { action: 'elasticfilesystem:CreateAccessPoint', resource: FS_ARN, context: { [`aws:RequestTag/${TAG.owner}`]: OWNER_ID, [`aws:RequestTag/${TAG.user}`]: 'u-1' } },
    { action: 'elasticfilesystem:TagResource', resource: AP_ARN, context: { 'elasticfilesystem:CreateAction': 'CreateAccessPoint', [`aws:RequestTag/${TAG.owner}`]: OWNER_ID } },
  ],
  'elasticfilesystem:DescribeAccessPoints': [{ action: 'elasticfilesystem:DescribeAccessPoints', resource: FS_ARN }],
  'elasticfilesystem:DeleteAccessPoint': [{ action: 'elasticfilesystem:DeleteAccessPoint', resource: AP_ARN, context: { [OWNER_KEY]: OWNER_ID } }],
  'sqs:ReceiveMessage': [{ action: 'sqs:ReceiveMessage', resource: QUEUE_ARN }],
  'sqs:DeleteMessage': [{ action: 'sqs:DeleteMessage', resource: QUEUE_ARN }],
};

/** Requests just outside what the controller needs: each must be denied. */
const DENIED: Array<[string, AuthRequest]> = [
  ['RunTask of a family that is not ours', { action: 'ecs:RunTask', resource: ecsArn('task-definition/payments-api:7'), context: { 'ecs:cluster': CLUSTER_ARN, [`aws:RequestTag/${TAG.owner}`]: OWNER_ID } }],
  ['RunTask of the controller itself', { action: 'ecs:RunTask', resource: ecsArn('task-definition/ecs-session-reconciler:1'), context: { 'ecs:cluster': CLUSTER_ARN, [`aws:RequestTag/${TAG.owner}`]: OWNER_ID } }],
  ['RunTask in another cluster', { action: 'ecs:RunTask', resource: TASK_DEF_ARN, context: { 'ecs:cluster': ecsArn('cluster/prod-api'), [`aws:RequestTag/${TAG.owner}`]: OWNER_ID } }],
  ['RunTask without our owner tag', { action: 'ecs:RunTask', resource: TASK_DEF_ARN, context: { 'ecs:cluster': CLUSTER_ARN } }],
  ['StopTask of a task another owner tagged', { action: 'ecs:StopTask', resource: TASK_ARN, context: { 'ecs:cluster': CLUSTER_ARN, [OWNER_KEY]: 'someone-else' } }],
  ['StopTask of an untagged task', { action: 'ecs:StopTask', resource: TASK_ARN, context: { 'ecs:cluster': CLUSTER_ARN } }],
  ['StopTask in another cluster', { action: 'ecs:StopTask', resource: ecsArn('task/prod-api/abc'), context: { 'ecs:cluster': ecsArn('cluster/prod-api'), [OWNER_KEY]: OWNER_ID } }],
  ['TagResource on a task we do not own', { action: 'ecs:TagResource', resource: TASK_ARN, context: { 'aws:TagKeys': [TAG.owner], [`aws:RequestTag/${TAG.owner}`]: OWNER_ID } }],
  ['TagResource with a non-esr key on our task', { action: 'ecs:TagResource', resource: TASK_ARN, context: { [OWNER_KEY]: OWNER_ID, 'aws:TagKeys': ['cost-center'] } }],
  ['DescribeTasks in another cluster', { action: 'ecs:DescribeTasks', resource: ecsArn('task/prod-api/abc'), context: { 'ecs:cluster': ecsArn('cluster/prod-api') } }],
  ['ListTasks in another cluster', { action: 'ecs:ListTasks', resource: ecsArn('container-instance/prod-api/*'), context: { 'ecs:cluster': ecsArn('cluster/prod-api') } }],
  ['RegisterTaskDefinition without our owner tag', { action: 'ecs:RegisterTaskDefinition', resource: TASK_DEF_ARN, context: {} }],
  ['PassRole of the controller role', { action: 'iam:PassRole', resource: `arn:aws:iam::${ACCOUNT_ID}:role/esr-controller-task`, context: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } }],
  ['PassRole of a session role to another service', { action: 'iam:PassRole', resource: SESSION_ROLES[0]!, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } }],
  ['CreateAccessPoint on another file system', { action: 'elasticfilesystem:CreateAccessPoint', resource: efsArn('file-system/fs-0fffffffffffffff0'), context: { [`aws:RequestTag/${TAG.owner}`]: OWNER_ID } }],
  ['CreateAccessPoint without our owner tag', { action: 'elasticfilesystem:CreateAccessPoint', resource: FS_ARN, context: {} }],
  ['EFS TagResource outside a create', { action: 'elasticfilesystem:TagResource', resource: AP_ARN, context: { [`aws:RequestTag/${TAG.owner}`]: OWNER_ID } }],
  ['DeleteAccessPoint of one we do not own', { action: 'elasticfilesystem:DeleteAccessPoint', resource: AP_ARN, context: { [OWNER_KEY]: 'someone-else' } }],
  ['DeleteFileSystem', { action: 'elasticfilesystem:DeleteFileSystem', resource: FS_ARN }],
  ['DeregisterTaskDefinition', { action: 'ecs:DeregisterTaskDefinition', resource: TASK_DEF_ARN }],
  ['ReceiveMessage from another queue', { action: 'sqs:ReceiveMessage', resource: `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:orders` }],
  ['SendMessage to the task-event queue (only EventBridge sends)', { action: 'sqs:SendMessage', resource: QUEUE_ARN }],
  ['PurgeQueue of the task-event queue', { action: 'sqs:PurgeQueue', resource: QUEUE_ARN }],
];

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesOf = (s: Statement): string[] => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const conditionKeys = (s: Statement): string[] => Object.values(s.Condition ?? {}).flatMap((keys) => Object.keys(keys));
const conditionValue = (s: Statement, key: string): string[] =>
  Object.values(s.Condition ?? {}).flatMap((keys) => (key in keys ? [keys[key]!].flat() : []));
const statementsWith = (action: string): Statement[] => policy.Statement.filter((s) => actionsOf(s).includes(action));

describe('controller task-role policy', () => {
  it('finds the ECS and EFS commands the SDK adapters send', () => {
    expect(CALLED).toContain('ecs:RunTask');
    expect(CALLED).toContain('elasticfilesystem:CreateAccessPoint');
    expect(CALLED).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']));
    expect(CALLED.length).toBeGreaterThanOrEqual(13);
  });

  it('(a) allows every operation the code calls, with every authorization AWS performs for it', () => {
    for (const op of CALLED) {
      const checks = AUTHORIZATIONS[op];
      expect(checks, `no authorization fixture for ${op}: add one describing how AWS authorizes it`).toBeDefined();
      for (const req of checks!) expect(isAllowed(policy, req), `${op}: ${req.action} on ${req.resource}`).toBe(true);
    }
  });

  it('(b) allows no action beyond the called operations and their dependent actions', () => {
    const policyActions = new Set(policy.Statement.flatMap(actionsOf));
    for (const a of policyActions) {
      expect(a, 'no wildcard actions').not.toMatch(/[*?]/);
      expect(CALLED.includes(a) || DEPENDENT_ACTIONS.includes(a), `${a} is neither called nor a dependent action`).toBe(true);
    }
    const neededActions = new Set(CALLED.flatMap((op) => (AUTHORIZATIONS[op] ?? []).map((r) => r.action)));
    expect([...policyActions].sort()).toEqual([...neededActions].sort());
    for (const s of policy.Statement) {
      expect(s.Effect).toBe('Allow');
      expect(Object.keys(s).sort()).toEqual(expect.arrayContaining(['Action', 'Effect', 'Resource', 'Sid']));
      expect(Object.keys(s).filter((k) => k.startsWith('Not')), 'no NotAction/NotResource').toEqual([]);
    }
  });

  it('(b) uses Resource "*" only for actions without resource-level permissions', () => {
    const starOk = ['ecs:ListTasks', 'ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition', 'ecs:ListTaskDefinitions'];
    for (const s of policy.Statement.filter((st) => resourcesOf(st).includes('*'))) {
      for (const a of actionsOf(s)) expect(starOk, `${s.Sid}: ${a} must name its resources`).toContain(a);
    }
  });

  it('(c) conditions the dangerous actions on cluster, owner tag and passed-to service', () => {
    for (const s of statementsWith('ecs:RunTask')) {
      expect(conditionValue(s, 'ecs:cluster')).toEqual([`arn:aws:ecs:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER}`]);
      expect(conditionValue(s, `aws:RequestTag/${TAG.owner}`)).toEqual([OWNER_ID]);
      for (const r of resourcesOf(s)) expect(r).toBe(`arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task-definition/esr-*`);
    }
    for (const s of statementsWith('ecs:StopTask')) {
      expect(conditionValue(s, 'ecs:cluster')).toEqual([CLUSTER_ARN]);
      expect(conditionValue(s, `aws:ResourceTag/${TAG.owner}`)).toEqual([OWNER_ID]);
    }
    for (const s of statementsWith('ecs:TagResource')) {
      const owned = conditionValue(s, `aws:ResourceTag/${TAG.owner}`).includes(OWNER_ID);
      const onCreate = conditionKeys(s).includes('ecs:CreateAction') && conditionValue(s, `aws:RequestTag/${TAG.owner}`).includes(OWNER_ID);
      expect(owned || onCreate, `${s.Sid}: TagResource needs the owner tag or tag-on-create`).toBe(true);
    }
    for (const s of statementsWith('iam:PassRole')) {
      expect(conditionValue(s, 'iam:PassedToService')).toEqual(['ecs-tasks.amazonaws.com']);
      expect(resourcesOf(s).sort()).toEqual([...SESSION_ROLES].sort());
    }
    for (const s of statementsWith('elasticfilesystem:TagResource')) expect(conditionValue(s, 'elasticfilesystem:CreateAction')).toEqual(['CreateAccessPoint']);
    for (const s of statementsWith('elasticfilesystem:CreateAccessPoint')) expect(conditionValue(s, `aws:RequestTag/${TAG.owner}`)).toEqual([OWNER_ID]);
    for (const s of statementsWith('elasticfilesystem:DeleteAccessPoint')) expect(conditionValue(s, `aws:ResourceTag/${TAG.owner}`)).toEqual([OWNER_ID]);
  });

  it.each(DENIED)('(c) denies: %s', (_, req) => {
    expect(isAllowed(policy, req)).toBe(false);
  });
});
