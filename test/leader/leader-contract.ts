/**
 * Leader election and fencing on a real Redis deployment (run on the shared Redis, a Sentinel
 * group and a 3+3 Cluster): a unique prefix per test. Scheduling runs on a virtual clock
 * (attempts are driven with tryOnce); where the lease TTL in Redis matters, short real leases.
 *
 * Epochs are the Redis server's clock in µs (or the last epoch + 1 when that is larger), so the
 * tests assert order (strictly increasing, never reused), not small numbers.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { VirtualClock, type Clock, type TimerHandle } from '../../src/common/clock.js';
import { isFencedError } from '../../src/desired/errors.js';
import type { RedisLike } from '../../src/desired/lua.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { LeaderElector, leaseKeys, type LeadershipChange } from '../../src/controller/leader/index.js';
import type { ReplicaAck } from '../../src/desired/redis-durability.js';
import { uniquePrefix } from '../support/redis.js';
import type { RedisTestTarget } from '../support/redis-targets.js';
import { aStatus } from '../fixtures/builders.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Virtual time that can also jump without firing timers: a paused process (GC, SIGSTOP). */
export class PausableClock implements Clock {
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

const session = { id: 's1', userId: 'u', template: 'shell', persistence: 'none' } as const;

export function leaderElectorContract(target: RedisTestTarget): void {
  describe(`LeaderElector on ${target.label}`, () => {
    const conns: RedisLike[] = [];
    const prefixes: string[] = [];
    const electors: LeaderElector[] = [];
    afterEach(async () => {
      for (const e of electors.splice(0)) await e.stop();
    });
    afterAll(async () => {
      for (const p of prefixes) await target.cleanup(p);
      for (const c of conns) c.disconnect();
    });
    let shared: RedisLike | undefined;
    const redis = (): RedisLike => {
      if (!shared) {
        shared = target.connect({ REDIS_WAIT_REPLICAS: '0' });
        conns.push(shared);
      }
      return shared;
    };
    const prefix = (): string => {
      const p = uniquePrefix('esrlead');
      prefixes.push(p);
      return p;
    };
    const elector = (p: string, clock: Clock, timings = { leaseMs: 15_000, renewDeadlineMs: 10_000, retryMs: 2_000 }, identity = 'test', replicaAck?: ReplicaAck, onError?: (where: string, err: unknown) => void): LeaderElector => {
      const e = new LeaderElector({ redis: redis(), prefix: p, clock, timings, identity, ...(replicaAck ? { replicaAck } : {}), ...(onError ? { onError } : {}) });
      electors.push(e);
      return e;
    };
    /** The Redis server clock, µs (the epoch's lower bound). */
    const serverUs = async (): Promise<number> => {
      const node = await target.nodeFor('{x}');
      try {
        const [s, us] = await node.admin.time();
        return Number(s) * 1_000_000 + Number(us);
      } finally {
        node.close();
      }
    };

    it('one of two replicas leads; the epoch (server clock, µs) is the fencing token; the lease is in Redis under the hash tag', async () => {
      const p = prefix();
      const clock = new VirtualClock();
      const a = elector(p, clock, undefined, 'a');
      const b = elector(p, clock, undefined, 'b');
      const changes: LeadershipChange[] = [];
      a.onChange((c) => changes.push(c));
      const before = await serverUs();
      await a.start();
      await b.start();
      expect(a.isLeader()).toBe(true);
      expect(b.isLeader()).toBe(false);
      expect(a.fencingToken()).toBeGreaterThanOrEqual(before);
      expect(a.fencingToken()).toBeLessThanOrEqual((await serverUs()) + 1);
      expect(a.remainingLeaseMs()).toBe(15_000);
      expect(b.remainingLeaseMs()).toBe(0);
      expect(b.leadershipKnown()).toBe(true);
      expect(b.currentHolder()).toBe(a.token);
      expect(a.masterStatus()).toBe(1);
      expect(b.masterStatus()).toBe(0);
      expect(changes).toMatchObject([{ leader: true, epoch: a.fencingToken(), reason: 'elected' }]);
      const keys = leaseKeys(p);
      expect(keys.lease.startsWith(`{${p}}:`)).toBe(true);
      expect(await redis().get(keys.lease)).toBe(a.token);
      expect(await redis().get(keys.epoch)).toBe(String(a.fencingToken()));
      expect(await redis().pttl(keys.lease)).toBeGreaterThan(14_000);
    });

    it('renews every retry period; a paused leader (time passed, no timer ran) is no leader on its next call', async () => {
      const p = prefix();
      const clock = new PausableClock();
      const a = elector(p, clock);
      const lost: LeadershipChange[] = [];
      a.onChange((c) => lost.push(c));
      await a.start();
      const first = a.fencingToken();
      await clock.advance(2_000); // the loop renews
      await a.tryOnce();
      expect(a.isLeader()).toBe(true);
      expect(a.fencingToken()).toBe(first); // a renewal is the same term
      expect(a.remainingLeaseMs()).toBeGreaterThanOrEqual(15_000 - 2_000);
      clock.pause(10_000); // e.g. SIGSTOP: the renew timer did not run
      expect(a.isLeader()).toBe(false);
      expect(a.remainingLeaseMs()).toBe(0);
      await a.tryOnce(); // the first step after waking records the loss, then acquires again: a new term
      expect(lost.map((c) => [c.leader, c.reason])).toEqual([[true, 'elected'], [false, 'renew-deadline'], [true, 'elected']]);
      expect(lost[1]!.epoch).toBe(first);
      expect(lost[2]!.epoch).toBeGreaterThan(first);
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
      expect(b.fencingToken()).toBeGreaterThan(a.fencingToken());
      await a.tryOnce();
      expect(events).toMatchObject([{ leader: false, reason: 'lease-lost', epoch: a.fencingToken() }]);
      expect(a.isLeader()).toBe(false);
      await a.tryOnce(); // as a follower now, it tries to acquire and learns who holds the lease
      expect(a.currentHolder()).toBe(b.token);

      const store = new RedisDesiredStore({ redis: redis(), prefix: p });
      await store.ensureSession(session);
      const stale = await store.writeStatus('s1', aStatus(), a.fencingToken()).catch((e: unknown) => e);
      expect(isFencedError(stale)).toBe(true);
      expect((await store.writeStatus('s1', aStatus(), b.fencingToken())).outcome).toBe('written');
    });

    it('a renew after the lease was taken over reports lease-lost', async () => {
      const p = prefix();
      const a = elector(p, new VirtualClock(), undefined, 'a');
      await a.start();
      const lost: LeadershipChange[] = [];
      a.onChange((c) => lost.push(c));
      await redis().set(leaseKeys(p).lease, 'someone-else/1', 'PX', 10_000); // another replica holds it now
      await a.tryOnce();
      expect(a.isLeader()).toBe(false);
      expect(lost).toMatchObject([{ leader: false, reason: 'lease-lost' }]);
      expect(await redis().get(leaseKeys(p).lease)).toBe('someone-else/1'); // never deletes another holder's lease
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
      expect(await redis().exists(leaseKeys(p).lease)).toBe(0);
      await b.tryOnce();
      expect(b.isLeader()).toBe(true);
      expect(b.fencingToken()).toBeGreaterThan(a.fencingToken());
    });

    it('after the keys are wiped (FLUSHALL), a replica that never saw the old epochs still gets a higher one; old tokens stay fenced', async () => {
      const p = prefix();
      const clock = new VirtualClock();
      const a = elector(p, clock, undefined, 'a');
      await a.start();
      const e1 = a.fencingToken();
      const store = new RedisDesiredStore({ redis: redis(), prefix: p });
      await store.ensureSession(session);
      expect((await store.writeStatus('s1', aStatus(), e1)).outcome).toBe('written');
      await redis().del(leaseKeys(p).lease, leaseKeys(p).epoch); // what FLUSHALL does to these keys
      // No term can prove it is current now: the epoch is gone, so every elected token is fenced.
      expect(isFencedError(await store.writeStatus('s1', aStatus(), e1).catch((e: unknown) => e))).toBe(true);
      const fresh = elector(p, clock, undefined, 'fresh'); // no memory of e1
      await fresh.start();
      expect(fresh.isLeader()).toBe(true);
      expect(fresh.fencingToken()).toBeGreaterThan(e1);
      expect(isFencedError(await store.writeStatus('s1', aStatus(), e1).catch((e: unknown) => e))).toBe(true);
      expect((await store.writeStatus('s1', aStatus(), fresh.fencingToken())).outcome).toBe('written');
      await a.tryOnce();
      expect(a.isLeader()).toBe(false);
    });

    it('after the epoch went backwards (a failover lost writes), the next term is still above every term ever handed out, and equal-or-older tokens are fenced', async () => {
      const p = prefix();
      const clock = new VirtualClock();
      const keys = leaseKeys(p);
      const old = elector(p, clock, undefined, 'old'); // the paused old leader of the issue
      await old.start();
      const e1 = old.fencingToken();
      await old.release();
      const lostLeader = elector(p, clock, undefined, 'lost');
      await lostLeader.start();
      const e2 = lostLeader.fencingToken();
      expect(e2).toBeGreaterThan(e1);
      // The failover loses e2's acquisition: the store goes back to e1's term, and the lease is gone.
      await redis().set(keys.epoch, String(e1));
      await redis().del(keys.lease);
      const fresh = elector(p, clock, undefined, 'fresh');
      await fresh.start();
      const e3 = fresh.fencingToken();
      expect(e3).toBeGreaterThan(e2);
      const store = new RedisDesiredStore({ redis: redis(), prefix: p });
      await store.ensureSession(session);
      for (const stale of [e1, e2, e3 - 1]) {
        expect(isFencedError(await store.writeStatus('s1', aStatus(), stale).catch((e: unknown) => e))).toBe(true);
      }
      expect((await store.writeStatus('s1', aStatus(), e3)).outcome).toBe('written');
      expect(Number(await redis().get(keys.epoch))).toBe(e3);
    });

    it('with replica acknowledgement required, a term no replica acknowledged is not acted on', async () => {
      const p = prefix();
      const errors: string[] = [];
      const needsMore: ReplicaAck = { replicas: 5, timeoutMs: 100 }; // more replicas than any test deployment has
      const a = elector(p, new VirtualClock(), undefined, 'a', needsMore, (_w, err) => errors.push((err as Error).message));
      await a.start();
      expect(a.isLeader()).toBe(false);
      expect(a.fencingToken()).toBe(0);
      expect(errors.join('\n')).toMatch(/of 5 required replicas acknowledged its epoch within 100 ms/);
      expect(await redis().get(leaseKeys(p).lease)).toBe(a.token); // it keeps the lease: nobody else acts either
    });
  });
}
