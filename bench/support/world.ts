/**
 * The benchmark world: one VirtualClock, the in-process ECS simulator (Fargate timings and
 * Fargate-like throttling unless told otherwise), the memory desired store, and the real
 * controller wired as src/app/daemon.ts wires it (configuration from `loadConfig` with
 * production defaults, AwsCallGuard + RateLimiterRegistry + per-dependency breakers, the guarded
 * read API). Leader election is left out: one controller acts alone. Durations in ms.
 */
import { VirtualClock } from '../../src/common/clock.js';
import { SeededRng } from '../../src/common/rng.js';
import { budgetsFrom, planConfigFrom, taskEventsFrom } from '../../src/app/daemon.js';
import { loadConfig, type ReconcilerConfig } from '../../src/config/load.js';
import { Controller, type ControllerOptions } from '../../src/controller/controller.js';
import { launchBucketsOf, WarmOnDemand } from '../../src/controller/warm-on-demand.js';
import { guardedAwsApi, guardedCallFrom } from '../../src/controller/guarded-aws-api.js';
import { Parking } from '../../src/controller/queue/index.js';
import { AwsCallGuard, DependencyBreaker, RateLimiterRegistry } from '../../src/controller/resilience/index.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import type { AwsApi } from '../../src/observed/aws-api.js';
import { SimAwsApi } from '../../src/observed/sim-aws-api.js';
import { SimSqsApi } from '../../src/observed/sim-sqs-api.js';
import { SimCore, type SimCoreOptions } from '../../src/sim/core.js';

export const T0 = Date.UTC(2026, 0, 1);
export const POOL = 'shell-warm';
export const TEMPLATE = 'shell';
const TEMPLATES = { [TEMPLATE]: { image: 'repo/shell:1', port: 8080, subnets: ['subnet-1'] } };

export interface WorldOptions {
  seed?: number;
  /** Extra RECONCILER_* variables over the defaults (e.g. RECONCILER_WORKERS). */
  env?: Record<string, string>;
  sim?: Omit<SimCoreOptions, 'clock' | 'seed'>;
  /** Warm pool max size configured (RECONCILER_POOLS). Default 1000. */
  poolMaxSize?: number;
  controller?: Partial<ControllerOptions>;
  /** Decorates the AwsApi every client of the world uses (observation hooks). */
  wrapApi?: (api: AwsApi) => AwsApi;
  /**
   * ECS task state change events on: the simulator delivers them into its SQS queue (its default
   * delay, 200..1000 ms) and the controller reads them (RECONCILER_EVENTS_QUEUE_URL set).
   */
  events?: boolean;
}

/** Production configuration for the benchmark: defaults except templates, pool and `env`. */
export function benchConfig(o: Pick<WorldOptions, 'env' | 'poolMaxSize'> = {}): ReconcilerConfig {
  return loadConfig({
    RECONCILER_CLUSTER: 'bench',
    RECONCILER_TEMPLATES: JSON.stringify(TEMPLATES),
    RECONCILER_POOLS: JSON.stringify({ [POOL]: { template: TEMPLATE, maxSize: o.poolMaxSize ?? 1000 } }),
    ...o.env,
  });
}

export class BenchWorld {
  readonly clock = new VirtualClock(T0);
  readonly core: SimCore;
  readonly api: AwsApi;
  readonly store: MemoryDesiredStore;
  readonly config: ReconcilerConfig;
  readonly breakers: Record<'ecs' | 'efs' | 'sqs', DependencyBreaker>;
  /** Process CPU ms spent inside the simulator's call handling (synchronous; it stands in for AWS, not for us). */
  simMs = 0;
  private controllerValue: Controller | undefined;

  constructor(private readonly o: WorldOptions = {}) {
    const seed = o.seed ?? 1;
    this.core = new SimCore({ clock: this.clock, seed, profile: 'fargate', ...o.sim, ...(o.events ? { taskEvents: true } : {}) });
    const inner = this.core.call.bind(this.core);
    const metered = (...args: Parameters<SimCore['call']>): ReturnType<SimCore['call']> => {
      const t = process.cpuUsage();
      try {
        return inner(...args);
      } finally {
        const d = process.cpuUsage(t);
        this.simMs += (d.user + d.system) / 1000;
      }
    };
    this.core.call = metered as SimCore['call'];
    const api = new SimAwsApi(this.core);
    this.api = o.wrapApi ? o.wrapApi(api) : api;
    this.store = new MemoryDesiredStore({ clock: this.clock });
    this.store.setLeaderEpoch(1);
    this.config = benchConfig({ ...o, env: { ...o.env, ...(o.events ? { RECONCILER_EVENTS_QUEUE_URL: this.core.taskEventsQueueUrl()! } : {}) } });
    const clock = this.clock;
    this.breakers = {
      ecs: new DependencyBreaker({ name: 'ecs', clock, threshold: this.config.breakerThreshold, halfOpenAfterMs: this.config.breakerCooldownMs }),
      efs: new DependencyBreaker({ name: 'efs', clock, threshold: this.config.breakerThreshold, halfOpenAfterMs: this.config.breakerCooldownMs }),
      sqs: new DependencyBreaker({ name: 'sqs', clock, threshold: this.config.breakerThreshold, halfOpenAfterMs: this.config.breakerCooldownMs }),
    };
  }

  /** The controller, built on first use (as the daemon builds it). */
  get controller(): Controller {
    this.controllerValue ??= this.newController();
    return this.controllerValue;
  }

  /** A controller wired as the daemon wires it (its own guard, limits and queue), not started. */
  newController(): Controller {
    const { config, clock } = this;
    const limits = new RateLimiterRegistry(clock, config.rateLimits);
    const guard = new AwsCallGuard({ clock, limits, breakers: this.breakers, defaultBudgetMs: config.timeouts.readCallMs });
    const parking = new Parking();
    const call = guardedCallFrom(guard, budgetsFrom(config), { parking, limits });
    return new Controller({
      parking,
      warmOnDemand: new WarmOnDemand(clock, launchBucketsOf(limits)),
      aws: this.api,
      readApi: guardedAwsApi(this.api, call),
      status: this.store,
      desired: this.store,
      fencingToken: () => 1,
      call,
      positionOf: (key) => guard.positionOf(key),
      clock,
      rng: new SeededRng((this.o.seed ?? 1) + 1000),
      config: { cluster: config.cluster, startedBy: config.startedBy, ownerId: config.ownerId, efsFileSystemId: config.efsFileSystemId, templates: config.templates },
      planConfig: planConfigFrom(config),
      resyncMs: config.resyncSeconds * 1000,
      inflightRefreshMs: config.inflightRefreshMs,
      workers: config.workers,
      taskEvents: taskEventsFrom(config, this.o.events ? new SimSqsApi(this.core) : undefined, call),
      ...this.o.controller,
    });
  }

  /** Starts the controller without awaiting (its first sync needs the clock to move). */
  startController(): void {
    this.controller.start().catch((err: unknown) => {
      throw new Error(`controller failed to start: ${(err as Error).message}`, { cause: err });
    });
  }

  async stop(): Promise<void> {
    if (!this.controllerValue) return;
    const stopping = this.controllerValue.stop(0);
    await this.clock.advance(10);
    await stopping.catch(() => undefined);
  }


  /** Milliseconds of virtual time since the world began. */
  elapsedMs(): number {
    return this.clock.now() - T0;
  }
}

/** Session ids `b000000`, `b000001`, ... (valid ids, stable order). */
export function sessionId(i: number): string {
  return `b${String(i).padStart(6, '0')}`;
}

/** Writes `n` cold session specs (no persistence) through the store, as the gateway would. */
export async function createSessions(store: MemoryDesiredStore, n: number, from = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let i = from; i < from + n; i++) {
    const id = sessionId(i);
    ids.push(id);
    await store.ensureSession({ id, userId: `u${i}`, template: TEMPLATE, persistence: 'none', env: {}, labels: {} });
  }
  return ids;
}

/** Controller rate limits far above any benchmark's needs (setup of large steady states). */
export const UNLIMITED_RATE_LIMITS = JSON.stringify({
  buckets: Object.fromEntries(
    ['ecs:RunTask', 'fargate:TaskLaunch', 'ecs:DescribeTasks', 'ecs:ListTasks', 'ecs:StopTask', 'ecs:TagResource', 'ecs:RegisterTaskDefinition', 'ecs:DescribeTaskDefinition'].map((b) => [b, { burst: 100_000, ratePerSec: 100_000 }]),
  ),
});

/**
 * Starts the controller, writes `sessions` cold sessions and advances in 1 s steps until every
 * one is Running with an endpoint. Returns the virtual ms it took; throws after `maxMs`.
 */
export async function convergeSessions(w: BenchWorld, sessions: number, maxMs = 900_000): Promise<number> {
  w.startController();
  await w.clock.advance(1);
  await createSessions(w.store, sessions);
  const start = w.clock.now();
  for (let at = start + 1000; at <= start + maxMs; at += 1000) {
    await w.clock.runUntil(at);
    const snap = await w.store.snapshot();
    let running = 0;
    for (const e of snap.sessions.values()) if (e.status?.phase === 'Running' && e.status.endpoint) running++;
    if (running === sessions) return at - start;
  }
  throw new Error(`${sessions} sessions not all Running after ${maxMs} ms of virtual time`);
}
