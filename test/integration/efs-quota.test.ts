/**
 * Issue #17, scenario 4: the EFS file system is at its access-point limit (EFS answers
 * CreateAccessPoint with AccessPointLimitExceeded, HTTP 403). A new user's session with
 * `persistence: preferred` runs without persistence and says why; with `required` it is
 * Pending with the limit named. Either way CreateAccessPoint is not retried blindly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ACCESS_POINT_REFUSAL_RECHECK_MS } from '../../src/controller/execute/access-point.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import { eventually, FILE_SYSTEM_ID, startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

/** A file system holding one access point made by someone else, with a limit of one: full. */
async function fullFileSystem(env: Record<string, string> = {}): Promise<{ stack: Stack; otherId: string }> {
  const s = await startStack({ sim: { accessPointLimit: 1 }, env });
  const other = s.core.efs.createAccessPoint({ ClientToken: 'someone-else', FileSystemId: FILE_SYSTEM_ID, RootDirectory: { Path: '/other' } });
  return { stack: s, otherId: other.AccessPointId! };
}

const createCalls = (s: Stack): number => s.core.stats.snapshot().byOperation.CreateAccessPoint?.calls ?? 0;
const persistenceOf = (st: SessionStatus | undefined) => st?.conditions.find((c) => c.type === 'Persistence');

/** At most one CreateAccessPoint per refusal interval (the first attempt, then one per recheck). */
function allowedCalls(startedAt: number, recheckMs = ACCESS_POINT_REFUSAL_RECHECK_MS): number {
  return 1 + Math.ceil((Date.now() - startedAt) / recheckMs);
}

describe('EFS access-point limit (AccessPointLimitExceeded) over HTTP with real Redis', () => {
  it('persistence: preferred runs without persistence, Persistence=False naming the limit', async () => {
    stack = (await fullFileSystem()).stack;
    const s = stack;
    const startedAt = Date.now();
    await s.client.ensureSession({ id: 'p1', userId: 'newuser', template: 'shell', persistence: 'preferred' });
    const ready = await s.client.waitForReady('p1', { signal: AbortSignal.timeout(60_000) });
    expect(ready.phase).toBe('Running');
    expect(persistenceOf(ready)).toMatchObject({ status: 'False', reason: 'AccessPointLimitExceeded' });
    expect(persistenceOf(ready)!.message).toMatch(/running without persistence/);
    expect(s.core.stats.snapshot().errorsByCode.AccessPointLimitExceeded).toBeGreaterThanOrEqual(1);
    // A later change of the same session reconciles again without asking EFS again.
    await s.client.ensureSession({ id: 'p1', userId: 'newuser', template: 'shell', persistence: 'preferred', labels: { note: 'again' } });
    await eventually('the change observed', async () => (await s.client.getSession('p1'))?.status?.observedGeneration === 2, 30_000);
    expect(createCalls(s)).toBeGreaterThanOrEqual(1);
    expect(createCalls(s)).toBeLessThanOrEqual(allowedCalls(startedAt));
    expect(s.core.efs.describeAccessPoints({ FileSystemId: FILE_SYSTEM_ID }).AccessPoints).toHaveLength(1);
  });

  it('persistence: required is Pending with a status naming AccessPointLimitExceeded, and starts no task', async () => {
    stack = (await fullFileSystem()).stack;
    const s = stack;
    const startedAt = Date.now();
    await s.client.ensureSession({ id: 'r1', userId: 'newuser', template: 'shell', persistence: 'required' });
    await eventually('status names the limit', async () => persistenceOf((await s.client.getSession('r1'))?.status)?.reason === 'AccessPointLimitExceeded', 30_000);
    const st = (await s.client.getSession('r1'))!.status!;
    expect(st.phase).toBe('Pending');
    expect(persistenceOf(st)).toMatchObject({ status: 'False', reason: 'AccessPointLimitExceeded' });
    expect(st.conditions.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: 'AccessPointLimitExceeded' });
    expect(persistenceOf(st)!.message).toMatch(/waiting \(persistence: required\)/);
    await s.client.ensureSession({ id: 'r1', userId: 'newuser', template: 'shell', persistence: 'required', labels: { note: 'again' } });
    await eventually('the change observed', async () => (await s.client.getSession('r1'))?.status?.observedGeneration === 2, 30_000);
    expect((await s.client.getSession('r1'))!.status!.phase).toBe('Pending');
    expect(createCalls(s)).toBeGreaterThanOrEqual(1);
    expect(createCalls(s)).toBeLessThanOrEqual(allowedCalls(startedAt));
    expect(s.core.stats.snapshot().byOperation.RunTask?.calls ?? 0).toBe(0);
  });

  it('persistence: required starts with its access point once the limit leaves room, asking EFS once per recheck interval', async () => {
    const RECHECK_MS = 1500;
    const full = await fullFileSystem({ RECONCILER_EFS_REFUSAL_RECHECK_MS: String(RECHECK_MS) });
    stack = full.stack;
    const s = stack;
    const startedAt = Date.now();
    await s.client.ensureSession({ id: 'r2', userId: 'newuser', template: 'shell', persistence: 'required' });
    await eventually('status names the limit', async () => persistenceOf((await s.client.getSession('r2'))?.status)?.reason === 'AccessPointLimitExceeded', 30_000);
    s.core.efs.deleteAccessPoint({ AccessPointId: full.otherId });
    const ready = await s.client.waitForReady('r2', { signal: AbortSignal.timeout(60_000) });
    expect(persistenceOf(ready)).toMatchObject({ status: 'True', reason: 'Mounted' });
    expect(createCalls(s)).toBeGreaterThanOrEqual(2);
    expect(createCalls(s)).toBeLessThanOrEqual(allowedCalls(startedAt, RECHECK_MS));
  });
});
