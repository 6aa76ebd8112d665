/** Action of `reconciler describe pool NAME` (loaded only when the verb runs). */
import { mathRandom } from '../../src/common/rng.js';
import { DEFAULT_PREFIX } from '../../src/desired/keys.js';
import { createRedisConnection, redisConfigFromEnv } from '../../src/desired/redis-connection.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import type { PoolEntry } from '../../src/desired/types.js';
import type { WarmPoolStatus } from '../../src/desired/warm-schema.js';
import { startProblem } from './get-extra.js';

/**
 * The pool as Redis holds it: the gateway's spec and the controller's status, with the reason
 * it cannot start tasks when it cannot (the last failure's stop code and message, the breaker).
 */
export function formatPoolDescription(name: string, entry: PoolEntry | undefined, status: WarmPoolStatus | undefined, now: number): string {
  const lines = [`Name:       ${name}`];
  if (entry?.invalid) lines.push(`Invalid:    ${entry.invalid.reason}: ${entry.invalid.message}`);
  lines.push(entry?.spec ? `Spec:       template ${entry.spec.template}, target ${entry.spec.target} (generation ${entry.spec.generation})` : 'Spec:       none (no target written)');
  lines.push(`Batches:    ${status?.batch ?? 0} launched${status?.intent ? `; batch ${status.intent.batch} of ${status.intent.count} in flight (clientToken ${status.intent.clientToken})` : ''}`);
  const f = status?.startFailures;
  if (f) {
    lines.push(`Starts:     ${startProblem(f, now)}`);
    lines.push(`Last error: ${f.message} (${new Date(f.at).toISOString()})`);
  } else {
    lines.push('Starts:     ok');
  }
  return lines.join('\n');
}

/** Prints the description; exit code 1 when the pool has neither spec nor status. */
export async function describePoolCommand(name: string, o: { output: 'text' | 'json' }): Promise<void> {
  const redis = createRedisConnection(redisConfigFromEnv(process.env), mathRandom);
  try {
    const store = new RedisDesiredStore({ redis, prefix: process.env.RECONCILER_REDIS_PREFIX || DEFAULT_PREFIX, ownsConnection: false });
    const [entry, status] = await Promise.all([store.readPool(name), store.readPoolStatus(name)]);
    if (!entry && !status) process.exitCode = 1;
    console.log(o.output === 'json' ? JSON.stringify({ name, spec: entry?.spec, invalid: entry?.invalid, status }, null, 2) : formatPoolDescription(name, entry, status, Date.now()));
  } finally {
    redis.disconnect();
  }
}
