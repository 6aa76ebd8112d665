/**
 * A whole stack for integration tests, all real parts: the simulator over HTTP (real SDK
 * clients), a real Redis under a unique prefix, the daemon built by the production wiring, and
 * the gateway's client library.
 */
import { loadConfig, type ReconcilerConfig } from '../../src/config/load.js';
import { buildDaemon, type DaemonParts } from '../../src/app/daemon.js';
import { connectSessionClient, type SessionClient } from '../../src/desired/client.js';
import { SimCore, type SimCoreOptions } from '../../src/sim/core.js';
import { startSimServer, type SimServer } from '../../src/sim/http-server.js';
import { simClients } from '../../src/sim/sdk-clients.js';
import { SdkAwsApi } from '../../src/observed/sdk-aws-api.js';
import type { ControllerOptions } from '../../src/controller/controller.js';
import { connectTestRedis, deleteByPrefix, testRedisUrl, uniquePrefix } from './redis.js';

export const FILE_SYSTEM_ID = 'fs-0123456789abcdef0';
export const TEMPLATES = {
  shell: { image: 'repo/shell:1', port: 8080, subnets: ['subnet-1'], efsMountPath: '/home/user' },
};
/** Rate limits far above anything a test needs (the simulator's own limits are off too). */
export const UNLIMITED = { buckets: { 'ecs:RunTask': { burst: 10_000, ratePerSec: 10_000 }, 'fargate:TaskLaunch': { burst: 10_000, ratePerSec: 10_000 }, 'ecs:DescribeTasks': { burst: 10_000, ratePerSec: 10_000 }, 'ecs:ListTasks': { burst: 10_000, ratePerSec: 10_000 }, 'ecs:StopTask': { burst: 10_000, ratePerSec: 10_000 }, 'ecs:RegisterTaskDefinition': { burst: 1000, ratePerSec: 1000 }, 'efs:CreateAccessPoint': { burst: 1000, ratePerSec: 1000 } } };

export interface Stack {
  core: SimCore;
  sim: SimServer;
  prefix: string;
  env: Record<string, string>;
  config: ReconcilerConfig;
  daemon: DaemonParts;
  client: SessionClient;
  stop(): Promise<void>;
}

export async function startSim(opts: SimCoreOptions = {}): Promise<{ core: SimCore; sim: SimServer }> {
  const core = new SimCore({ profile: 'fast', limits: false, fileSystems: [FILE_SYSTEM_ID], ...opts });
  const sim = await startSimServer({ core });
  return { core, sim };
}

export function stackEnv(simUrl: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    REDIS_URL: testRedisUrl(),
    RECONCILER_REDIS_PREFIX: prefix,
    RECONCILER_CLUSTER: 'sessions',
    RECONCILER_TEMPLATES: JSON.stringify(TEMPLATES),
    RECONCILER_EFS_FILE_SYSTEM_ID: FILE_SYSTEM_ID,
    RECONCILER_RESYNC_SECONDS: '2',
    RECONCILER_INFLIGHT_REFRESH_MS: '100',
    RECONCILER_ORPHAN_GRACE_SECONDS: '1',
    RECONCILER_RATE_LIMITS: JSON.stringify(UNLIMITED),
    RECONCILER_LOG_LEVEL: 'warn',
    AWS_ENDPOINT_URL: simUrl,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIASIMULATOR000000',
    AWS_SECRET_ACCESS_KEY: 'simulator-secret-key',
    ...extra,
  };
}

export async function startStack(opts: { sim?: SimCoreOptions; env?: Record<string, string>; controller?: Partial<ControllerOptions>; start?: boolean } = {}): Promise<Stack> {
  const { core, sim } = await startSim(opts.sim);
  const prefix = uniquePrefix('esrit');
  const env = stackEnv(sim.url, prefix, opts.env);
  const config = loadConfig(env);
  const daemon = buildDaemon(config, { env, aws: new SdkAwsApi(simClients(sim.url)), ...(opts.controller ? { controller: opts.controller } : {}) });
  const client = connectSessionClient({ env, prefix });
  if (opts.start !== false) await daemon.controller.start();
  return {
    core,
    sim,
    prefix,
    env,
    config,
    daemon,
    client,
    stop: () => stopStack({ daemon, client, sim, prefix }),
  };
}

/**
 * Stops a stack's parts in order (controller, then whatever `beforeClose` closes, e.g. an HTTP
 * server, then Redis connections and the simulator) and deletes the test's keys.
 */
export async function stopStack(parts: { daemon: DaemonParts; client: SessionClient; sim: SimServer; prefix: string; beforeClose?: () => Promise<void> }): Promise<void> {
  await parts.daemon.controller.stop(1000);
  await parts.beforeClose?.();
  await parts.daemon.close();
  await parts.client.close();
  await parts.sim.close();
  const redis = connectTestRedis();
  await deleteByPrefix(redis, parts.prefix);
  redis.disconnect();
}

export { eventually } from './eventually.js';
