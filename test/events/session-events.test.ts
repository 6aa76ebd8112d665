/** Session event stores: the Redis list (real Redis) and the in-memory one follow the same rules. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { RealClock } from '../../src/common/clock.js';
import { MemorySessionEvents } from '../../src/events/memory-events.js';
import { RedisSessionEvents, sessionEventsKey } from '../../src/events/redis-events.js';
import type { SessionEventReader, SessionEventSink } from '../../src/events/types.js';
import { connectTestRedis, deleteByPrefix, uniquePrefix } from '../support/redis.js';

let redis: Redis;
const prefixes: string[] = [];
beforeAll(() => {
  redis = connectTestRedis();
});
afterAll(async () => {
  for (const p of prefixes) await deleteByPrefix(redis, p);
  redis.disconnect();
});

type Store = SessionEventSink & SessionEventReader & { flush(): Promise<void> };

const impls: Array<[string, (max: number) => Store]> = [
  ['redis', (max) => {
    const prefix = uniquePrefix('esrev');
    prefixes.push(prefix);
    return new RedisSessionEvents({ redis, prefix, clock: new RealClock(), maxPerSession: max, flushDelayMs: 5 });
  }],
  ['memory', (max) => Object.assign(new MemorySessionEvents({ now: () => Date.now(), maxPerSession: max }), { flush: async () => undefined })],
];

describe.each(impls)('%s session events', (_name, make) => {
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

describe('RedisSessionEvents', () => {
  it('writes under the store hash tag with a TTL, in one batch, without blocking record()', async () => {
    const prefix = uniquePrefix('esrev');
    prefixes.push(prefix);
    const s = new RedisSessionEvents({ redis, prefix, ttlMs: 60_000, flushDelayMs: 1_000_000 });
    s.record('abc', { type: 'Normal', reason: 'MissingTask', message: 'decided to launch' });
    const key = sessionEventsKey(prefix, 'abc');
    expect(key).toBe(`{${prefix}}:session:abc:events`);
    expect(await redis.llen(key)).toBe(0); // buffered, not written yet
    await s.close();
    expect(await redis.llen(key)).toBe(1);
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('reports a failed write and drops it instead of throwing', async () => {
    const broken = connectTestRedis();
    broken.disconnect();
    const errors: number[] = [];
    const s = new RedisSessionEvents({ redis: broken, prefix: uniquePrefix('esrev'), flushDelayMs: 1, onError: (_e, n) => errors.push(n) });
    s.record('x', { type: 'Normal', reason: 'R', message: 'm' });
    s.record('y', { type: 'Normal', reason: 'R', message: 'm' });
    await s.flush();
    expect(errors).toEqual([2]);
  });
});
