/**
 * A real-time stack for the Redis benchmarks, all real parts wired as production wires them:
 * a real Redis (REDIS_URL, a local one, or a private redis-server), the simulator over HTTP
 * (real SDK clients; 'fast' task timings, throttling off), the daemon from `buildDaemon`, and
 * the gateway's client library. Keys live under a unique prefix, deleted on stop.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { buildDaemon, type DaemonParts } from '../../src/app/daemon.js';
import { locateRedis } from '../../src/common/local-redis.js';
import { loadConfig } from '../../src/config/load.js';
import { connectSessionClient, type SessionClient } from '../../src/desired/client.js';
import { deleteStoreKeys } from '../../src/desired/delete-prefix.js';
import { SdkAwsApi } from '../../src/observed/sdk-aws-api.js';
import { SimCore } from '../../src/sim/core.js';
import { startSimServer, type SimServer } from '../../src/sim/http-server.js';
import { simClients } from '../../src/sim/sdk-clients.js';
import { POOL, TEMPLATE, UNLIMITED_RATE_LIMITS } from './world.js';

export interface RedisStack {
  core: SimCore;
  sim: SimServer;
  daemon: DaemonParts;
  client: SessionClient;
  stop(): Promise<void>;
}

export async function startRedisStack(opts: { poolMaxSize: number; workers?: number }): Promise<RedisStack> {
  const located = await locateRedis();
  const core = new SimCore({ profile: 'fast', limits: false });
  const sim = await startSimServer({ core });
  const prefix = `esrbench-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    REDIS_URL: located.url,
    RECONCILER_REDIS_PREFIX: prefix,
    RECONCILER_CLUSTER: 'bench',
    RECONCILER_TEMPLATES: JSON.stringify({ [TEMPLATE]: { image: 'repo/shell:1', port: 8080, subnets: ['subnet-1'] } }),
    RECONCILER_POOLS: JSON.stringify({ [POOL]: { template: TEMPLATE, maxSize: opts.poolMaxSize } }),
    RECONCILER_RATE_LIMITS: UNLIMITED_RATE_LIMITS,
    RECONCILER_INFLIGHT_REFRESH_MS: '100',
    RECONCILER_LOG_LEVEL: 'warn',
    ...(opts.workers ? { RECONCILER_WORKERS: String(opts.workers) } : {}),
    AWS_ENDPOINT_URL: sim.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIASIMULATOR000000',
    AWS_SECRET_ACCESS_KEY: 'simulator-secret-key',
  };
  const config = loadConfig(env);
  const daemon = buildDaemon(config, { env, aws: new SdkAwsApi(simClients(sim.url)) });
  const client = connectSessionClient({ env, prefix });
  await daemon.controller.start();
  return {
    core,
    sim,
    daemon,
    client,
    stop: async () => {
      await daemon.controller.stop(1000);
      await daemon.close();
      await client.close();
      await sim.close();
      const redis = new Redis(located.url, { maxRetriesPerRequest: 1 });
      await deleteStoreKeys(redis, prefix);
      redis.disconnect();
      await located.stop();
    },
  };
}

/** Warm tasks of the benchmark pool that are RUNNING and not tagged for a session. */
export function idleWarmTasks(core: SimCore): number {
  return core.dump().tasks.filter((t) => t.tags['esr:role'] === 'warm' && !t.tags['esr:session'] && t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING').length;
}
