/**
 * Issue 18, items 3 and 9, with the project's IAM evaluator: what a session task's credentials
 * may do on the session file system (identity policy and file-system policy together), and that
 * the controller's role can never rewrite the owner tag of a task.
 *
 * The boundary AWS leaves (README, "Threat model"): all sessions share one task role, and IAM has
 * no condition key that ties a task's credentials to one access point, so IAM cannot tell one
 * user's access point from another's; the test pins that statement so it changes with the policy.
 */
import { describe, expect, it } from 'vitest';
import { TAG } from '../../src/observed/model.js';
import { claimTags } from '../../src/observed/task-tags.js';
import { isAllowed, type AuthRequest, type Policy } from './support/iam-eval.js';
import { renderedJson, SAMPLE } from './support/placeholders.js';

const { REGION, ACCOUNT_ID, CLUSTER, OWNER_ID, FILE_SYSTEM_ID } = SAMPLE;
const sessionRole = renderedJson<Policy>('deploy/iam/session-task-role-policy.json');
const fsPolicy = renderedJson<Policy>('deploy/efs/file-system-policy.json');
const controllerRole = renderedJson<Policy>('deploy/iam/controller-task-role-policy.json');

const SESSION_ROLE_ARN = `arn:aws:iam::${ACCOUNT_ID}:role/esr-session-task`;
const FS_ARN = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT_ID}:file-system/${FILE_SYSTEM_ID}`;
const ALICE_AP = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT_ID}:access-point/fsap-0aaaaaaaaaaaaaaaa`;
const BOB_AP = `arn:aws:elasticfilesystem:${REGION}:${ACCOUNT_ID}:access-point/fsap-0bbbbbbbbbbbbbbbb`;
const TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT_ID}:task/${CLUSTER}/0123456789abcdef0123456789abcdef`;

/** EFS authorizes a mount against the identity policy and the file-system policy; both must allow. */
function mountAllowed(action: string, context: Record<string, string>, principal = SESSION_ROLE_ARN, identity = sessionRole): boolean {
  const req: AuthRequest = { action, resource: FS_ARN, context, principal };
  return isAllowed(identity, req) && isAllowed(fsPolicy, req);
}
const viaAp = (ap: string, extra: Record<string, string> = {}) => ({ 'elasticfilesystem:AccessedViaMountTarget': 'true', 'aws:SecureTransport': 'true', 'elasticfilesystem:AccessPointArn': ap, ...extra });

describe('session task credentials on the session file system', () => {
  it('may mount and write through an access point, over TLS, via a mount target', () => {
    expect(mountAllowed('elasticfilesystem:ClientMount', viaAp(ALICE_AP))).toBe(true);
    expect(mountAllowed('elasticfilesystem:ClientWrite', viaAp(ALICE_AP))).toBe(true);
  });

  it.each([
    ['the file system root (no access point)', 'elasticfilesystem:ClientWrite', { 'elasticfilesystem:AccessedViaMountTarget': 'true', 'aws:SecureTransport': 'true' }],
    ['without TLS', 'elasticfilesystem:ClientMount', viaAp(ALICE_AP, { 'aws:SecureTransport': 'false' })],
    ['not through a mount target', 'elasticfilesystem:ClientMount', viaAp(ALICE_AP, { 'elasticfilesystem:AccessedViaMountTarget': 'false' })],
    ['as root (ClientRootAccess)', 'elasticfilesystem:ClientRootAccess', viaAp(ALICE_AP)],
  ])('may not mount %s', (_, action, context) => {
    expect(mountAllowed(action, context)).toBe(false);
  });

  it('holds no permission beyond mounting: no ECS, IAM, EFS API or other file system', () => {
    for (const action of ['ecs:RunTask', 'ecs:StopTask', 'ecs:TagResource', 'iam:PassRole', 'elasticfilesystem:CreateAccessPoint', 'elasticfilesystem:DescribeAccessPoints', 'sts:AssumeRole']) {
      expect(isAllowed(sessionRole, { action, resource: '*' }), action).toBe(false);
    }
    expect(isAllowed(sessionRole, { action: 'elasticfilesystem:ClientMount', resource: FS_ARN.replace(FILE_SYSTEM_ID, 'fs-0fffffffffffffff0'), context: viaAp(ALICE_AP) })).toBe(false);
  });

  it('the file-system policy admits no other principal, whatever its identity policy says', () => {
    const anything: Policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'elasticfilesystem:*', Resource: '*' }] };
    expect(mountAllowed('elasticfilesystem:ClientMount', viaAp(ALICE_AP), `arn:aws:iam::${ACCOUNT_ID}:role/esr-controller-task`, anything)).toBe(false);
    expect(mountAllowed('elasticfilesystem:ClientMount', viaAp(ALICE_AP), `arn:aws:iam::${ACCOUNT_ID}:role/gateway`, anything)).toBe(false);
  });

  it('boundary AWS leaves: IAM cannot tell one user\'s access point from another\'s under the shared role (README, Threat model)', () => {
    expect(mountAllowed('elasticfilesystem:ClientWrite', viaAp(BOB_AP))).toBe(true);
  });
});

describe('controller role and the owner tag (item 9)', () => {
  const tagReq = (tags: Record<string, string>, resourceOwner = OWNER_ID): AuthRequest => ({
    action: 'ecs:TagResource',
    resource: TASK_ARN,
    context: { [`aws:ResourceTag/${TAG.owner}`]: resourceOwner, 'aws:TagKeys': Object.keys(tags), ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])) },
  });

  it('may tag its own task for a claiming session', () => {
    expect(isAllowed(controllerRole, tagReq(claimTags('s-1', 2, 'alice@example.com')))).toBe(true);
  });

  it('may not rewrite esr:owner on its own task, alone or among other keys, nor remove it', () => {
    expect(isAllowed(controllerRole, tagReq({ [TAG.owner]: 'someone-else' }))).toBe(false);
    expect(isAllowed(controllerRole, tagReq({ [TAG.owner]: OWNER_ID, [TAG.session]: 's-1' }))).toBe(false);
    expect(isAllowed(controllerRole, { action: 'ecs:UntagResource', resource: TASK_ARN, context: { [`aws:ResourceTag/${TAG.owner}`]: OWNER_ID, 'aws:TagKeys': [TAG.owner] } })).toBe(false);
  });

  it('still sets the owner tag when it creates a task (tag-on-create)', () => {
    const onCreate: AuthRequest = { action: 'ecs:TagResource', resource: TASK_ARN, context: { 'ecs:CreateAction': 'RunTask', [`aws:RequestTag/${TAG.owner}`]: OWNER_ID, 'aws:TagKeys': [TAG.owner, TAG.role] } };
    expect(isAllowed(controllerRole, onCreate)).toBe(true);
  });
});
