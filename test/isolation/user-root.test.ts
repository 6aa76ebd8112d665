/**
 * Issue 18, item 2: userId -> EFS root directory is one-to-one by construction, fits EFS's
 * limits, keeps the paths of ids earlier versions wrote verbatim, and an access point made under
 * the old (colliding) mapping never serves anyone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { USER_ID_PATTERN } from '../../src/desired/schema.js';
import { accessPointServes, EFS_ROOT_PATH_MAX, SESSION_POSIX_USER, userRootPath } from '../../src/observed/user-root.js';
import { anAccessPoint, OWNER } from '../fixtures/builders.js';

/** EFS API reference, RootDirectory.Path. */
const EFS_PATH_PATTERN = /^(\/|(\/(?!\.)+[^$#<>;`|&?{}^*/\n]+){1,4})$/;
const USER_CHARS = 'abcAZ09_.:/=+@-%~'.split('').filter((c) => /[A-Za-z0-9_.:/=+@-]/.test(c));
const userId = fc
  .tuple(fc.constantFrom(...'aZ0'.split('')), fc.array(fc.constantFrom(...USER_CHARS), { maxLength: 127 }))
  .map(([first, rest]) => first + rest.join(''))
  .filter((u) => USER_ID_PATTERN.test(u));

describe('userRootPath', () => {
  it('gives the two ids of the issue different directories', () => {
    const a = userRootPath('alice@example.com');
    const b = userRootPath('alice_example.com-ff8d9819');
    expect(a).toBe('/esr/users/alice%40example.com');
    expect(b).toBe('/esr/users/alice_example.com-ff8d9819');
    expect(a).not.toBe(b);
  });

  it('keeps the directory of ids that were already path-safe (no migration for them)', () => {
    expect(userRootPath('alice')).toBe('/esr/users/alice');
    expect(userRootPath('u-1.x_y')).toBe('/esr/users/u-1.x_y');
  });

  it('escapes / so a user id never adds a directory level', () => {
    expect(userRootPath('team/alice')).toBe('/esr/users/team%2Falice');
  });

  it('hashes ids whose escaped form is longer than EFS allows, in a form no other id produces', () => {
    const long = 'a'.repeat(128);
    const p = userRootPath(long);
    expect(p).toMatch(/^\/esr\/users\/~[0-9a-f]{64}$/);
    expect(userRootPath(`${'a'.repeat(127)}b`)).not.toBe(p);
  });

  it('is injective over random ids and its paths always satisfy the EFS path rules', () => {
    const seen = new Map<string, string>();
    fc.assert(
      fc.property(userId, (u) => {
        const p = userRootPath(u);
        expect(p.length).toBeLessThanOrEqual(EFS_ROOT_PATH_MAX);
        expect(p).toMatch(EFS_PATH_PATTERN);
        expect(p.split('/')).toHaveLength(4);
        const other = seen.get(p);
        if (other !== undefined) expect(other).toBe(u);
        seen.set(p, u);
      }),
      { numRuns: 3000 },
    );
    // Adversarial pairs: a verbatim id equal to another id's escaped form is impossible ('%' is not a user-id character).
    for (const [x, y] of [
      ['a@b', 'a_b'],
      ['a:b', 'a.b'],
      ['a/b', 'a_b'],
      ['A', 'a'],
    ]) expect(userRootPath(x!)).not.toBe(userRootPath(y!));
  });
});

describe('accessPointServes', () => {
  it('accepts our access point at the user root with the session POSIX user', () => {
    expect(accessPointServes(anAccessPoint({ userId: 'alice@example.com' }), 'alice@example.com', OWNER)).toBe(true);
  });

  it('refuses one under the old colliding mapping, another owner, another user, another uid', () => {
    const legacy = anAccessPoint({ userId: 'alice@example.com', rootPath: '/esr/users/alice_example.com-ff8d9819' });
    expect(accessPointServes(legacy, 'alice@example.com', OWNER)).toBe(false);
    expect(accessPointServes(anAccessPoint({ userId: 'bob' }), 'alice', OWNER)).toBe(false);
    expect(accessPointServes(anAccessPoint({ userId: 'bob' }), 'bob', 'someone-else')).toBe(false);
    expect(accessPointServes(anAccessPoint({ userId: 'bob', posixUser: { uid: 0, gid: 0 } }), 'bob', OWNER)).toBe(false);
    expect(accessPointServes(anAccessPoint({ userId: 'bob', posixUser: undefined }), 'bob', OWNER)).toBe(false);
    expect(accessPointServes(anAccessPoint({ userId: 'bob', lifeCycleState: 'deleting' }), 'bob', OWNER)).toBe(false);
    expect(SESSION_POSIX_USER).toEqual({ uid: 1000, gid: 1000 });
  });
});
