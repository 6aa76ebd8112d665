/**
 * Real Redis for tests. Redis is shared with other runs, so every test gets its own key
 * prefix and deletes only its own keys afterwards.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { inject } from 'vitest';

export function testRedisUrl(): string {
  return process.env.REDIS_URL ?? inject('redisUrl');
}

/** A unique key prefix, e.g. `esrtest-3f9a1c2b`. */
export function uniquePrefix(label = 'esrtest'): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

export function connectTestRedis(): Redis {
  return new Redis(testRedisUrl(), { maxRetriesPerRequest: 1, lazyConnect: false });
}

/** Deletes every key that starts with `prefix` (SCAN, never KEYS). */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `*${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}
