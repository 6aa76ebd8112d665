import { describe, expect, it } from 'vitest';
import {
  CLIENT_TOKEN_MAX,
  CONTENT_HASH_LENGTH,
  accessPointToken,
  contentHash,
  runTaskTokenForSession,
  runTaskTokenForWarmBatch,
  stableJson,
} from '../../src/observed/idempotency.js';

const ascii64 = /^[\x20-\x7e]{1,64}$/;

describe('RunTask client tokens', () => {
  it('are stable for the same session and incarnation', () => {
    expect(runTaskTokenForSession('sess-1', 3)).toBe(runTaskTokenForSession('sess-1', 3));
  });

  it('differ across incarnations and sessions', () => {
    const tokens = new Set([
      runTaskTokenForSession('a', 1),
      runTaskTokenForSession('a', 2),
      runTaskTokenForSession('b', 1),
      runTaskTokenForSession('a.1', 0),
      runTaskTokenForWarmBatch('a', '1'),
    ]);
    expect(tokens.size).toBe(5);
  });

  it('do not collide when separators move between parts', () => {
    expect(runTaskTokenForWarmBatch('p.q', 'r')).not.toBe(runTaskTokenForWarmBatch('p', 'q.r'));
    expect(accessPointToken('fs-1.u', 'x', '/p')).not.toBe(accessPointToken('fs-1', 'u.x', '/p'));
  });

  it('stay within 64 ASCII characters for long and non-ASCII ids', () => {
    const long = 'x'.repeat(500);
    for (const t of [
      runTaskTokenForSession(long, Number.MAX_SAFE_INTEGER),
      runTaskTokenForSession('用户-ü', 0),
      runTaskTokenForWarmBatch(long, long),
      accessPointToken('fs-0123456789abcdef0', long, `/esr/users/~${'a'.repeat(64)}`),
    ]) {
      expect(t.length).toBeLessThanOrEqual(CLIENT_TOKEN_MAX);
      expect(t).toMatch(ascii64);
    }
    expect(runTaskTokenForSession(long, 1)).not.toBe(runTaskTokenForSession(long + 'y', 1));
  });

  it('are readable when short', () => {
    expect(runTaskTokenForSession('s1', 2)).toBe('s.s1.2');
    expect(accessPointToken('fs-1', 'u1', '/esr/users/u1')).toMatch(/^ap-[0-9a-f]{48}$/);
    expect(accessPointToken('fs-1', 'u1', '/esr/users/u1'), 'the root path is part of the token').not.toBe(accessPointToken('fs-1', 'u1', '/esr/users/other'));
  });

  it('reject a bad incarnation', () => {
    expect(() => runTaskTokenForSession('s', -1)).toThrow(RangeError);
    expect(() => runTaskTokenForSession('s', 1.5)).toThrow(RangeError);
  });
});

describe('content hash', () => {
  it('ignores key order and undefined members', () => {
    expect(contentHash({ a: 1, b: { c: [1, 2], d: 'x' } })).toBe(contentHash({ b: { d: 'x', c: [1, 2] }, a: 1, z: undefined }));
    expect(stableJson({ b: 1, a: [{ y: 1, x: 2 }] })).toBe('{"a":[{"x":2,"y":1}],"b":1}');
  });

  it('changes when any input changes, including array order', () => {
    const base = contentHash({ image: 'img:1', env: ['A', 'B'] });
    expect(contentHash({ image: 'img:2', env: ['A', 'B'] })).not.toBe(base);
    expect(contentHash({ image: 'img:1', env: ['B', 'A'] })).not.toBe(base);
  });

  it('is lowercase hex of the documented length', () => {
    const h = contentHash({ x: 1 });
    expect(h).toHaveLength(CONTENT_HASH_LENGTH);
    expect(h).toMatch(/^[0-9a-f]+$/);
  });
});
