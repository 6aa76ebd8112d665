/**
 * The composition root: builds every part of the daemon from a validated config. `reconciler
 * run` and `reconciler plan` both start here, so they share one code path.
 */
import type { Cluster, Redis } from 'ioredis';
import { RealClock, type Clock } from '../common/clock.js';
import { mathRandom, type Rng } from '../common/rng.js';
import type { ReconcilerConfig } from '../config/load.js';
import { Controller, type ControllerOptions } from '../controller/controller.js';
import { guardedAwsApi, guardedCallFrom } from '../controller/guarded-aws-api.js';
import type { PlanConfig } from '../controller/plan/plan-config.js';
import { DEFAULT_PLAN_TIMINGS } from '../controller/plan/plan-config.js';
import { AwsCallGuard, DependencyBreaker, RateLimiterRegistry, type CallOutcomeSink } from '../controller/resilience/index.js';
import { createRedisConnection, redisConfigFromEnv } from '../desired/redis-connection.js';
import { RedisDesiredStore } from '../desired/redis-store.js';
import { createAwsClients, type AwsClients } from '../observed/aws-clients.js';
import type { AwsApi } from '../observed/aws-api.js';
import { SdkAwsApi } from '../observed/sdk-aws-api.js';

export interface DaemonParts {
  config: ReconcilerConfig;
  clock: Clock;
  redis: Redis | Cluster;
  store: RedisDesiredStore;
  clients: AwsClients | undefined;
  guard: AwsCallGuard;
  breakers: Record<'ecs' | 'efs', DependencyBreaker>;
  controller: Controller;
  close(): Promise<void>;
}

export function planConfigFrom(config: ReconcilerConfig): PlanConfig {
  return {
    ...DEFAULT_PLAN_TIMINGS,
    ownerId: config.ownerId,
    templates: config.templates,
    pools: config.pools,
    efsFileSystemId: config.efsFileSystemId,
    orphanGraceMs: config.orphanGraceSeconds * 1000,
    startDeadlineMs: config.timeouts.sessionStartMs,
    maxStartAttempts: config.maxStartAttempts,
  };
}

/** Per-operation call budgets from the timeout config (the rest use readCallMs). */
function budgetsFrom(config: ReconcilerConfig): { defaultMs: number; byOperation: Record<string, number> } {
  const s = config.timeouts.steps;
  return {
    defaultMs: config.timeouts.readCallMs,
    byOperation: { CreateAccessPoint: s.ensureAccessPoint, RegisterTaskDefinition: s.registerTaskDefinition, DescribeTaskDefinition: s.registerTaskDefinition, RunTask: s.runTask, TagResource: s.tagResource },
  };
}

export interface BuildDaemonOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  rng?: Rng;
  /** Overrides the SDK-backed API (tests, in-process simulation). */
  aws?: AwsApi;
  outcomeSink?: CallOutcomeSink;
  /** The fencing token of the current leader term; 1 until leader election supplies it. */
  fencingToken?: () => number;
  controller?: Partial<ControllerOptions>;
}

export function buildDaemon(config: ReconcilerConfig, opts: BuildDaemonOptions = {}): DaemonParts {
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? new RealClock();
  const rng = opts.rng ?? mathRandom;
  const redis = createRedisConnection(redisConfigFromEnv(env), rng);
  const store = new RedisDesiredStore({ redis, prefix: config.redisPrefix, clock, ownsConnection: true });
  const clients = opts.aws ? undefined : createAwsClients({ maxAttempts: config.awsMaxAttempts });
  const rawApi = opts.aws ?? new SdkAwsApi(clients!);
  const breakers = {
    ecs: new DependencyBreaker({ name: 'ecs', clock, threshold: config.breakerThreshold, halfOpenAfterMs: config.breakerCooldownMs }),
    efs: new DependencyBreaker({ name: 'efs', clock, threshold: config.breakerThreshold, halfOpenAfterMs: config.breakerCooldownMs }),
  };
  const guard = new AwsCallGuard({ clock, limits: new RateLimiterRegistry(clock, config.rateLimits), breakers, ...(opts.outcomeSink ? { sink: opts.outcomeSink } : {}), defaultBudgetMs: config.timeouts.readCallMs });
  const call = guardedCallFrom(guard, budgetsFrom(config));
  const controller = new Controller({
    aws: rawApi,
    readApi: guardedAwsApi(rawApi, call),
    status: store,
    desired: store,
    fencingToken: opts.fencingToken ?? (() => 1),
    call,
    clock,
    rng,
    config: { cluster: config.cluster, startedBy: config.startedBy, ownerId: config.ownerId, efsFileSystemId: config.efsFileSystemId, templates: config.templates },
    planConfig: planConfigFrom(config),
    resyncMs: config.resyncSeconds * 1000,
    inflightRefreshMs: config.inflightRefreshMs,
    workers: config.workers,
    ...opts.controller,
  });
  return {
    config,
    clock,
    redis,
    store,
    clients,
    guard,
    breakers,
    controller,
    close: async () => {
      await store.close();
      clients?.destroy();
    },
  };
}
