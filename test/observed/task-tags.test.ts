import { describe, expect, it } from 'vitest';
import { TAG, type ObservedTask } from '../../src/observed/model.js';
import {
  InvalidTagError,
  claimTags,
  launchTags,
  ownedBy,
  poolOf,
  roleOf,
  sessionIdOf,
  specHashOf,
  userOf,
  validateTags,
} from '../../src/observed/task-tags.js';

function withTags(tags: Record<string, string>): Pick<ObservedTask, 'tags'> {
  return { tags };
}

describe('launch tags', () => {
  it('round-trip for a session launch', () => {
    const tags = launchTags({ owner: 'prod-1', role: 'session', sessionId: 's-42', incarnation: 7, specHash: 'abc' });
    expect(tags).toEqual({
      [TAG.owner]: 'prod-1',
      [TAG.role]: 'session',
      [TAG.session]: 's-42',
      [TAG.incarnation]: '7',
      [TAG.specHash]: 'abc',
    });
    const t = withTags(tags);
    expect(ownedBy(t, 'prod-1')).toBe(true);
    expect(ownedBy(t, 'prod-2')).toBe(false);
    expect(roleOf(t)).toBe('session');
    expect(sessionIdOf(t)).toBe('s-42');
    expect(poolOf(t)).toBeUndefined();
    expect(specHashOf(t)).toBe('abc');
    expect(userOf(t)).toBeUndefined();
    expect(userOf(withTags(launchTags({ owner: 'o', role: 'session', sessionId: 's', incarnation: 0, userId: 'u-1' })))).toBe('u-1');
    expect(userOf(withTags(claimTags('s', 1, 'u-2')))).toBe('u-2');
  });

  it('round-trip for a warm launch, then a claim', () => {
    const tags = launchTags({ owner: 'o', role: 'warm', pool: 'default' });
    expect(roleOf(withTags(tags))).toBe('warm');
    expect(poolOf(withTags(tags))).toBe('default');
    expect(sessionIdOf(withTags(tags))).toBeUndefined();
    const claimed = { ...tags, ...claimTags('s-1', 0) };
    expect(roleOf(withTags(claimed))).toBe('session');
    expect(sessionIdOf(withTags(claimed))).toBe('s-1');
    expect(poolOf(withTags(claimed))).toBe('default');
  });

  it('keep extra tags but let ours win', () => {
    const tags = launchTags({ owner: 'o', role: 'warm', pool: 'p' }, { team: 'x', [TAG.owner]: 'evil' });
    expect(tags['team']).toBe('x');
    expect(tags[TAG.owner]).toBe('o');
  });

  it('read nothing from an untagged task (lagging describe)', () => {
    const t = withTags({});
    expect(ownedBy(t, 'o')).toBe(false);
    expect(roleOf(t)).toBeUndefined();
    expect(sessionIdOf(t)).toBeUndefined();
  });

  it('reject a bad incarnation', () => {
    expect(() => launchTags({ owner: 'o', role: 'session', sessionId: 's', incarnation: -1 })).toThrow(InvalidTagError);
  });
});

describe('ECS tag limits', () => {
  it.each([
    ['key too long', { ['k'.repeat(129)]: 'v' }],
    ['empty key', { '': 'v' }],
    ['value too long', { k: 'v'.repeat(257) }],
    ['reserved prefix', { 'aws:x': 'v' }],
    ['bad characters in value', { k: 'a;b' }],
    ['bad characters in key', { 'k*': 'v' }],
  ])('rejects %s', (_name, tags) => {
    expect(() => validateTags(tags)).toThrow(InvalidTagError);
  });

  it('accepts the limits exactly and the allowed characters', () => {
    expect(() => validateTags({ ['k'.repeat(128)]: 'v'.repeat(256), 'a_b.c:d/e=f+g-h@i j': 'ü 1' })).not.toThrow();
  });

  it('rejects a session id that would make an invalid value', () => {
    expect(() => launchTags({ owner: 'o', role: 'session', sessionId: 's'.repeat(300), incarnation: 0 })).toThrow(/256/);
  });

  it('rejects more than 50 tags', () => {
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect(() => validateTags(many)).toThrow(/too many/);
  });
});
