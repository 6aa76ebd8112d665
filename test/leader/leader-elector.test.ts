/**
 * Leader election on real Redis (a unique prefix per test). Scheduling runs on a VirtualClock
 * (attempts are driven with tryOnce); where the lease TTL in Redis matters, short real leases.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, type Clock, type TimerHandle } from '../../src/common/clock.js';
import { freePort } from '../../src/common/local-redis.js';
import { isFencedError } from '../../src/desired/errors.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { LeaderElector, leaseKeys, type LeadershipChange } from '../../src/controller/leader/index.js';
import { connectTestRedis, deleteByPrefix, uniquePrefix } from '../support/redis.js';
import { aStatus } from '../fixtures/builders.js';

const redis = connectTestRedis();
const prefixes: string[] = [];
const electors: LeaderElector[] = [];
afterEach(async () => {
  for (const e of electors.splice(0)) await e.stop();
});
afterAll(async () => {
  for (const p of prefixes) await deleteByPrefix(redis, p);
  redis.disconnect();
});

function prefix(): string {
  const p = uniquePrefix('esrlead');
  prefixes.push(p);
  return p;
}

function elector(p: string, clock: Clock, timings = { leaseMs: 15_000, renewDeadlineMs: 10_000, retryMs: 2_000 }, identity = 'test'): LeaderElector {
  const e = new LeaderElector({ redis, prefix: p, clock, timings, identity });
  electors.push(e);
  return e;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Virtual time that can also jump without firing timers: a paused process (GC, SIGSTOP). */
class PausableClock implements Clock {
  private readonly inner = new VirtualClock();
  private skew = 0;
  now(): number {
    return this.inner.now() + this.skew;
  }
  setTimer(fn: () => void, ms: number): TimerHandle {
    return this.inner.setTimer(fn, ms);
  }
  clearTimer(h: TimerHandle): void {
    this.inner.clearTimer(h);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.inner.sleep(ms, signal);
  }
  advance(ms: number): Promise<void> {
    return this.inner.advance(ms);
  }
  pause(ms: number): void {
    this.skew += ms;
  }
}

describe('LeaderElector', () => {
  it('one of two replicas leads; the epoch is the fencing token; the lease is in Redis under the hash tag', async () => {
    const p = prefix();
    const clock = new VirtualClock();
    const a = elector(p, clock, undefined, 'a');
    const b = elector(p, clock, undefined, 'b');
    const changes: LeadershipChange[] = [];
    a.onChange((c) => changes.push(c));
    await a.start();
    await b.start();
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    expect(a.fencingToken()).toBe(1);
    expect(a.remainingLeaseMs()).toBe(15_000);
    expect(b.remainingLeaseMs()).toBe(0);
    expect(b.leadershipKnown()).toBe(true);
    expect(b.currentHolder()).toBe(a.token);
    expect(a.masterStatus()).toBe(1);
    expect(b.masterStatus()).toBe(0);
    expect(changes).toMatchObject([{ leader: true, epoch: 1, reason: 'elected' }]);
    const keys = leaseKeys(p);
    expect(keys.lease.startsWith(`{${p}}:`)).toBe(true);
    expect(await redis.get(keys.lease)).toBe(a.token);
    expect(await redis.get(keys.epoch)).toBe('1');
    const ttl = await redis.pttl(keys.lease);
    expect(ttl).toBeGreaterThan(14_000);
  });

  it('renews every retry period; a paused leader (time passed, no timer ran) is no leader on its next call', async () => {
    const p = prefix();
    const clock = new PausableClock();
    const a = elector(p, clock);
    const lost: LeadershipChange[] = [];
    a.onChange((c) => lost.push(c));
    await a.start();
    await clock.advance(2_000); // the loop renews
    await a.tryOnce();
    expect(a.isLeader()).toBe(true);
    expect(a.remainingLeaseMs()).toBeGreaterThanOrEqual(15_000 - 2_000);
    clock.pause(10_000); // e.g. SIGSTOP: the renew timer did not run
    expect(a.isLeader()).toBe(false);
    expect(a.remainingLeaseMs()).toBe(0);
    await a.tryOnce(); // the first step after waking records the loss, then acquires again: a new term
    expect(lost.map((c) => [c.leader, c.reason, c.epoch])).toEqual([[true, 'elected', 1], [false, 'renew-deadline', 1], [true, 'elected', 2]]);
  });

  it('a follower takes over when the lease expires in Redis; the old leader learns it lost and its writes are fenced', async () => {
    const p = prefix();
    const clock = new VirtualClock(); // schedules nothing by itself: only the Redis TTL (real time) moves
    const timings = { leaseMs: 300, renewDeadlineMs: 200, retryMs: 100 };
    const a = elector(p, clock, timings, 'a');
    const b = elector(p, clock, timings, 'b');
    await a.start();
    await b.start();
    expect(a.isLeader()).toBe(true);
    expect(b.isLeader()).toBe(false);
    const events: LeadershipChange[] = [];
    a.onChange((c) => events.push(c));
    await sleep(400); // a did not renew: the lease expires in Redis
    await b.tryOnce();
    expect(b.isLeader()).toBe(true);
    expect(b.fencingToken()).toBe(2);
    await a.tryOnce();
    expect(events).toMatchObject([{ leader: false, reason: 'lease-lost', epoch: 1 }]);
    expect(a.isLeader()).toBe(false);
    await a.tryOnce(); // as a follower now, it tries to acquire and learns who holds the lease
    expect(a.currentHolder()).toBe(b.token);

    const store = new RedisDesiredStore({ redis, prefix: p });
    await store.ensureSession({ id: 's1', userId: 'u', template: 'shell', persistence: 'none' });
    const stale = await store.writeStatus('s1', aStatus(), a.fencingToken()).catch((e: unknown) => e);
    expect(isFencedError(stale)).toBe(true);
    expect((await store.writeStatus('s1', aStatus(), b.fencingToken())).outcome).toBe('written');
  });

  it('a renew after the lease was taken over reports lease-lost', async () => {
    const p = prefix();
    const clock = new VirtualClock();
    const a = elector(p, clock, undefined, 'a');
    await a.start();
    const lost: LeadershipChange[] = [];
    a.onChange((c) => lost.push(c));
    await redis.set(leaseKeys(p).lease, 'someone-else/1', 'PX', 10_000); // another replica holds it now
    await a.tryOnce();
    expect(a.isLeader()).toBe(false);
    expect(lost).toMatchObject([{ leader: false, reason: 'lease-lost' }]);
    expect(await redis.get(leaseKeys(p).lease)).toBe('someone-else/1'); // never deletes another holder's lease
    expect(await a.release()).toBe(false);
  });

  it('release gives the lease up at once (token-checked): the follower takes over with a higher epoch', async () => {
    const p = prefix();
    const clock = new VirtualClock();
    const a = elector(p, clock, undefined, 'a');
    const b = elector(p, clock, undefined, 'b');
    await a.start();
    await b.start();
    expect(await a.release()).toBe(true);
    expect(a.isLeader()).toBe(false);
    expect(await redis.exists(leaseKeys(p).lease)).toBe(0);
    await b.tryOnce();
    expect(b.isLeader()).toBe(true);
    expect(b.fencingToken()).toBe(2);
  });

  it('after the keys are wiped (FLUSHALL), a new term never reuses an epoch already seen', async () => {
    const p = prefix();
    const clock = new VirtualClock();
    const a = elector(p, clock, undefined, 'a');
    const b = elector(p, clock, undefined, 'b');
    await redis.set(leaseKeys(p).epoch, '41');
    await a.start();
    await b.start(); // b sees epoch 42 held by a
    expect(a.fencingToken()).toBe(42);
    await redis.del(leaseKeys(p).lease, leaseKeys(p).epoch);
    await b.tryOnce();
    expect(b.isLeader()).toBe(true);
    expect(b.fencingToken()).toBe(43);
    await a.tryOnce();
    expect(a.isLeader()).toBe(false);
  });

  it('Redis unreachable: leadership unknown, never leader', async () => {
    const port = await freePort();
    const dead = new Redis({ port, host: '127.0.0.1', lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    dead.on('error', () => undefined);
    const errors: string[] = [];
    const e = new LeaderElector({ redis: dead, prefix: prefix(), clock: new VirtualClock(), onError: (where) => errors.push(where) });
    electors.push(e);
    await e.start();
    expect(e.leadershipKnown()).toBe(false);
    expect(e.isLeader()).toBe(false);
    expect(errors).toEqual(['acquire']);
    dead.disconnect();
  });

  it('rejects timings that break lease > renew deadline > retry', () => {
    expect(() => new LeaderElector({ redis, prefix: 'x', clock: new VirtualClock(), timings: { leaseMs: 1000, renewDeadlineMs: 1000, retryMs: 100 } })).toThrow(/renew deadline/);
  });
});
