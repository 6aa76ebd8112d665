/**
 * The composition root: builds every part of the daemon from a validated config. `reconciler
 * run` and `reconciler plan` both start here, so they share one code path.
 */
import type { Cluster, Redis } from 'ioredis';
import { RealClock, type Clock } from '../common/clock.js';
import { mathRandom, type Rng } from '../common/rng.js';
import type { ReconcilerConfig } from '../config/load.js';
import { launchBucketsOf, WarmOnDemand } from '../controller/warm-on-demand.js';
import { Controller, type ControllerOptions } from '../controller/controller.js';
import { HighAvailability, type HaLog } from '../controller/leader/high-availability.js';
import { guardedAwsApi, guardedCallFrom } from '../controller/guarded-aws-api.js';
import type { PlanConfig } from '../controller/plan/plan-config.js';
import { DEFAULT_PLAN_TIMINGS } from '../controller/plan/plan-config.js';
import { AwsCallGuard, DependencyBreaker, RateLimiterRegistry, type CallOutcomeSink, type TimeoutsConfig } from '../controller/resilience/index.js';
import { Parking } from '../controller/queue/index.js';
import { createRedisConnection, redisConfigFromEnv } from '../desired/redis-connection.js';
import { RedisDesiredStore } from '../desired/redis-store.js';
import type { DesiredStore, InvalidRecordHook } from '../desired/types.js';
import { createAwsClients, type AwsClients } from '../observed/aws-clients.js';
import type { AwsApi } from '../observed/aws-api.js';
import { SdkAwsApi } from '../observed/sdk-aws-api.js';
import { SdkSqsApi } from '../observed/sdk-sqs-api.js';
import type { SqsApi } from '../observed/sqs-api.js';
import { receiveBudgetMs } from '../controller/events/task-event-source.js';

export interface DaemonParts {
  config: ReconcilerConfig;
  clock: Clock;
  redis: Redis | Cluster;
  store: RedisDesiredStore;
  clients: AwsClients | undefined;
  guard: AwsCallGuard;
  breakers: Record<'ecs' | 'efs' | 'sqs', DependencyBreaker>;
  controller: Controller;
  /** Leader election, fencing, lease gate, stop gate and brakes (src/controller/leader/high-availability.ts). */
  ha: HighAvailability;
  /** Starts leader election (when enabled), then the controller. */
  start(): Promise<void>;
  /** Releases the lease (when held), then closes Redis and the AWS clients. */
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
    startHealthyMs: config.startHealthySeconds * 1000,
    lifetime: { idleTimeoutSeconds: config.idleTimeoutSeconds, idleTimeoutMaxSeconds: config.idleTimeoutMaxSeconds, maxLifetimeSeconds: config.maxLifetimeSeconds, maxLifetimeMaxSeconds: config.maxLifetimeMaxSeconds },
  };
}

/** Per-operation call budgets from the configuration (the rest use readCallMs). */
export function budgetsFrom(config: ReconcilerConfig): { defaultMs: number; byOperation: Record<string, number> } {
  return callBudgets(config.timeouts, config.eventsWaitSeconds);
}

/** Per-operation call budgets, ms, from the timeouts and the SQS long-poll wait (s): a long poll gets its wait on top of a read's budget. */
export function callBudgets(timeouts: TimeoutsConfig, eventsWaitSeconds: number): { defaultMs: number; byOperation: Record<string, number> } {
  const s = timeouts.steps;
  return {
    defaultMs: timeouts.readCallMs,
    byOperation: {
      CreateAccessPoint: s.ensureAccessPoint,
      RegisterTaskDefinition: s.registerTaskDefinition,
      DescribeTaskDefinition: s.registerTaskDefinition,
      RunTask: s.runTask,
      TagResource: s.tagResource,
      ReceiveMessage: receiveBudgetMs(eventsWaitSeconds, timeouts.readCallMs),
    },
  };
}

/** The task-event source's options when RECONCILER_EVENTS_QUEUE_URL is set, else undefined. */
export function taskEventsFrom(config: ReconcilerConfig, api: SqsApi | undefined, call: ControllerOptions['call']): ControllerOptions['taskEvents'] {
  if (!config.eventsQueueUrl) return undefined;
  if (!api) throw new Error('RECONCILER_EVENTS_QUEUE_URL is set but no SQS client was built');
  return { api, call, queueUrl: config.eventsQueueUrl, waitSeconds: config.eventsWaitSeconds, visibilityTimeoutSeconds: config.eventsVisibilityTimeoutSeconds };
}

export interface BuildDaemonOptions {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  rng?: Rng;
  /** Overrides the SDK-backed API (tests, in-process simulation). */
  aws?: AwsApi;
  /** Overrides the SDK-backed SQS API of the task-event source (tests, in-process simulation). */
  sqs?: SqsApi;
  outcomeSink?: CallOutcomeSink;
  /** The fencing token of the current leader term; 1 until leader election supplies it. */
  fencingToken?: () => number;
  controller?: Partial<ControllerOptions>;
  /** Called for every invalid desired record read (metrics). */
  onInvalidRecord?: InvalidRecordHook;
  /** Wraps the store the controller reads desired state from (e.g. a metrics tap). */
  decorateDesired?: (store: DesiredStore) => DesiredStore;
  /** Take part in leader election (config.leaderElection; only `reconciler run` passes true). Default false: act alone. */
  leaderElection?: boolean;
  /** Logger for leadership, brake and fencing events. */
  log?: HaLog;
}

export function buildDaemon(config: ReconcilerConfig, opts: BuildDaemonOptions = {}): DaemonParts {
  const env = opts.env ?? process.env;
  const clock = opts.clock ?? new RealClock();
  const rng = opts.rng ?? mathRandom;
  const redis = createRedisConnection(redisConfigFromEnv(env), rng, (err, target) =>
    opts.log?.warn({ redis: target, code: (err as { code?: string }).code, err: err.message }, `redis connection to ${target} failed: ${err.message}`),
  );
  const store = new RedisDesiredStore({ redis, prefix: config.redisPrefix, clock, ownsConnection: true, ...(opts.onInvalidRecord ? { onInvalidRecord: opts.onInvalidRecord } : {}) });
  const needsSdkSqs = config.eventsQueueUrl !== undefined && !opts.sqs;
  const clients = opts.aws && !needsSdkSqs ? undefined : createAwsClients({ maxAttempts: config.awsMaxAttempts });
  const rawApi = opts.aws ?? new SdkAwsApi(clients!);
  const sqsApi = opts.sqs ?? (needsSdkSqs ? new SdkSqsApi(clients!.sqs) : undefined);
  const breakers = {
    ecs: new DependencyBreaker({ name: 'ecs', clock, threshold: config.breakerThreshold, halfOpenAfterMs: config.breakerCooldownMs }),
    efs: new DependencyBreaker({ name: 'efs', clock, threshold: config.breakerThreshold, halfOpenAfterMs: config.breakerCooldownMs }),
    sqs: new DependencyBreaker({ name: 'sqs', clock, threshold: config.breakerThreshold, halfOpenAfterMs: config.breakerCooldownMs }),
  };
  const limits = new RateLimiterRegistry(clock, config.rateLimits);
  const guard = new AwsCallGuard({ clock, limits, breakers, ...(opts.outcomeSink ? { sink: opts.outcomeSink } : {}), defaultBudgetMs: config.timeouts.readCallMs });
  // Workers waiting on a rate limit lend their slot, so status work is not stuck behind a burst of launches.
  const parking = new Parking();
  const budgets = budgetsFrom(config);
  const call = guardedCallFrom(guard, budgets, { parking, limits });
  const ha = new HighAvailability({
    config, redis, clock, call, budgetOf: (op) => budgets.byOperation[op] ?? budgets.defaultMs, leaderElection: opts.leaderElection ?? false,
    ...(opts.fencingToken ? { fencingToken: opts.fencingToken } : {}), ...(opts.log ? { log: opts.log } : {}),
  });
  const controller = new Controller({
    aws: rawApi,
    readApi: guardedAwsApi(rawApi, call),
    status: ha.gateWrites(store),
    desired: ha.gateWrites(opts.decorateDesired ? opts.decorateDesired(store) : store),
    fencingToken: opts.fencingToken ?? (() => 1),
    call: ha.call,
    parking,
    warmOnDemand: new WarmOnDemand(clock, launchBucketsOf(limits)),
    positionOf: (key) => guard.positionOf(key),
    clock,
    rng,
    config: { cluster: config.cluster, startedBy: config.startedBy, ownerId: config.ownerId, efsFileSystemId: config.efsFileSystemId, efsRefusalRecheckMs: config.efsRefusalRecheckMs, templates: config.templates },
    planConfig: planConfigFrom(config),
    resyncMs: config.resyncSeconds * 1000,
    inflightRefreshMs: config.inflightRefreshMs,
    workers: config.workers,
    // Reads, not actions: not behind the leader's lease gate (the source itself receives only while leading).
    taskEvents: taskEventsFrom(config, sqsApi, call),
    ...opts.controller,
    ...ha.controllerOptions(opts.controller),
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
    ha,
    start: async () => {
      await ha.start(controller);
      await controller.start();
    },
    close: async () => {
      await ha.stop();
      await store.close();
      clients?.destroy();
    },
  };
}
