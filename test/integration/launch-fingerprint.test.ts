/**
 * One truth of what a task runs (issue #15), end to end: real Redis, the simulator over HTTP,
 * the real AWS SDK, the daemon as production wires it. What a task runs is read from the
 * simulator's own records (task definition, effective environment, access point), never from
 * the controller's tags.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SimTaskSummary } from '../../src/sim/core.js';
import { TAG } from '../../src/observed/model.js';
import { eventually, startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const MUTATING = ['RunTask', 'StopTask', 'TagResource', 'RegisterTaskDefinition', 'CreateAccessPoint'] as const;
const POOLS = JSON.stringify({ 'shell-warm': { template: 'shell', maxSize: 20 } });

function task(s: Stack, arn: string | undefined): SimTaskSummary | undefined {
  return s.core.dump().tasks.find((t) => t.taskArn === arn);
}
function live(s: Stack, id: string): SimTaskSummary[] {
  return s.core.dump().tasks.filter((t) => t.tags[TAG.session] === id && t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED');
}
function mutatingCalls(s: Stack): number {
  const by = s.core.getStats().byOperation as Record<string, { calls: number } | undefined>;
  return MUTATING.reduce((n, op) => n + (by[op]?.calls ?? 0), 0);
}
/** Waits out `n` full resyncs of the stack (2 s each) by watching the controller's sync time. */
async function resyncs(s: Stack, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const before = s.daemon.controller.cache.observedSyncedAt ?? 0;
    await eventually('a full resync', () => (s.daemon.controller.cache.observedSyncedAt ?? 0) > before, 15_000);
  }
}

describe('the launch fingerprint over HTTP with real Redis', () => {
  it('(1) a spec change while the task is still starting is applied: the task serving generation 2 runs MODE=new', async () => {
    stack = await startStack({ sim: { profile: 'fargate' } });
    await stack.client.ensureSession({ id: 'f1', userId: 'alice', template: 'shell', persistence: 'none', env: { MODE: 'old' } });
    await eventually('the first task exists', () => live(stack!, 'f1').length === 1);
    expect(live(stack, 'f1')[0]!.lastStatus).not.toBe('RUNNING');
    const g2 = await stack.client.ensureSession({ id: 'f1', userId: 'alice', template: 'shell', persistence: 'none', env: { MODE: 'new' } });
    expect(g2.spec.generation).toBe(2);
    const ready = await stack.client.waitForReady('f1', { generation: 2, signal: AbortSignal.timeout(30_000) });
    expect(ready.observedGeneration).toBe(2);
    expect(task(stack, ready.taskArn)!.content.environment).toMatchObject({ MODE: 'new', ESR_SESSION_ID: 'f1', ESR_USER_ID: 'alice' });
    await resyncs(stack, 2);
    expect(live(stack, 'f1').map((t) => t.content.environment['MODE'])).toEqual(['new']);
    expect(stack.core.getStats().byOperation['RunTask']?.ok).toBe(2);
  }, 60_000);

  it('(2) a warm claim honours the spec: a session with env takes the cold path; a label-only change later touches no task', async () => {
    stack = await startStack({ env: { RECONCILER_POOLS: POOLS } });
    await stack.client.setWarmPoolTarget('shell-warm', 2, { template: 'shell' });
    await eventually('2 warm tasks RUNNING', () => stack!.core.dump().tasks.filter((t) => t.tags[TAG.role] === 'warm' && t.lastStatus === 'RUNNING').length === 2);
    await stack.client.ensureSession({ id: 'w-env', userId: 'bob', template: 'shell', persistence: 'none', env: { MODE: 'x' } });
    const cold = await stack.client.waitForReady('w-env', { signal: AbortSignal.timeout(10_000) });
    expect(cold.warm).toBe(false);
    expect(task(stack, cold.taskArn)!.content.environment).toMatchObject({ MODE: 'x', ESR_SESSION_ID: 'w-env', ESR_USER_ID: 'bob' });
    await stack.client.ensureSession({ id: 'w-plain', userId: 'carol', template: 'shell', persistence: 'none' });
    const warm = await stack.client.waitForReady('w-plain', { signal: AbortSignal.timeout(10_000) });
    expect(warm.warm).toBe(true);
    // Ready only once ECS carries the session's identity: the gateway never reaches an anonymous task.
    expect(task(stack, warm.taskArn)!.tags).toMatchObject({ [TAG.session]: 'w-plain', [TAG.user]: 'carol' });
    await resyncs(stack, 1);
    const before = mutatingCalls(stack);
    const l = await stack.client.ensureSession({ id: 'w-plain', userId: 'carol', template: 'shell', persistence: 'none', labels: { tier: 'gold' } });
    expect(l.spec.generation).toBe(2);
    const after = await stack.client.waitForReady('w-plain', { generation: 2, signal: AbortSignal.timeout(10_000) });
    await resyncs(stack, 2);
    expect(after.taskArn).toBe(warm.taskArn);
    expect(mutatingCalls(stack) - before).toBe(0);
  }, 60_000);

  it('(3) a label-only change during an 8 s EFS read outage keeps the mounted task, and it stays mounted after', async () => {
    stack = await startStack();
    await stack.client.ensureSession({ id: 'p1', userId: 'dave', template: 'shell', persistence: 'preferred' });
    const first = await stack.client.waitForReady('p1', { signal: AbortSignal.timeout(10_000) });
    const ap = task(stack, first.taskArn)!.content.accessPointId;
    expect(ap).toBeDefined();
    await resyncs(stack, 1);
    const before = mutatingCalls(stack);
    stack.core.startOutage('efs', 8_000);
    await stack.client.ensureSession({ id: 'p1', userId: 'dave', template: 'shell', persistence: 'preferred', labels: { note: 'during-outage' } });
    await resyncs(stack, 2);
    await eventually('EFS outage over', () => stack!.core.dump().outages.length === 0, 15_000);
    await resyncs(stack, 2);
    const s = (await stack.client.getSession('p1'))!.status!;
    expect(s.taskArn).toBe(first.taskArn);
    expect(s.observedGeneration).toBe(2);
    expect(task(stack, s.taskArn)!.content.accessPointId).toBe(ap);
    expect(s.conditions.find((c) => c.type === 'Persistence')).toMatchObject({ status: 'True', reason: 'Mounted' });
    expect(mutatingCalls(stack) - before).toBe(0);
  }, 60_000);

  it('(4) make before break: with no capacity, an env change keeps the healthy task serving and says why; it is replaced once capacity returns', async () => {
    stack = await startStack();
    await stack.client.ensureSession({ id: 'm1', userId: 'erin', template: 'shell', persistence: 'none', env: { MODE: 'a' } });
    const first = await stack.client.waitForReady('m1', { signal: AbortSignal.timeout(10_000) });
    stack.core.mergeFaults({ capacityFailureRate: 1 });
    await stack.client.ensureSession({ id: 'm1', userId: 'erin', template: 'shell', persistence: 'none', env: { MODE: 'b' } });
    await eventually('the status says the replacement cannot start', async () => {
      const s = (await stack!.client.getSession('m1'))!.status!;
      return s.conditions.some((c) => c.type === 'Updating' && c.reason !== 'ReplacementStarting');
    });
    await resyncs(stack, 1);
    const during = (await stack.client.getSession('m1'))!.status!;
    expect(during).toMatchObject({ phase: 'Running', taskArn: first.taskArn, observedGeneration: 1, targetGeneration: 2 });
    expect(during.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(task(stack, first.taskArn)!.lastStatus).toBe('RUNNING');
    expect(live(stack, 'm1')).toHaveLength(1);
    stack.core.mergeFaults({ capacityFailureRate: 0 });
    const ready = await stack.client.waitForReady('m1', { generation: 2, signal: AbortSignal.timeout(30_000) });
    expect(ready.taskArn).not.toBe(first.taskArn);
    expect(task(stack, ready.taskArn)!.content.environment['MODE']).toBe('b');
    await eventually('the old task stopped after the new one runs', () => live(stack!, 'm1').length === 1);
  }, 60_000);

  it('(5) a userId change with persistence none relaunches for the new user; the old identity never serves', async () => {
    stack = await startStack();
    await stack.client.ensureSession({ id: 'u1', userId: 'alice', template: 'shell', persistence: 'none' });
    const first = await stack.client.waitForReady('u1', { signal: AbortSignal.timeout(10_000) });
    await stack.client.ensureSession({ id: 'u1', userId: 'bob', template: 'shell', persistence: 'none' });
    const ready = await stack.client.waitForReady('u1', { generation: 2, signal: AbortSignal.timeout(10_000) });
    expect(ready.taskArn).not.toBe(first.taskArn);
    const t = task(stack, ready.taskArn)!;
    expect(t.tags[TAG.user]).toBe('bob');
    expect(t.content.environment['ESR_USER_ID']).toBe('bob');
    await eventually("alice's task stopped", () => task(stack!, first.taskArn)!.desiredStatus === 'STOPPED');
  }, 60_000);
});

describe('preconditions checked where the action happens', () => {
  it('scale-down (target 6 -> 0) while 4 sessions claim warm tasks: no claimed task is stopped', async () => {
    stack = await startStack({ env: { RECONCILER_POOLS: POOLS, RECONCILER_WORKERS: '8' } });
    await stack.client.setWarmPoolTarget('shell-warm', 6, { template: 'shell' });
    await eventually('6 warm tasks RUNNING', () => stack!.core.dump().tasks.filter((t) => t.tags[TAG.role] === 'warm' && t.lastStatus === 'RUNNING').length === 6);
    await resyncs(stack, 1);
    const ids = ['sd-1', 'sd-2', 'sd-3', 'sd-4'];
    await Promise.all([stack.client.setWarmPoolTarget('shell-warm', 0, { template: 'shell' }), ...ids.map((id) => stack!.client.ensureSession({ id, userId: `u-${id}`, template: 'shell', persistence: 'none' }))]);
    const ready = await Promise.all(ids.map((id) => stack!.client.waitForReady(id, { signal: AbortSignal.timeout(15_000) })));
    await eventually('no idle warm task left', () => stack!.core.dump().tasks.filter((t) => t.tags[TAG.role] === 'warm' && t.desiredStatus !== 'STOPPED').length === 0, 15_000);
    await resyncs(stack, 2);
    for (const r of ready) {
      const t = task(stack, r.taskArn)!;
      expect(t.desiredStatus, `${r.taskArn} of a Ready session`).toBe('RUNNING');
      expect(t.stoppedReason ?? '').not.toContain('PoolAboveTarget');
    }
    for (const id of ids) expect((await stack.client.getSession(id))!.status!.phase).toBe('Running');
  }, 60_000);
});

describe('identity per life', () => {
  it('a session id re-created after a purge is a new life: fresh tokens, one RunTask, none of the old life\'s stop reasons', async () => {
    stack = await startStack();
    const input = { id: 'life', userId: 'frank', template: 'shell', persistence: 'none' as const };
    const first = await stack.client.ensureSession(input);
    let ready = await stack.client.waitForReady('life', { signal: AbortSignal.timeout(10_000) });
    // The old life goes through incarnations 1..3 (its tasks crash twice).
    for (const inc of [2, 3]) {
      stack.core.crashTask(ready.taskArn!, { stopCode: 'EssentialContainerExited', reason: `old life crash ${inc}` });
      await eventually(`incarnation ${inc} Running`, async () => (await stack!.client.getSession('life'))?.status?.incarnation === inc && (await stack!.client.getSession('life'))?.status?.phase === 'Running', 15_000);
      ready = (await stack.client.getSession('life'))!.status as typeof ready;
    }
    await stack.client.deleteSession('life');
    await eventually('purged', async () => (await stack!.client.getSession('life')) === undefined, 15_000);
    const runTasksBefore = stack.core.getStats().byOperation['RunTask']?.calls ?? 0;
    const second = await stack.client.ensureSession(input);
    expect(second.spec.uid).toBeDefined();
    expect(second.spec.uid).not.toBe(first.spec.uid);
    const seen: string[] = [];
    const unwatch = await stack.daemon.store.watchStatus('life', (s) => {
      for (const c of s?.conditions ?? []) seen.push(`${c.reason}: ${c.message}`);
    });
    const again = await stack.client.waitForReady('life', { signal: AbortSignal.timeout(10_000) });
    await unwatch();
    expect((stack.core.getStats().byOperation['RunTask']?.calls ?? 0) - runTasksBefore).toBe(1);
    expect(task(stack, again.taskArn)!.tags[TAG.uid]).toBe(second.spec.uid);
    expect(seen.filter((m) => m.includes('old life crash'))).toEqual([]);
    expect(again.incarnation).toBe(1);
  }, 60_000);
});

describe('make before break: a replacement that cannot start', () => {
  it('gives up after its start attempts; the old task keeps serving and waitForReady for the new generation rejects', async () => {
    stack = await startStack();
    await stack.client.ensureSession({ id: 'mf', userId: 'gina', template: 'shell', persistence: 'none', env: { MODE: 'a' } });
    const first = await stack.client.waitForReady('mf', { signal: AbortSignal.timeout(10_000) });
    stack.core.mergeFaults({ failToStartRate: 1 });
    const g2 = await stack.client.ensureSession({ id: 'mf', userId: 'gina', template: 'shell', persistence: 'none', env: { MODE: 'b' } });
    const failed = await stack.client.waitForReady('mf', { generation: g2.spec.generation, signal: AbortSignal.timeout(90_000) }).then(
      () => undefined,
      (err: unknown) => err as Error,
    );
    expect(failed?.name).toBe('SessionFailedError');
    const s = (await stack.client.getSession('mf'))!.status!;
    expect(s).toMatchObject({ phase: 'Running', taskArn: first.taskArn, observedGeneration: 1, targetGeneration: 2 });
    expect(s.conditions.find((c) => c.type === 'Updating')).toMatchObject({ status: 'False', reason: 'StartFailed' });
    expect(task(stack, first.taskArn)!.lastStatus).toBe('RUNNING');
  }, 120_000);
});

describe('identity per life: a failed old life', () => {
  it('a session whose old life failed 3 starts is re-created after its purge and starts at once', async () => {
    stack = await startStack();
    const input = { id: 'failed-life', userId: 'hana', template: 'shell', persistence: 'none' as const };
    stack.core.mergeFaults({ failToStartRate: 1 });
    await stack.client.ensureSession(input);
    await eventually('the old life is Failed', async () => (await stack!.client.getSession('failed-life'))?.status?.phase === 'Failed', 60_000);
    stack.core.mergeFaults({ failToStartRate: 0 });
    await stack.client.deleteSession('failed-life');
    await eventually('purged', async () => (await stack!.client.getSession('failed-life')) === undefined, 15_000);
    const before = stack.core.getStats().byOperation['RunTask']?.calls ?? 0;
    const second = await stack.client.ensureSession(input);
    const ready = await stack.client.waitForReady('failed-life', { generation: second.spec.generation, signal: AbortSignal.timeout(15_000) });
    expect(ready.attempts).toBe(0);
    expect((stack.core.getStats().byOperation['RunTask']?.calls ?? 0) - before).toBe(1);
    expect(task(stack, ready.taskArn)!.tags[TAG.uid]).toBe(second.spec.uid);
  }, 120_000);
});
