/** Builds RedisDesiredStore instances on a real Redis deployment, each under its own key prefix. */
import type { RedisLike } from '../../src/desired/lua.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { uniquePrefix } from '../support/redis.js';
import { sharedRedisTarget, type RedisTestTarget } from '../support/redis-targets.js';
import type { Harness, HarnessOptions, MakeHarness } from './contract.js';

/** A harness maker on `target` (default: the shared test Redis). */
export function redisHarnessOn(target: RedisTestTarget): (opts: HarnessOptions) => Promise<Harness & { redis: RedisLike; store: RedisDesiredStore }> {
  return async (opts) => {
    const redis = target.connect();
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
        // Wait until the follower's connection is blocked in XREAD on the node serving the prefix, then kill it by id.
        const node = await target.nodeFor(`{${prefix}}`);
        try {
          for (let i = 0; i < 2000; i++) {
            const list = (await node.admin.client('LIST')) as string;
            const line = list.split('\n').find((l) => l.includes(`name=esr-hints-${prefix}`) && l.includes('cmd=xread'));
            const id = line?.match(/\bid=(\d+)/)?.[1];
            if (id) {
              await node.admin.client('KILL', 'ID', id);
              return;
            }
            await new Promise((r) => setTimeout(r, 5));
          }
          throw new Error('hint follower connection not found');
        } finally {
          node.close();
        }
      },
      cleanup: async () => {
        await store.close();
        await target.cleanup(prefix);
        redis.disconnect();
      },
    };
  };
}

/** The shared test Redis. */
export const makeRedisHarness: MakeHarness = redisHarnessOn(sharedRedisTarget);
