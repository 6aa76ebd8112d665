/**
 * Every drift kind end to end: real Redis, the simulator over HTTP, the real AWS SDK, the
 * daemon as production wires it. Real time with the simulator's fast profile and a 2 s resync.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TAG } from '../../src/observed/model.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import { eventually, startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const spec = (id: string, persistence: 'none' | 'preferred' | 'required' = 'none') => ({ id, userId: `user-${id}`, template: 'shell', persistence });

function liveTasksOf(s: Stack, id: string) {
  return s.core.dump().tasks.filter((t) => t.tags[TAG.session] === id && t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED');
}

async function status(s: Stack, id: string): Promise<SessionStatus | undefined> {
  return (await s.client.getSession(id))?.status;
}

describe('drift kinds over HTTP with real Redis', () => {
  it('MissingTask + TaskDefinitionMissing + AccessPointMissing: a new session with persistence becomes Ready', async () => {
    stack = await startStack();
    await stack.client.ensureSession(spec('a1', 'preferred'));
    const ready = await stack.client.waitForReady('a1', { signal: AbortSignal.timeout(10_000) });
    expect(ready.endpoint.port).toBe(8080);
    expect(ready.conditions.find((c) => c.type === 'Persistence')).toMatchObject({ status: 'True', reason: 'Mounted' });
    const stats = stack.core.getStats().byOperation;
    expect(stats.CreateAccessPoint?.ok).toBe(1);
    expect(stats.RegisterTaskDefinition?.ok).toBe(1);
    expect(stats.RunTask?.ok).toBe(1);
  });

  it('TaskStopped (the seed case): a task stopped behind our back is Running again within one resync, and the gateway is told', async () => {
    stack = await startStack();
    await stack.client.ensureSession(spec('seed'));
    const first = await stack.client.waitForReady('seed', { signal: AbortSignal.timeout(10_000) });
    const seen: SessionStatus[] = [];
    const unwatch = await stack.daemon.store.watchStatus('seed', (s) => {
      if (s) seen.push(s);
    });
    stack.core.crashTask(first.taskArn!, { stopCode: 'EssentialContainerExited', reason: 'agent crashed' });
    const took = await eventually('a new incarnation Running', async () => {
      const s = await status(stack!, 'seed');
      return s?.phase === 'Running' && s.incarnation === first.incarnation + 1 && s.taskArn !== first.taskArn;
    });
    await unwatch();
    expect(took).toBeLessThan(2_000 * 1.1 + 1_500);
    const told = seen.find((s) => s.conditions.some((c) => c.type === 'Ready' && c.reason === 'TaskStopped'));
    expect(told?.conditions.find((c) => c.type === 'Ready')?.message).toContain('EssentialContainerExited');
    expect(liveTasksOf(stack, 'seed')).toHaveLength(1);
  });

  it('DuplicateTasks: a second task for the session is stopped, the RUNNING older one kept', async () => {
    stack = await startStack();
    await stack.client.ensureSession(spec('dup'));
    const ready = await stack.client.waitForReady('dup', { signal: AbortSignal.timeout(10_000) });
    const original = stack.core.dump().tasks.find((t) => t.taskArn === ready.taskArn)!;
    const family = stack.core.dump().taskDefinitions[0]!.arn;
    await stack.core.call('RunTask', { cluster: 'sessions', taskDefinition: family, count: 1, startedBy: 'esr-reconciler', launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } }, tags: Object.entries(original.tags).map(([key, value]) => ({ key, value })) });
    await eventually('duplicate stopped', () => liveTasksOf(stack!, 'dup').length === 1 && stack!.core.dump().tasks.filter((t) => t.tags[TAG.session] === 'dup').length === 2);
    expect(liveTasksOf(stack, 'dup')[0]!.taskArn).toBe(ready.taskArn);
  });

  it('OrphanTask: a task of ours with no desired session is stopped after the grace period; a foreign task never', async () => {
    stack = await startStack();
    await stack.client.ensureSession(spec('keep'));
    await stack.client.waitForReady('keep', { signal: AbortSignal.timeout(10_000) });
    const family = stack.core.dump().taskDefinitions[0]!.arn;
    const ours = { 'esr:owner': 'esr', 'esr:role': 'session', 'esr:session': 'ghost', 'esr:incarnation': '1' };
    const foreign = { 'esr:role': 'session', 'esr:session': 'ghost2', 'esr:incarnation': '1' };
    for (const tags of [ours, foreign]) {
      await stack.core.call('RunTask', { cluster: 'sessions', taskDefinition: family, count: 1, startedBy: 'esr-reconciler', launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } }, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) });
    }
    await eventually('orphan stopped', () => liveTasksOf(stack!, 'ghost').length === 0, 10_000);
    expect(stack.core.dump().tasks.find((t) => t.tags[TAG.session] === 'ghost')?.stoppedReason).toMatch(/OrphanTask/);
    expect(liveTasksOf(stack, 'ghost2')).toHaveLength(1);
  });

  it('Undesired: deleting a session stops its task and removes its records', async () => {
    stack = await startStack();
    await stack.client.ensureSession(spec('bye'));
    await stack.client.waitForReady('bye', { signal: AbortSignal.timeout(10_000) });
    await stack.client.deleteSession('bye');
    await eventually('records purged', async () => (await stack!.client.getSession('bye')) === undefined);
    expect(liveTasksOf(stack, 'bye')).toHaveLength(0);
  });

  it('quick delete-then-recreate: the new incarnation runs while the old task is still stopping', async () => {
    stack = await startStack();
    await stack.client.ensureSession(spec('again'));
    const first = await stack.client.waitForReady('again', { signal: AbortSignal.timeout(10_000) });
    await stack.client.deleteSession('again');
    await eventually('old task asked to stop', () => stack!.core.dump().tasks.some((t) => t.taskArn === first.taskArn && t.desiredStatus === 'STOPPED'));
    await stack.client.ensureSession(spec('again'));
    const second = await stack.client.waitForReady('again', { signal: AbortSignal.timeout(10_000) });
    expect(second.taskArn).not.toBe(first.taskArn);
    expect(second.incarnation).toBeGreaterThan(first.incarnation);
    await eventually('one live task', () => liveTasksOf(stack!, 'again').length === 1);
  });

  it('StuckStarting: a task that never reaches RUNNING is stopped and retried, then Failed after the attempts', async () => {
    stack = await startStack({
      env: { RECONCILER_TIMEOUTS: JSON.stringify({ steps: { ensureAccessPoint: 100, registerTaskDefinition: 100, runTask: 100, waitForRunning: 100, tagResource: 100 }, sessionStartMs: 800, readCallMs: 1000 }), RECONCILER_MAX_START_ATTEMPTS: '2' },
    });
    stack.core.setProfile({ ...stack.core.profile, name: 'stuck', provisioningMs: { min: 60_000, max: 60_000 } });
    await stack.client.ensureSession(spec('stuck'));
    await eventually('Failed', async () => (await status(stack!, 'stuck'))?.phase === 'Failed', 15_000);
    const s = (await status(stack, 'stuck'))!;
    expect(s.lastError?.reason).toBe('StuckStarting');
    expect(s.attempts).toBe(2);
    expect(stack.core.getStats().byOperation.RunTask?.ok).toBe(2);
    await eventually('stuck tasks stopped', () => liveTasksOf(stack!, 'stuck').length === 0);
  });

  it('StatusStale: a status that disagrees with ECS is rewritten from the observed facts', async () => {
    stack = await startStack();
    await stack.client.ensureSession(spec('stale'));
    const ready = await stack.client.waitForReady('stale', { signal: AbortSignal.timeout(10_000) });
    await stack.daemon.store.writeStatus('stale', { ...ready, phase: 'Stopped', endpoint: undefined, updatedAt: Date.now() }, 1);
    await eventually('Running again', async () => (await status(stack!, 'stale'))?.phase === 'Running');
    expect((await status(stack, 'stale'))!.taskArn).toBe(ready.taskArn);
  });

  it('InvalidSpec: garbage in one session key is reported Invalid; its neighbour is unaffected', async () => {
    stack = await startStack();
    await stack.client.ensureSession(spec('good'));
    const redis = (await import('../support/redis.js')).connectTestRedis();
    await redis.set(stack.daemon.store.keys.sessionSpec('bad'), '{"schemaVersion":1,"id":"bad"');
    await redis.zadd(stack.daemon.store.keys.sessionIndex, 0, 'bad');
    redis.disconnect();
    await stack.client.waitForReady('good', { signal: AbortSignal.timeout(10_000) });
    await eventually('Invalid condition', async () => (await stack!.daemon.store.readSession('bad'))?.status?.conditions.some((c) => c.type === 'Invalid') === true);
  });
});
