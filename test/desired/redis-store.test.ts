import { desiredStoreContract } from './contract.js';
import { makeRedisHarness, redisHarnessOn } from './redis-harness.js';
import { sharedRedisTarget } from '../support/redis-targets.js';

desiredStoreContract('redis', makeRedisHarness);

import { afterEach, expect, it } from 'vitest';
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
