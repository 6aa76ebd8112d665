/**
 * Actions of `reconciler get pools` (warm-pool targets from Redis, with idle/starting task
 * counts from ECS when the controller's configuration is available) and `reconciler get tasks`
 * (the tasks ECS shows for this controller: role, session or pool, incarnation, status, age).
 * Loaded only when they run.
 */
import { RealClock } from '../../src/common/clock.js';
import { mathRandom } from '../../src/common/rng.js';
import { loadConfig, type ReconcilerConfig } from '../../src/config/load.js';
import type { PoolConfig } from '../../src/config/templates.js';
import { effectiveTarget } from '../../src/controller/plan/plan-pool.js';
import { DEFAULT_PREFIX } from '../../src/desired/keys.js';
import { createRedisConnection, redisConfigFromEnv } from '../../src/desired/redis-connection.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import type { PoolEntry } from '../../src/desired/types.js';
import type { PoolStartFailures, WarmPoolStatus } from '../../src/desired/warm-schema.js';
import { createAwsClients } from '../../src/observed/aws-clients.js';
import { isLive, isRunning, TAG, type ObservedTask } from '../../src/observed/model.js';
import { SdkAwsApi } from '../../src/observed/sdk-aws-api.js';
import { readSnapshot } from '../../src/observed/snapshot.js';
import { humanDuration } from '../../src/events/describe-format.js';
import { textTable } from './text-table.js';


/** Every task of ours ECS reports (live and recently stopped). Needs the controller's config. */
async function observedTasks(config: ReconcilerConfig = loadConfig()): Promise<ObservedTask[]> {
  const clients = createAwsClients({ maxAttempts: config.awsMaxAttempts });
  try {
    const snap = await readSnapshot(new SdkAwsApi(clients), { cluster: config.cluster, startedBy: config.startedBy, owner: config.ownerId, clock: new RealClock() });
    return [...snap.tasks.values()].filter((t) => t.tags[TAG.owner] === config.ownerId);
  } finally {
    clients.destroy();
  }
}

export function tasksTable(tasks: readonly ObservedTask[], now: number): string {
  const rows = [['TASK', 'ROLE', 'SESSION', 'POOL', 'INCARNATION', 'STATUS', 'DESIRED', 'AGE', 'IP']];
  for (const t of [...tasks].sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0))) {
    rows.push([t.arn.split('/').pop() ?? t.arn, t.tags[TAG.role] ?? '-', t.tags[TAG.session] ?? '-', t.tags[TAG.pool] ?? '-', t.tags[TAG.incarnation] ?? '-', t.lastStatus, t.desiredStatus, t.createdAt ? humanDuration(now - t.createdAt) : '-', t.privateIp ?? '-']);
  }
  return textTable(rows);
}

/** A pool that cannot start tasks, as its status says (pool-start-health.ts). */
export function startProblem(f: PoolStartFailures | undefined, now = Date.now()): string {
  if (!f) return '';
  const breaker = f.breaker === 'open' && f.retryAfter ? `; no batch for ${humanDuration(Math.max(0, f.retryAfter - now))} (breaker open)` : f.breaker === 'closed' ? '' : `; breaker ${f.breaker}`;
  return `cannot start tasks: ${f.consecutive} failed starts in a row (${f.reason})${breaker}`;
}

/** Why the controller works towards a different target than the gateway wrote, or cannot reach it. */
function poolProblem(p: PoolEntry, config: Readonly<Record<string, PoolConfig>> | undefined, status?: WarmPoolStatus): string {
  const starts = startProblem(status?.startFailures);
  if (starts) return starts;
  if (p.invalid) return `${p.invalid.reason}: ${p.invalid.message}`;
  if (!p.spec || !config) return '';
  const cfg = config[p.name];
  if (!cfg) return 'not in RECONCILER_POOLS: kept at 0';
  return p.spec.target > cfg.maxSize ? `target above maxSize ${cfg.maxSize}: capped` : '';
}

/**
 * TARGET is the gateway's; EFFECTIVE the one the controller works towards (capped by maxSize),
 * `?` without the controller's configuration.
 */
export function poolsTable(pools: readonly PoolEntry[], tasks: readonly ObservedTask[] | undefined, config?: Readonly<Record<string, PoolConfig>>, statuses?: ReadonlyMap<string, WarmPoolStatus | undefined>): string {
  const rows = [['POOL', 'TEMPLATE', 'TARGET', 'EFFECTIVE', 'IDLE', 'STARTING', 'GEN', 'PROBLEM']];
  for (const p of pools) {
    const mine = tasks?.filter((t) => t.tags[TAG.role] === 'warm' && t.tags[TAG.pool] === p.name && isLive(t));
    const effective = p.spec && config ? String(effectiveTarget(p.spec, config[p.name])) : p.spec ? '?' : '-';
    rows.push([p.name, p.spec?.template ?? '-', p.spec ? String(p.spec.target) : '-', effective, mine ? String(mine.filter(isRunning).length) : '?', mine ? String(mine.filter((t) => !isRunning(t)).length) : '?', p.spec ? String(p.spec.generation) : '-', poolProblem(p, config, statuses?.get(p.name))]);
  }
  return textTable(rows);
}

export async function getPools(fmt: 'table' | 'json'): Promise<void> {
  const redis = createRedisConnection(redisConfigFromEnv(process.env), mathRandom);
  try {
    const store = new RedisDesiredStore({ redis, prefix: process.env.RECONCILER_REDIS_PREFIX || DEFAULT_PREFIX, ownsConnection: false });
    const pools = [...(await store.snapshot()).pools.values()].sort((a, b) => a.name.localeCompare(b.name));
    let config: ReconcilerConfig | undefined;
    try {
      config = loadConfig();
    } catch {
      config = undefined; // no controller configuration here: targets as written, tasks unknown
    }
    const tasks = config ? await observedTasks(config).catch(() => undefined) : undefined;
    const statuses = new Map(await Promise.all(pools.map(async (p) => [p.name, await store.readPoolStatus(p.name)] as const)));
    const json = pools.map((p) => ({ ...p, status: statuses.get(p.name) }));
    console.log(fmt === 'json' ? JSON.stringify(json, null, 2) : poolsTable(pools, tasks, config?.pools, statuses));
  } finally {
    redis.disconnect();
  }
}

export async function getTasks(fmt: 'table' | 'json'): Promise<void> {
  const tasks = await observedTasks();
  console.log(fmt === 'json' ? JSON.stringify(tasks, null, 2) : tasksTable(tasks, Date.now()));
}
