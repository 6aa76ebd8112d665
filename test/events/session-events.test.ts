/** Session event stores: the Redis list (shared Redis here; Sentinel and Cluster in test/topologies/) and the in-memory one. */
import { describe, expect, it } from 'vitest';
import { MemorySessionEvents } from '../../src/events/memory-events.js';
import { RedisSessionEvents } from '../../src/events/redis-events.js';
import { connectTestRedis, uniquePrefix } from '../support/redis.js';
import { sharedRedisTarget } from '../support/redis-targets.js';
import { redisSessionEventsContract, sessionEventsContract } from './events-contract.js';

redisSessionEventsContract(sharedRedisTarget);
sessionEventsContract('memory', (max) => Object.assign(new MemorySessionEvents({ now: () => Date.now(), maxPerSession: max }), { flush: async () => undefined }));

describe('RedisSessionEvents', () => {
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
