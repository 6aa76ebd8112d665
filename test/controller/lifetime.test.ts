/**
 * Session lifetimes on virtual time: the real controller loop, the in-process simulator and the
 * memory store (the same contract as Redis). README "Session lifetimes" is what these pin.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import type { Controller } from '../../src/controller/controller.js';
import type { LifetimeLimits } from '../../src/controller/plan/lifetime.js';
import { DesiredStateBrake, SafetyStopGate, StopBudget } from '../../src/controller/safety/index.js';
import { SessionClient } from '../../src/desired/client.js';
import { isSessionExpiredError } from '../../src/desired/errors.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { findCondition, isReady, type SessionSpecInput } from '../../src/desired/schema.js';
import { isLive } from '../../src/observed/model.js';
import { aPlanConfig } from '../fixtures/builders.js';
import { simAws } from '../fixtures/sim-aws.js';
import { buildController } from '../support/controller-harness.js';

const lifecycle = { provisioningMs: 1000, pendingMs: 1000, activatingMs: 500, deactivatingMs: 500, stoppingMs: 1000, deprovisioningMs: 500 };
const RESYNC_MS = 30_000;
/** One resync period at its longest (±10% jitter). */
const ONE_RESYNC_MS = RESYNC_MS * 1.1;
const NO_LIMITS: LifetimeLimits = { idleTimeoutSeconds: 0, idleTimeoutMaxSeconds: 0, maxLifetimeSeconds: 0, maxLifetimeMaxSeconds: 0 };

function setup(o: { limits?: Partial<LifetimeLimits>; resyncMs?: number; brake?: boolean } = {}) {
  const clock = new VirtualClock();
  const aws = simAws({ clock, lifecycle });
  const store = new MemoryDesiredStore({ clock });
  store.setLeaderEpoch(1);
  const client = new SessionClient(store, {}, { clock });
  const brake = new DesiredStateBrake({ clock, minDrop: 10, expiryFraction: 0.1, expiryWindowMs: RESYNC_MS });
  const gate = new SafetyStopGate({ brake, budget: new StopBudget(clock, 120), retryAfterMs: 5_000 });
  const planConfig = aPlanConfig({ lifetime: { ...NO_LIMITS, ...o.limits } });
  const c = buildController({
    aws: aws.api,
    store,
    clock,
    overrides: {
      planConfig,
      resyncMs: o.resyncMs ?? RESYNC_MS,
      ...(o.brake ? { stopGate: gate, expiryGate: gate, onSync: (i) => brake.observe({ desired: i.desiredTasks, tasks: i.tasks, marker: i.marker, expiring: i.expiring }) } : {}),
    },
  });
  running.push(c);
  return { clock, aws, store, client, brake, c };
}

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop(1000);
});

const input = (id: string, lifetime?: SessionSpecInput['lifetime']): SessionSpecInput => ({ id, userId: `user-${id}`, template: 'shell', persistence: 'none', ...(lifetime ? { lifetime } : {}) });

describe('session lifetimes (virtual time)', () => {
  it('a 60 s idle timeout with a touch every 20 s keeps the session Running and Ready for 10 minutes, with expiresAt ahead', async () => {
    const { clock, store, client, c, aws } = setup();
    await client.ensureSession(input('s1', { idleTimeoutSeconds: 60 }));
    await c.start();
    await clock.advanceUntil(() => isReady(c.cache.sessions.get('s1')?.status), 60_000);
    const first = (await store.readSession('s1'))!.status!;
    const end = clock.now() + 10 * 60_000;
    while (clock.now() < end) {
      await client.touchSession('s1');
      await clock.advance(20_000);
      const st = (await store.readSession('s1'))!.status!;
      expect(st.phase).toBe('Running');
      expect(isReady(st)).toBe(true);
      expect(st.taskArn).toBe(first.taskArn);
      expect(st.expiresAt).toBeGreaterThan(clock.now());
    }
    expect(aws.tasks().filter(isLive)).toHaveLength(1);
  });

  it('without touches a 60 s idle timeout expires the session within 60 s plus one resync: Expired, Ready=False IdleTimeout, task stopped', async () => {
    const { clock, store, client, c, aws } = setup();
    const created = (await client.ensureSession(input('s1', { idleTimeoutSeconds: 60 }))).spec.createdAt;
    await c.start();
    await clock.advanceUntil(() => isReady(c.cache.sessions.get('s1')?.status), 60_000);
    const ready = (await store.readSession('s1'))!.status!;
    expect(ready.expiresAt).toBe(created + 60_000);
    await clock.advanceUntil(() => c.cache.sessions.get('s1')?.status?.phase === 'Expired', 60_000 + ONE_RESYNC_MS);
    expect(clock.now()).toBeLessThanOrEqual(created + 60_000 + ONE_RESYNC_MS);
    const st = (await store.readSession('s1'))!.status!;
    expect(findCondition(st, 'Ready')).toMatchObject({ status: 'False', reason: 'IdleTimeout' });
    expect(st.expiresAt).toBe(created + 60_000);
    expect(st.endpoint).toBeUndefined();
    await clock.advanceUntil(() => aws.tasks().filter(isLive).length === 0, 30_000);
    await clock.advance(ONE_RESYNC_MS);
    expect(aws.calls.count('RunTask')).toBe(1); // an Expired life never launches again
  });

  it('the maximum lifetime wins over touches', async () => {
    const { clock, store, client, c } = setup();
    const created = (await client.ensureSession(input('s1', { idleTimeoutSeconds: 60, maxLifetimeSeconds: 120 }))).spec.createdAt;
    await c.start();
    await clock.advanceUntil(() => isReady(c.cache.sessions.get('s1')?.status), 60_000);
    while (c.cache.sessions.get('s1')?.status?.phase !== 'Expired') {
      expect(clock.now()).toBeLessThanOrEqual(created + 120_000 + ONE_RESYNC_MS);
      await client.touchSession('s1').catch((err: unknown) => expect(isSessionExpiredError(err)).toBe(true));
      await clock.advance(10_000);
    }
    const st = (await store.readSession('s1'))!.status!;
    expect(findCondition(st, 'Ready')?.reason).toBe('MaxLifetimeExceeded');
    expect(st.expiresAt).toBe(created + 120_000);
  });

  it('controller defaults apply to a spec without lifetime; a spec asking for none or more gets the upper bound', async () => {
    const { clock, client, c, store } = setup({ limits: { idleTimeoutSeconds: 30, maxLifetimeSeconds: 600, maxLifetimeMaxSeconds: 90 } });
    const a = (await client.ensureSession(input('a'))).spec.createdAt;
    const b = (await client.ensureSession(input('b', { maxLifetimeSeconds: 0, idleTimeoutSeconds: 3600 }))).spec.createdAt;
    await c.start();
    await clock.advanceUntil(() => isReady(c.cache.sessions.get('a')?.status) && isReady(c.cache.sessions.get('b')?.status), 60_000);
    expect((await store.readSession('a'))!.status!.expiresAt).toBe(a + 30_000); // default idle 30 s, before the 90 s cap
    expect((await store.readSession('b'))!.status!.expiresAt).toBe(b + 90_000); // asked none: the cap of 90 s
  });

  it('a touch after expiry is refused (SessionExpiredError); ensureSession starts a new life with a new task', async () => {
    const { clock, store, client, c, aws } = setup();
    const first = (await client.ensureSession(input('s1', { idleTimeoutSeconds: 60 }))).spec;
    await c.start();
    await clock.advanceUntil(() => c.cache.sessions.get('s1')?.status?.phase === 'Expired', 60_000 + ONE_RESYNC_MS + 10_000);
    const oldTask = (await store.readSession('s1'))!.status!.taskArn;
    await expect(client.touchSession('s1')).rejects.toSatisfy(isSessionExpiredError);
    await expect(client.waitForReady('s1', { timeoutMs: 5_000 })).rejects.toSatisfy(isSessionExpiredError);
    const again = await client.ensureSession(input('s1', { idleTimeoutSeconds: 60 }));
    expect(again.changed).toBe(true);
    expect(again.spec.uid).not.toBe(first.uid);
    await clock.advanceUntil(() => isReady(c.cache.sessions.get('s1')?.status) && c.cache.sessions.get('s1')?.status?.observedGeneration === again.spec.generation, 60_000);
    const st = (await store.readSession('s1'))!.status!;
    expect(st.taskArn).not.toBe(oldTask);
    expect(st.expiresAt).toBe(again.spec.createdAt + 60_000);
    expect((await client.touchSession('s1')).lastActivityAt).toBe(clock.now());
    expect(aws.tasks().filter(isLive)).toHaveLength(1);
  });

  it('a touch the controller has not seen yet wins at the action (renewed); the status catches up with the new expiresAt', async () => {
    const { clock, store, client, c } = setup({ resyncMs: 3_600_000 }); // no resync brings the touch in
    const created = (await client.ensureSession(input('s1', { idleTimeoutSeconds: 60 }))).spec.createdAt;
    await c.start();
    await clock.advanceUntil(() => isReady(c.cache.sessions.get('s1')?.status), 60_000);
    await clock.advance(created + 50_000 - clock.now());
    const touched = (await client.touchSession('s1')).lastActivityAt;
    await clock.advance(15_000); // past the expiresAt the controller knew (created + 60 s)
    const st = (await store.readSession('s1'))!.status!;
    expect(st.phase).toBe('Running');
    expect(isReady(st)).toBe(true);
    expect(st.expiresAt).toBe(touched + 60_000);
    await clock.advanceUntil(() => c.cache.sessions.get('s1')?.status?.phase === 'Expired', 60_000);
    expect(clock.now()).toBeGreaterThanOrEqual(touched + 60_000);
  });

  it('a sudden mass expiry (the gateway stops touching every session) engages the brake: few expire, the rest wait for the operator', async () => {
    const { clock, client, c, brake, aws } = setup({ brake: true });
    const ids = Array.from({ length: 20 }, (_, i) => `s${i}`);
    for (const id of ids) await client.ensureSession(input(id, { idleTimeoutSeconds: 60 }));
    await c.start();
    await clock.advanceUntil(() => ids.every((id) => isReady(c.cache.sessions.get(id)?.status)), 60_000);
    const expired = (): number => ids.filter((id) => c.cache.sessions.get(id)?.status?.phase === 'Expired').length;
    await clock.advanceUntil(() => brake.engaged(), 60_000 + ONE_RESYNC_MS);
    expect(brake.state()).toMatchObject({ engaged: true, reason: 'mass-expiry' });
    await clock.advance(3 * ONE_RESYNC_MS);
    expect(brake.engaged()).toBe(true);
    const held = expired();
    expect(held).toBeLessThan(10); // at most minDrop - 1 expired before the brake
    expect(aws.tasks().filter(isLive).length).toBeGreaterThanOrEqual(20 - held);
    for (const id of ids.filter((x) => c.cache.sessions.get(x)?.status?.phase !== 'Expired')) expect(isReady(c.cache.sessions.get(id)?.status)).toBe(true);
    expect(brake.release()).toBe(true);
    await clock.advanceUntil(() => expired() === ids.length, 60_000);
    await clock.advanceUntil(() => aws.tasks().filter(isLive).length === 0, 60_000);
  });

  it('a gateway that comes back and touches in time releases the mass-expiry brake by itself; nothing more expires', async () => {
    const { clock, client, c, brake } = setup({ brake: true });
    const ids = Array.from({ length: 20 }, (_, i) => `s${i}`);
    for (const id of ids) await client.ensureSession(input(id, { idleTimeoutSeconds: 60 }));
    await c.start();
    await clock.advanceUntil(() => brake.engaged(), 60_000 + ONE_RESYNC_MS);
    const live = ids.filter((id) => c.cache.sessions.get(id)?.status?.phase !== 'Expired');
    for (const id of live) await client.touchSession(id);
    await clock.advanceUntil(() => !brake.engaged(), 2 * ONE_RESYNC_MS);
    expect(brake.state()).toMatchObject({ engaged: false, releasedBy: 'desired-back' });
    for (let i = 0; i < 6; i++) {
      for (const id of live) await client.touchSession(id);
      await clock.advance(20_000);
    }
    expect(live.every((id) => isReady(c.cache.sessions.get(id)?.status))).toBe(true);
  });
});
