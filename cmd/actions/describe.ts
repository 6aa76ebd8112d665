/** Action of `reconciler describe session ID` (loaded only when the verb runs). */
import { mathRandom } from '../../src/common/rng.js';
import { loadTimeoutsConfig } from '../../src/controller/resilience/index.js';
import { DEFAULT_PREFIX } from '../../src/desired/keys.js';
import { createRedisConnection, redisConfigFromEnv } from '../../src/desired/redis-connection.js';
import { formatDescription } from '../../src/events/describe-format.js';
import { describeSession } from '../../src/events/describe-session.js';

/** The start deadline from RECONCILER_TIMEOUTS when set and valid; else the default. */
function startDeadlineMs(): number | undefined {
  try {
    const raw = process.env.RECONCILER_TIMEOUTS;
    return loadTimeoutsConfig(raw ? JSON.parse(raw) : {}).sessionStartMs;
  } catch {
    return undefined;
  }
}

/** Prints the description; exit code 1 when the session does not exist. */
export async function describeSessionCommand(id: string, o: { output: 'text' | 'json'; events: string }): Promise<void> {
  const redis = createRedisConnection(redisConfigFromEnv(process.env), mathRandom);
  try {
    const deadline = startDeadlineMs();
    const d = await describeSession({ redis, prefix: process.env.RECONCILER_REDIS_PREFIX || DEFAULT_PREFIX, id, now: Date.now(), eventLimit: Number(o.events) || 20, ...(deadline !== undefined ? { startDeadlineMs: deadline } : {}) });
    if (!d.entry) process.exitCode = 1;
    console.log(o.output === 'json' ? JSON.stringify({ id, spec: d.entry?.spec, status: d.entry?.status, invalid: d.entry?.invalid, explanation: d.explanation, events: d.events }, null, 2) : formatDescription(d));
  } finally {
    redis.disconnect();
  }
}
