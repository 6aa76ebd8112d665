/** The test-only IAM evaluator: the semantics the policy tests rely on. */
import { describe, expect, it } from 'vitest';
import { globMatch, isAllowed, renderPlaceholders, type Policy } from './support/iam-eval.js';

const policy = (statement: Policy['Statement'][number]): Policy => ({ Version: '2012-10-17', Statement: [statement] });

describe('iam-eval', () => {
  it('matches * and ? globs, actions case-insensitively', () => {
    expect(globMatch('arn:aws:ecs:*:*:task-definition/esr-*', 'arn:aws:ecs:eu-west-1:1:task-definition/esr-a-b:3')).toBe(true);
    expect(globMatch('arn:aws:ecs:*:*:task-definition/esr-*', 'arn:aws:ecs:eu-west-1:1:task-definition/other:3')).toBe(false);
    expect(globMatch('ecs:runtask', 'ecs:RunTask', true)).toBe(true);
    expect(globMatch('a?c', 'abc')).toBe(true);
    expect(globMatch('a.c', 'abc'), 'regex metacharacters are literal').toBe(false);
  });

  it('requires every condition key; a missing single-valued key fails', () => {
    const p = policy({ Effect: 'Allow', Action: 'ecs:StopTask', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/o': 'me' }, ArnEquals: { 'ecs:cluster': 'c' } } });
    expect(isAllowed(p, { action: 'ecs:StopTask', resource: 'x', context: { 'aws:ResourceTag/o': 'me', 'ecs:cluster': 'c' } })).toBe(true);
    expect(isAllowed(p, { action: 'ecs:StopTask', resource: 'x', context: { 'aws:ResourceTag/o': 'me' } })).toBe(false);
    expect(isAllowed(p, { action: 'ecs:StopTask', resource: 'x', context: { 'aws:ResourceTag/o': 'you', 'ecs:cluster': 'c' } })).toBe(false);
  });

  it('ForAllValues holds for every value and for a missing key (AWS semantics)', () => {
    const p = policy({ Effect: 'Allow', Action: 'ecs:TagResource', Resource: '*', Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['esr:*'] } } });
    expect(isAllowed(p, { action: 'ecs:TagResource', resource: 'x', context: { 'aws:TagKeys': ['esr:a', 'esr:b'] } })).toBe(true);
    expect(isAllowed(p, { action: 'ecs:TagResource', resource: 'x', context: { 'aws:TagKeys': ['esr:a', 'team'] } })).toBe(false);
    expect(isAllowed(p, { action: 'ecs:TagResource', resource: 'x', context: {} })).toBe(true);
  });

  it('lets a Deny win, and refuses what it does not model', () => {
    const p: Policy = {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ecs:*', Resource: '*' },
        { Effect: 'Deny', Action: 'ecs:StopTask', Resource: '*' },
      ],
    };
    expect(isAllowed(p, { action: 'ecs:RunTask', resource: 'x' })).toBe(true);
    expect(isAllowed(p, { action: 'ecs:StopTask', resource: 'x' })).toBe(false);
    const unknownOp = policy({ Effect: 'Allow', Action: 'a:b', Resource: '*', Condition: { NumericLessThan: { k: '1' } } });
    expect(() => isAllowed(unknownOp, { action: 'a:b', resource: 'x', context: { k: '0' } })).toThrow(/unsupported condition operator/);
    const notAction = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: 'a:b', Action: 'a:c', Resource: '*' }] } as unknown as Policy;
    expect(() => isAllowed(notAction, { action: 'a:c', resource: 'x' })).toThrow(/unsupported statement element/);
  });

  it('negated StringNotEquals, ForAnyValue, Null and Principal follow AWS semantics', () => {
    const notOwner = policy({ Effect: 'Allow', Action: 'ecs:TagResource', Resource: '*', Condition: { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': ['esr:owner'] } } });
    expect(isAllowed(notOwner, { action: 'ecs:TagResource', resource: 'x', context: { 'aws:TagKeys': ['esr:a', 'esr:b'] } })).toBe(true);
    expect(isAllowed(notOwner, { action: 'ecs:TagResource', resource: 'x', context: { 'aws:TagKeys': ['esr:a', 'esr:owner'] } })).toBe(false);
    const any = policy({ Effect: 'Allow', Action: 'a:b', Resource: '*', Condition: { 'ForAnyValue:StringEquals': { k: ['x'] } } });
    expect(isAllowed(any, { action: 'a:b', resource: 'r', context: { k: ['y', 'x'] } })).toBe(true);
    expect(isAllowed(any, { action: 'a:b', resource: 'r', context: { k: ['y'] } })).toBe(false);
    expect(isAllowed(any, { action: 'a:b', resource: 'r', context: {} }), 'a missing ForAnyValue key fails').toBe(false);
    const absent = policy({ Effect: 'Allow', Action: 'a:b', Resource: '*', Condition: { Null: { k: 'true' } } });
    expect(isAllowed(absent, { action: 'a:b', resource: 'r', context: {} })).toBe(true);
    expect(isAllowed(absent, { action: 'a:b', resource: 'r', context: { k: 'v' } })).toBe(false);
    const forRole = policy({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::1:role/r' }, Action: 'a:b', Resource: '*' });
    expect(isAllowed(forRole, { action: 'a:b', resource: 'r', principal: 'arn:aws:iam::1:role/r' })).toBe(true);
    expect(isAllowed(forRole, { action: 'a:b', resource: 'r', principal: 'arn:aws:iam::1:role/other' })).toBe(false);
    expect(isAllowed(policy({ Effect: 'Allow', Principal: '*', Action: 'a:b', Resource: '*' }), { action: 'a:b', resource: 'r' })).toBe(true);
  });

  it('renders placeholders and throws on an unknown one', () => {
    expect(renderPlaceholders('arn:${A}:${B}', { A: '1', B: '2' })).toBe('arn:1:2');
    expect(() => renderPlaceholders('${NOPE}', {})).toThrow(/NOPE/);
  });
});
