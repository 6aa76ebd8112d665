/**
 * `reconciler brake release` / `reconciler brake status`: the operator's side of the
 * desired-state brake. Release writes a fresh release request under the store's hash tag; every
 * replica with an engaged brake releases it within a second and accepts desired state as it is
 * now (stops resume, under the stop budget). Status prints the state the leader last published.
 * Redis and the prefix come from the same environment as `reconciler run`.
 */
import type { Command } from 'commander';
import { hostname, userInfo } from 'node:os';
import { mathRandom } from '../src/common/rng.js';
import { readPublishedBrakeState, requestBrakeRelease } from '../src/controller/safety/brake-release.js';
import { DEFAULT_PREFIX } from '../src/desired/keys.js';
import { createRedisConnection, redisConfigFromEnv } from '../src/desired/redis-connection.js';

async function withRedis<T>(fn: (redis: ReturnType<typeof createRedisConnection>, prefix: string) => Promise<T>): Promise<T> {
  const redis = createRedisConnection(redisConfigFromEnv(process.env), mathRandom);
  try {
    return await fn(redis, process.env.RECONCILER_REDIS_PREFIX || DEFAULT_PREFIX);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

export function registerBrakeCommand(program: Command): void {
  const brake = program.command('brake').description('the desired-state safety brake (stops pause when desired state vanishes or shrinks abruptly)');
  brake
    .command('release')
    .description('release an engaged brake: accept desired state as it is now, stops resume (under the stop budget)')
    .option('--by <who>', 'who releases it (recorded)', () => `${userInfo().username}@${hostname()}`)
    .action(async (o: { by: string | (() => string) }) => {
      const by = typeof o.by === 'function' ? o.by() : o.by;
      const record = await withRedis((redis, prefix) => requestBrakeRelease(redis, prefix, by));
      console.log(`brake release requested (id ${record.id}, by ${record.by}); replicas apply it within a second`);
    });
  brake
    .command('status')
    .description('print the brake state the leader last published (json)')
    .action(async () => {
      const state = await withRedis((redis, prefix) => readPublishedBrakeState(redis, prefix));
      console.log(JSON.stringify(state ?? { state: { engaged: false }, replica: null, note: 'no state published (no leader, or never changed)' }, null, 2));
      if (state?.state.engaged) process.exitCode = 3;
    });
}
