import { desiredStoreContract } from './contract.js';
import { makeRedisHarness, redisHarnessOn } from './redis-harness.js';
import { sharedRedisTarget } from '../support/redis-targets.js';

desiredStoreContract('redis', makeRedisHarness);

import { afterEach, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { spec } from './contract.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

it('a touch from a gateway whose clock runs behind never moves the recorded activity back (extend-only)', async () => {
  const h = await redisHarnessOn(sharedRedisTarget)({ clock: new VirtualClock(1_700_000_010_000) });
  cleanup = h.cleanup;
  const behind = new RedisDesiredStore({ redis: h.redis, prefix: h.store.keys.prefix, clock: new VirtualClock(1_700_000_000_000) });
  await h.store.ensureSession(spec('s1'));
  expect(await h.store.touchSession('s1')).toEqual({ outcome: 'touched', lastActivityAt: 1_700_000_010_000 });
  expect(await behind.touchSession('s1')).toEqual({ outcome: 'touched', lastActivityAt: 1_700_000_010_000 });
  expect(await h.redis.get(h.store.keys.sessionActivity('s1'))).toBe('1700000010000');
});

it("without an injected clock, lifetime stamps come from the Redis server's TIME, not the gateway host's clock (a host 10 min behind)", async () => {
  const h = await redisHarnessOn(sharedRedisTarget)({ clock: new VirtualClock(1_700_000_010_000) });
  cleanup = h.cleanup;
  const serverMs = async (): Promise<number> => {
    const [s, us] = await h.redis.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  };
  const skewed = vi.spyOn(Date, 'now').mockReturnValue((await serverMs()) - 600_000);
  const gateway = new RedisDesiredStore({ redis: h.redis, prefix: h.store.keys.prefix });
  const t0 = await serverMs();
  const created = (await gateway.ensureSession(spec('s1'))).spec.createdAt;
  const touched = await gateway.touchSession('s1');
  const t1 = await serverMs();
  skewed.mockRestore();
  expect(created).toBeGreaterThanOrEqual(t0);
  expect(created).toBeLessThanOrEqual(t1);
  expect(touched.outcome).toBe('touched');
  const at = (touched as { lastActivityAt: number }).lastActivityAt;
  expect(at).toBeGreaterThanOrEqual(created);
  expect(at).toBeLessThanOrEqual(t1);
  expect(await h.redis.get(h.store.keys.sessionActivity('s1'))).toBe(String(at));
});
