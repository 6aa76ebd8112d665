/** Builds RedisDesiredStore instances on the real test Redis, each under its own key prefix. */
import type { Redis } from 'ioredis';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { connectTestRedis, deleteByPrefix, uniquePrefix } from '../support/redis.js';
import type { Harness, HarnessOptions } from './contract.js';

export async function makeRedisHarness(opts: HarnessOptions): Promise<Harness & { redis: Redis; store: RedisDesiredStore }> {
  const redis = connectTestRedis();
  const prefix = uniquePrefix('esrtest-desired');
  const store = new RedisDesiredStore({ redis, prefix, clock: opts.clock, hintsMaxLen: opts.hintsMaxLen, onInvalidRecord: opts.onInvalidRecord });
  const k = store.keys;
  return {
    redis,
    store,
    putRaw: async (record, id, raw) => {
      if (record === 'pool') await redis.multi().set(k.pool(id), raw).zadd(k.poolIndex, 0, id).exec();
      else if (record === 'spec') await redis.multi().set(k.sessionSpec(id), raw).zadd(k.sessionIndex, 0, id).exec();
      else await redis.set(k.sessionStatus(id), raw);
    },
    setEpoch: async (epoch) => {
      await redis.set(k.leaderEpoch, String(epoch));
    },
    breakFollower: async () => {
      // Wait until the follower's connection is blocked in XREAD, then kill it by id (never anyone else's).
      for (let i = 0; i < 2000; i++) {
        const list = (await redis.client('LIST')) as string;
        const line = list.split('\n').find((l) => l.includes(`name=esr-hints-${prefix} `) && l.includes('cmd=xread'));
        const id = line?.match(/\bid=(\d+)/)?.[1];
        if (id) {
          await redis.client('KILL', 'ID', id);
          return;
        }
        await new Promise((r) => setImmediate(r));
      }
      throw new Error('hint follower connection not found');
    },
    cleanup: async () => {
      await store.close();
      await deleteByPrefix(redis, `{${prefix}}`);
      redis.disconnect();
    },
  };
}
