/**
 * `reconciler describe session ID [-o text|json]`: spec, status, conditions, the last events,
 * and why the session is not converged yet (the blocking reason and when the next attempt is
 * due). Redis from REDIS_URL / REDIS_SENTINELS / REDIS_CLUSTER_NODES, prefix from
 * RECONCILER_REDIS_PREFIX (default `esr`).
 */
import type { Command } from 'commander';
import { mathRandom } from '../src/common/rng.js';
import { DEFAULT_PREFIX } from '../src/desired/keys.js';
import { createRedisConnection, redisConfigFromEnv } from '../src/desired/redis-connection.js';
import { formatDescription } from '../src/events/describe-format.js';
import { describeSession } from '../src/events/describe-session.js';
import { loadTimeoutsConfig } from '../src/controller/resilience/index.js';

/** The start deadline from RECONCILER_TIMEOUTS when set and valid; else the default. */
function startDeadlineMs(): number | undefined {
  try {
    const raw = process.env.RECONCILER_TIMEOUTS;
    return loadTimeoutsConfig(raw ? JSON.parse(raw) : {}).sessionStartMs;
  } catch {
    return undefined;
  }
}

export function registerDescribeCommand(program: Command): void {
  const describe = program.command('describe').description('explain one object: state, events, and why it is not converged');
  describe
    .command('session <id>')
    .description('spec, status, conditions, recent events, and the reason it is not converged yet')
    .option('-o, --output <format>', 'text | json', 'text')
    .option('--events <n>', 'events to show (newest first)', '20')
    .action(async (id: string, o: { output: string; events: string }) => {
      if (o.output !== 'text' && o.output !== 'json') throw new Error(`-o must be text or json, got "${o.output}"`);
      const redis = createRedisConnection(redisConfigFromEnv(process.env), mathRandom);
      try {
        const deadline = startDeadlineMs();
        const d = await describeSession({ redis, prefix: process.env.RECONCILER_REDIS_PREFIX || DEFAULT_PREFIX, id, now: Date.now(), eventLimit: Number(o.events) || 20, ...(deadline !== undefined ? { startDeadlineMs: deadline } : {}) });
        if (!d.entry) process.exitCode = 1;
        console.log(o.output === 'json' ? JSON.stringify({ id, spec: d.entry?.spec, status: d.entry?.status, invalid: d.entry?.invalid, explanation: d.explanation, events: d.events }, null, 2) : formatDescription(d));
      } finally {
        redis.disconnect();
      }
    });
}
