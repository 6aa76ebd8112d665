/**
 * Issue 18, items 1, 2 and 4 end to end: the real SDK against the simulator over HTTP, real Redis,
 * the daemon as production wires it. Judged by what the simulator received.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidSpecError } from '../../src/desired/errors.js';
import { findCondition } from '../../src/desired/schema.js';
import { TAG } from '../../src/observed/model.js';
import { eventually, FILE_SYSTEM_ID, startStack, TEMPLATES, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const WITH_ENV = { shell: { ...TEMPLATES.shell, environment: { SESSION_EGRESS: 'deny', TZ: 'UTC' } } };

function overridesOf(s: Stack, sessionId: string): Array<{ name?: string; value?: string }> {
  const task = s.core.ecs.tasks.list().find((t) => t.tags.some((tag) => tag.key === TAG.session && tag.value === sessionId));
  return task?.overrides?.containerOverrides?.flatMap((c) => c.environment ?? []) ?? [];
}

describe('per-user EFS directories over HTTP', () => {
  it('gives alice@example.com and alice_example.com-ff8d9819 two access points with different roots, both POSIX 1000', async () => {
    stack = await startStack();
    await stack.client.ensureSession({ id: 'a1', userId: 'alice@example.com', template: 'shell', persistence: 'required' });
    await stack.client.ensureSession({ id: 'a2', userId: 'alice_example.com-ff8d9819', template: 'shell', persistence: 'required' });
    await stack.client.waitForReady('a1', { signal: AbortSignal.timeout(15_000) });
    await stack.client.waitForReady('a2', { signal: AbortSignal.timeout(15_000) });
    const aps = stack.core.efs.all();
    const roots = aps.map((a) => a.RootDirectory?.Path).sort();
    expect(roots).toEqual(['/esr/users/alice%40example.com', '/esr/users/alice_example.com-ff8d9819']);
    for (const a of aps) expect(a.PosixUser).toMatchObject({ Uid: 1000, Gid: 1000 });
  });

  it('never mounts an access point made under the old colliding mapping: the user gets one at the new root', async () => {
    stack = await startStack({ start: false });
    const legacy = stack.core.efs.createAccessPoint({
      ClientToken: 'legacy-alice',
      FileSystemId: FILE_SYSTEM_ID,
      PosixUser: { Uid: 1000, Gid: 1000 },
      RootDirectory: { Path: '/esr/users/alice_example.com-ff8d9819', CreationInfo: { OwnerUid: 1000, OwnerGid: 1000, Permissions: '0700' } },
      Tags: [
        { Key: TAG.owner, Value: stack.config.ownerId },
        { Key: TAG.user, Value: 'alice@example.com' },
      ],
    });
    await stack.daemon.controller.start();
    await stack.client.ensureSession({ id: 'a1', userId: 'alice@example.com', template: 'shell', persistence: 'required' });
    const ready = await stack.client.waitForReady('a1', { signal: AbortSignal.timeout(15_000) });
    const mounted = findCondition(ready, 'Persistence')?.message ?? '';
    expect(mounted).not.toContain(legacy.AccessPointId!);
    const fresh = stack.core.efs.all().find((a) => a.AccessPointId !== legacy.AccessPointId);
    expect(fresh?.RootDirectory?.Path).toBe('/esr/users/alice%40example.com');
    expect(mounted).toContain(fresh!.AccessPointId!);
  });
});

describe('a userId change is a new identity over HTTP', () => {
  it("relaunches on bob's own access point; alice's task and access point never serve bob (persistence required)", async () => {
    stack = await startStack();
    await stack.client.ensureSession({ id: 's1', userId: 'alice', template: 'shell', persistence: 'required' });
    const first = await stack.client.waitForReady('s1', { signal: AbortSignal.timeout(15_000) });
    const tasks = (): ReturnType<Stack['core']['dump']>['tasks'] => stack!.core.dump().tasks;
    const alicesAp = tasks().find((t) => t.taskArn === first.taskArn)!.content.accessPointId;
    expect(alicesAp).toBeDefined();
    const g2 = await stack.client.ensureSession({ id: 's1', userId: 'bob', template: 'shell', persistence: 'required' });
    expect(g2.spec.generation).toBe(2);
    const ready = await stack.client.waitForReady('s1', { generation: 2, signal: AbortSignal.timeout(15_000) });
    expect(ready.taskArn).not.toBe(first.taskArn);
    const served = tasks().find((t) => t.taskArn === ready.taskArn)!;
    expect(served.tags[TAG.user]).toBe('bob');
    expect(served.content.environment['ESR_USER_ID']).toBe('bob');
    const bobsAp = stack.core.efs.all().find((a) => a.AccessPointId === served.content.accessPointId);
    expect(bobsAp?.RootDirectory?.Path).toBe('/esr/users/bob');
    expect(served.content.accessPointId).not.toBe(alicesAp);
    expect(findCondition(ready, 'Persistence')).toMatchObject({ status: 'True', reason: 'Mounted' });
    expect(findCondition(ready, 'Persistence')?.message).toContain(bobsAp!.AccessPointId!);
    await eventually("alice's task stopped", () => tasks().find((t) => t.taskArn === first.taskArn)!.desiredStatus === 'STOPPED');
    // No task of alice's (tag or mount) serves the session any more.
    const live = tasks().filter((t) => t.tags[TAG.session] === 's1' && t.desiredStatus !== 'STOPPED');
    expect(live.map((t) => [t.tags[TAG.user], t.content.accessPointId])).toEqual([['bob', bobsAp!.AccessPointId]]);
  }, 60_000);
});

describe('template env is fixed over HTTP', () => {
  it('refuses an override of a template variable in any letter case, naming it, and launches nothing for it', async () => {
    stack = await startStack({ env: { RECONCILER_TEMPLATES: JSON.stringify(WITH_ENV) } });
    await stack.client.ensureSession({ id: 'e1', userId: 'u1', template: 'shell', persistence: 'none', env: { SESSION_EGRESS: 'allow' } });
    await stack.client.ensureSession({ id: 'e2', userId: 'u2', template: 'shell', persistence: 'none', env: { session_egress: 'allow' } });
    await stack.client.ensureSession({ id: 'e3', userId: 'u3', template: 'shell', persistence: 'none', env: { EXTRA: '1' } });
    await stack.client.waitForReady('e3', { signal: AbortSignal.timeout(15_000) });
    for (const [id, name] of [
      ['e1', 'SESSION_EGRESS'],
      ['e2', 'session_egress'],
    ] as const) {
      await eventually(`${id} Failed with EnvConflict`, async () => (await stack!.client.getSession(id))?.status?.phase === 'Failed');
      const invalid = findCondition((await stack.client.getSession(id))!.status, 'Invalid');
      expect(invalid).toMatchObject({ status: 'True', reason: 'EnvConflict' });
      expect(invalid?.message).toContain(name);
      expect(overridesOf(stack, id)).toEqual([]);
    }
    const added = overridesOf(stack, 'e3');
    expect(added.map((e) => e.name).sort()).toEqual(['ESR_SESSION_ID', 'ESR_USER_ID', 'EXTRA']);
    expect(stack.core.getStats().byOperation.RunTask?.ok).toBe(1);
  });

  it('rejects reserved prefixes in any letter case at the gateway, naming the variable', async () => {
    stack = await startStack({ start: false });
    for (const name of ['aws_container_credentials_full_uri', 'esr_user_id', 'Ecs_Agent_Uri', 'AWS_REGION']) {
      const err = await stack.client.ensureSession({ id: 'r1', userId: 'u1', template: 'shell', env: { [name]: 'x' } }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidSpecError);
      expect(`${(err as InvalidSpecError).field} ${(err as Error).message}`).toContain(name);
    }
  });
});
