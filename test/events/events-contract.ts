/**
 * The session event store contract: the Redis list (on any deployment: shared Redis, Sentinel,
 * Cluster) and the in-memory one follow the same rules.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RealClock } from '../../src/common/clock.js';
import type { RedisLike } from '../../src/desired/lua.js';
import { RedisSessionEvents, sessionEventsKey } from '../../src/events/redis-events.js';
import type { SessionEventReader, SessionEventSink } from '../../src/events/types.js';
import { uniquePrefix } from '../support/redis.js';
import type { RedisTestTarget } from '../support/redis-targets.js';

export type EventStore = SessionEventSink & SessionEventReader & { flush(): Promise<void> };

/** The rules every event store keeps; `make(max)` builds one keeping `max` events per session. */
export function sessionEventsContract(name: string, make: (max: number) => EventStore): void {
  describe(`${name} session events`, () => {
    it('keeps the newest N per session, newest first', async () => {
      const s = make(3);
      for (let i = 1; i <= 5; i++) s.record('s1', { type: 'Normal', reason: `R${i}`, message: `event ${i}` });
      s.record('s2', { type: 'Warning', reason: 'Other', message: 'other session' });
      await s.flush();
      expect((await s.list('s1')).map((e) => e.reason)).toEqual(['R5', 'R4', 'R3']);
      expect((await s.list('s2')).map((e) => e.type)).toEqual(['Warning']);
      expect(await s.list('nobody')).toEqual([]);
    });

    it('folds a repeat of the newest event into it with a count', async () => {
      const s = make(10);
      s.record('s1', { type: 'Warning', reason: 'Throttled', message: 'ECS RunTask throttled', time: 1000 });
      await s.flush();
      s.record('s1', { type: 'Warning', reason: 'Throttled', message: 'ECS RunTask throttled', time: 2000 });
      s.record('s1', { type: 'Warning', reason: 'Throttled', message: 'ECS RunTask throttled', time: 3000, nextAttemptAt: 9000 });
      await s.flush();
      const [head, ...rest] = await s.list('s1');
      expect(rest).toHaveLength(0);
      expect(head).toMatchObject({ reason: 'Throttled', count: 3, firstTime: 1000, time: 3000, nextAttemptAt: 9000 });
      s.record('s1', { type: 'Normal', reason: 'Launched', message: 'launch done' });
      await s.flush();
      expect((await s.list('s1')).map((e) => `${e.reason}x${e.count}`)).toEqual(['Launchedx1', 'Throttledx3']);
    });
  });
}

/** The contract plus the Redis specifics, on `target`. */
export function redisSessionEventsContract(target: RedisTestTarget): void {
  const prefixes: string[] = [];
  let shared: RedisLike | undefined;
  const redis = (): RedisLike => (shared ??= target.connect());
  afterAll(async () => {
    for (const p of prefixes) await target.cleanup(p);
    shared?.disconnect();
  });
  const prefix = (): string => {
    const p = uniquePrefix('esrev');
    prefixes.push(p);
    return p;
  };
  sessionEventsContract(target.label, (max) => new RedisSessionEvents({ redis: redis(), prefix: prefix(), clock: new RealClock(), maxPerSession: max, flushDelayMs: 5 }));

  describe(`RedisSessionEvents on ${target.label}`, () => {
    it('writes under the store hash tag with a TTL, in one batch, without blocking record()', async () => {
      const p = prefix();
      const s = new RedisSessionEvents({ redis: redis(), prefix: p, ttlMs: 60_000, flushDelayMs: 1_000_000 });
      s.record('abc', { type: 'Normal', reason: 'MissingTask', message: 'decided to launch' });
      s.record('def', { type: 'Normal', reason: 'MissingTask', message: 'decided to launch' });
      const key = sessionEventsKey(p, 'abc');
      expect(key).toBe(`{${p}}:session:abc:events`);
      expect(await redis().llen(key)).toBe(0); // buffered, not written yet
      await s.close();
      expect(await redis().llen(key)).toBe(1);
      expect(await redis().llen(sessionEventsKey(p, 'def'))).toBe(1); // two sessions, one MULTI: one slot
      const ttl = await redis().pttl(key);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });
  });
}
