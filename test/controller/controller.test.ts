import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import type { Controller } from '../../src/controller/controller.js';
import { isLive } from '../../src/observed/model.js';
import { simAws } from '../fixtures/sim-aws.js';
import { buildController } from '../support/controller-harness.js';

const lifecycle = { provisioningMs: 1000, pendingMs: 1000, activatingMs: 500, deactivatingMs: 500, stoppingMs: 1000, deprovisioningMs: 500 };

function setup(opts: { efs?: boolean } = {}) {
  const clock = new VirtualClock();
  const aws = simAws({ clock, lifecycle, fileSystemIds: ['fs-12345678'] });
  const store = new MemoryDesiredStore({ clock });
  store.setLeaderEpoch(1);
  const make = (): Controller => buildController({ aws: aws.api, store, clock, efsFileSystemId: opts.efs ? 'fs-12345678' : undefined });
  return { clock, aws, store, make };
}

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop(1000);
});

async function phaseOf(store: MemoryDesiredStore, id: string): Promise<string | undefined> {
  return (await store.readSession(id))?.status?.phase;
}

describe('Controller loop (in-process simulator, memory store, virtual time)', () => {
  it('brings new sessions to Running with an endpoint, then makes no mutating calls', async () => {
    const { clock, aws, store, make } = setup({ efs: true });
    for (const id of ['a', 'b', 'c']) await store.ensureSession({ id, userId: `user-${id}`, template: 'shell', persistence: 'preferred', env: {}, labels: {} });
    const c = make();
    running.push(c);
    await c.start();
    await clock.advanceUntil(() => ['a', 'b', 'c'].every((id) => c.cache.sessions.get(id)?.status?.phase === 'Running'), 60_000);
    const status = (await store.readSession('a'))!.status!;
    expect(status.endpoint?.port).toBe(8080);
    expect(status.conditions.find((x) => x.type === 'Persistence')?.status).toBe('True');
    expect(aws.calls.count('RunTask')).toBe(3);
    expect(aws.calls.count('CreateAccessPoint')).toBe(3);
    const mutatingBefore = aws.calls.mutating();
    await clock.advance(95_000);
    expect(aws.calls.mutating()).toBe(mutatingBefore);
  });

  it('seed case: a task stopped behind our back is Running again (new incarnation) within one resync', async () => {
    const { clock, aws, store, make } = setup();
    await store.ensureSession({ id: 's1', userId: 'u', template: 'shell', persistence: 'none', env: {}, labels: {} });
    const c = make();
    running.push(c);
    await c.start();
    await clock.advanceUntil(() => c.cache.sessions.get('s1')?.status?.phase === 'Running', 60_000);
    const first = (await store.readSession('s1'))!.status!;
    aws.crash(first.taskArn!);
    const waited = await clock.advanceUntil(() => {
      const s = c.cache.sessions.get('s1')?.status;
      return s?.phase === 'Running' && s.incarnation === first.incarnation + 1;
    }, 40_000);
    expect(waited).toBeLessThanOrEqual(33_000 + 5_000);
    const after = (await store.readSession('s1'))!.status!;
    expect(after.taskArn).not.toBe(first.taskArn);
    expect(aws.tasks().filter(isLive)).toHaveLength(1);
  });

  it('a deleted session has its task stopped and its records purged', async () => {
    const { clock, aws, store, make } = setup();
    await store.ensureSession({ id: 'gone', userId: 'u', template: 'shell', persistence: 'none', env: {}, labels: {} });
    const c = make();
    running.push(c);
    await c.start();
    await clock.advanceUntil(() => c.cache.sessions.get('gone')?.status?.phase === 'Running', 60_000);
    await store.deleteSession('gone');
    await clock.advanceUntil(() => !c.cache.sessions.has('gone'), 60_000);
    expect(await store.readSession('gone')).toBeUndefined();
    expect(aws.tasks().filter(isLive)).toHaveLength(0);
  });

  it('a controller restarted with no memory adopts what it finds: no duplicate launches', async () => {
    const { clock, aws, store, make } = setup();
    for (let i = 0; i < 20; i++) await store.ensureSession({ id: `s${i}`, userId: 'u', template: 'shell', persistence: 'none', env: {}, labels: {} });
    const first = make();
    await first.start();
    await clock.advance(10);
    await first.stop(0);
    const second = make();
    running.push(second);
    await second.start();
    await clock.advanceUntil(() => [...Array(20).keys()].every((i) => second.cache.sessions.get(`s${i}`)?.status?.phase === 'Running'), 120_000);
    const live = aws.tasks().filter(isLive);
    expect(live).toHaveLength(20);
    expect(aws.calls.count('RunTask')).toBeGreaterThanOrEqual(20);
    expect(await phaseOf(store, 's0')).toBe('Running');
  });

  it('waits out an outage at start-up: the first full sync is retried with backoff, then work proceeds', async () => {
    const { clock, aws, store, make } = setup();
    await store.ensureSession({ id: 'late', userId: 'u', template: 'shell', persistence: 'none', env: {}, labels: {} });
    aws.failNext('ListTasks', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 3);
    const c = make();
    running.push(c);
    let started = false;
    void c.start().then(() => (started = true));
    await clock.advance(500);
    expect(started).toBe(false);
    await clock.advanceUntil(() => started, 60_000);
    await clock.advanceUntil(() => c.cache.sessions.get('late')?.status?.phase === 'Running', 60_000);
    expect(aws.calls.count('ListTasks')).toBeGreaterThanOrEqual(4);
  });
});
