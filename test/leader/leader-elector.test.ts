/**
 * Leader election: the Redis contract on the shared Redis (the same suite runs on Sentinel and
 * Cluster in test/topologies/), plus what needs no Redis deployment.
 */
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { freePort } from '../../src/common/local-redis.js';
import { LeaderElector } from '../../src/controller/leader/index.js';
import { sharedRedisTarget } from '../support/redis-targets.js';
import { leaderElectorContract } from './leader-contract.js';

leaderElectorContract(sharedRedisTarget);

const electors: LeaderElector[] = [];
afterEach(async () => {
  for (const e of electors.splice(0)) await e.stop();
});
const prefix = (): string => `esrlead-${Math.random().toString(16).slice(2, 10)}`;

describe('LeaderElector', () => {
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
    expect(() => new LeaderElector({ redis: new Redis({ lazyConnect: true }), prefix: 'x', clock: new VirtualClock(), timings: { leaseMs: 1000, renewDeadlineMs: 1000, retryMs: 100 } })).toThrow(/renew deadline/);
  });
});
