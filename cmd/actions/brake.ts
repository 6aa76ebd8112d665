/** Actions of `reconciler brake release|status` (loaded only when the verb runs). */
import { mathRandom } from '../../src/common/rng.js';
import { readPublishedBrakeState, requestBrakeRelease } from '../../src/controller/safety/brake-release.js';
import { DEFAULT_PREFIX } from '../../src/desired/keys.js';
import { createRedisConnection, redisConfigFromEnv } from '../../src/desired/redis-connection.js';

/** Exit code of `brake status` while the brake is engaged (0 when released or never engaged). */
export const BRAKE_ENGAGED_EXIT_CODE = 3;

async function withRedis<T>(fn: (redis: ReturnType<typeof createRedisConnection>, prefix: string) => Promise<T>): Promise<T> {
  const redis = createRedisConnection(redisConfigFromEnv(process.env), mathRandom);
  try {
    return await fn(redis, process.env.RECONCILER_REDIS_PREFIX || DEFAULT_PREFIX);
  } finally {
    await redis.quit().catch(() => redis.disconnect());
  }
}

export async function brakeRelease(by: string): Promise<void> {
  const record = await withRedis((redis, prefix) => requestBrakeRelease(redis, prefix, by));
  console.log(`brake release requested (id ${record.id}, by ${record.by}); replicas apply it within a second`);
}

export async function brakeStatus(): Promise<void> {
  const state = await withRedis((redis, prefix) => readPublishedBrakeState(redis, prefix));
  console.log(JSON.stringify(state ?? { state: { engaged: false }, replica: null, note: 'no state published (no leader, or never changed)' }, null, 2));
  if (state?.state.engaged) process.exitCode = BRAKE_ENGAGED_EXIT_CODE;
}
