/**
 * Removes every key of one store (the keys under the hash tag `{prefix}`), as the demo and the
 * benchmarks do when they finish. SCAN in pages of 1,000 and UNLINK (freed in the background):
 * never KEYS, never FLUSHDB, so other data in the same Redis is untouched.
 */
import type { Redis } from 'ioredis';

export async function deleteStoreKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
}
