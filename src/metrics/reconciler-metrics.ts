/**
 * The reconciler's metrics: one own prom-client Registry (never the global one) holding the
 * controller-runtime/workqueue series, our `esr_` series, build info and Node's default
 * metrics. Metrics attach from outside the controller: a queue sink, a call-outcome sink,
 * controller hooks, breaker events, a desired-snapshot tap and scrape-time reads of the cache.
 *
 * Every counter exists at 0 from construction for every known label value (drift kinds,
 * action types and results, reconcile results, AWS operations and outcomes).
 */
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { ControllerHooks } from '../app/controller-hooks.js';
import type { PoolConfig } from '../config/templates.js';
import type { Controller } from '../controller/controller.js';
import { ACTION_OUTCOMES } from '../controller/execute/context.js';
import { ACTION_TYPES } from '../controller/plan/actions.js';
import { DRIFT_KIND_NAMES } from '../controller/plan/drift.js';
import { EXPIRY_REASONS } from '../controller/plan/lifetime.js';
import { effectiveTarget } from '../controller/plan/plan-pool.js';
import type { QueueMetricsSink } from '../controller/queue/metrics.js';
import type { CallOutcomeSink } from '../controller/resilience/call-outcome.js';
import type { DependencyBreaker } from '../controller/resilience/circuit-breaker.js';
import { STORE_RECORDS, type DesiredSnapshot, type InvalidReason, type InvalidRecordHook } from '../desired/types.js';
import { observeBreaker, refreshBreakers } from './breaker-metrics.js';
import { callOutcomeMetricsSink, initialiseAwsSeries } from './call-outcome-sink.js';
import { controllerMetricsHooks } from './controller-hooks.js';
import { ControllerRuntimeMetrics } from './controller-runtime-metrics.js';
import { EsrMetrics, WARM_CLAIM_RESULTS, type WarmClaimResult } from './esr-metrics.js';
import { queueMetricsSink } from './queue-sink.js';

/** The controller label value (controller-runtime names one per reconciled kind). */
export const CONTROLLER_NAME = 'session';
/** The work queue's name (`name` label), as the Controller creates it. */
export const QUEUE_NAME = 'sessions';
/** The lease name of `leader_election_master_status`. */
export const LEASE_NAME = 'esr-reconciler';
const INVALID_REASONS: InvalidReason[] = ['oversize', 'encoding', 'malformed-json', 'unknown-schema-version', 'schema', 'id-mismatch', 'wrong-type'];

export interface ReconcilerMetricsOptions {
  /** The package version for `esr_build_info`. */
  version: string;
  /** Worker count (`controller_runtime_max_concurrent_reconciles`). */
  workers?: number;
  /** Node.js default metrics (process_*, nodejs_*). Default true. */
  defaultMetrics?: boolean;
  /** Safety brakes known up front (gauge series at 0). */
  brakes?: readonly string[];
}

export class ReconcilerMetrics {
  private poolConfig: Readonly<Record<string, PoolConfig>> | undefined;
  readonly registry = new Registry();
  readonly cr: ControllerRuntimeMetrics;
  readonly esr: EsrMetrics;
  private readonly breakers: DependencyBreaker[] = [];
  private leaderStatus: (() => 0 | 1) | undefined;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(opts: ReconcilerMetricsOptions) {
    this.cr = new ControllerRuntimeMetrics(this.registry);
    this.esr = new EsrMetrics(this.registry);
    this.cr.initialise(CONTROLLER_NAME, QUEUE_NAME, opts.workers ?? 0);
    for (const kind of DRIFT_KIND_NAMES) this.esr.drift.inc({ kind }, 0);
    for (const type of ACTION_TYPES) for (const result of ACTION_OUTCOMES) this.esr.actions.inc({ type, result }, 0);
    for (const result of WARM_CLAIM_RESULTS) this.esr.warmClaims.inc({ result }, 0);
    for (const reason of EXPIRY_REASONS) this.esr.sessionsExpired.inc({ reason }, 0);
    for (const path of ['warm', 'cold']) this.esr.sessionStart.zero({ path });
    for (const reason of INVALID_REASONS) {
      for (const record of ['spec', 'status'] as const) this.esr.invalidRecordReads.inc({ kind: 'session', record, reason }, 0);
      this.esr.invalidRecordReads.inc({ kind: 'pool', record: 'pool', reason }, 0);
    }
    for (const record of STORE_RECORDS) this.esr.invalidRecordReads.inc({ kind: 'store', record, reason: 'wrong-type' }, 0);
    for (const brake of opts.brakes ?? []) this.esr.brakeEngaged.set({ brake }, 0);
    this.esr.invalidRecords.set(0);
    for (const half of ['desired', 'observed']) {
      this.esr.fullSyncLastSuccess.set({ half }, 0);
      this.esr.fullSyncFailures.set({ half }, 0);
    }
    this.esr.eventsDropped.inc(0);
    initialiseAwsSeries(this.esr);
    this.esr.buildInfo.set({ version: opts.version, node: process.version }, 1);
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The sink for `ControllerOptions.queueMetrics`. */
  queueSink(): QueueMetricsSink {
    return queueMetricsSink(this.cr, CONTROLLER_NAME);
  }

  /** The sink for the AWS call guard; `inner` also receives every outcome (events, logs). */
  callOutcomeSink(inner?: CallOutcomeSink): CallOutcomeSink {
    return callOutcomeMetricsSink(this.esr, inner);
  }

  /** The `RedisDesiredStore` option `onInvalidRecord`. */
  invalidRecordHook(): InvalidRecordHook {
    return ({ kind, invalid }) => this.esr.invalidRecordReads.inc({ kind, record: invalid.record, reason: invalid.reason });
  }

  /**
   * The controller's pool configuration (RECONCILER_POOLS): the only pools with series.
   * `esr_warm_pool_target` reads the target the controller works towards (the gateway's, capped
   * by maxSize; 0 without one), the same number the plan uses. Unset: no pool series.
   */
  setPoolConfig(pools: Readonly<Record<string, PoolConfig>>): void {
    this.poolConfig = pools;
    this.esr.knownPools = new Set(Object.keys(pools));
    this.esr.warmPoolTarget.reset();
    for (const pool of this.esr.knownPools) this.esr.warmPoolTarget.set({ pool }, 0);
  }

  /** Feed of full desired snapshots (see `tapDesiredSnapshots`): configured pools' targets, invalid count. */
  onDesiredSnapshot(snapshot: DesiredSnapshot): void {
    this.esr.invalidRecords.set(snapshot.invalidCount);
    // One series per configured pool, whatever the gateway wrote (bounded cardinality).
    for (const [name, config] of Object.entries(this.poolConfig ?? {})) {
      this.esr.warmPoolTarget.set({ pool: name }, effectiveTarget(snapshot.pools.get(name)?.spec, config));
    }
  }

  /**
   * Controller hooks (drift, actions, results, session start). `controller` is read lazily, so
   * the hooks can be passed to the Controller's constructor before it exists.
   */
  controllerHooks(controller: () => Controller | undefined, now: () => number): ControllerHooks {
    return controllerMetricsHooks({ cr: this.cr, esr: this.esr, controller: CONTROLLER_NAME, entryOf: (id) => controller()?.cache.sessions.get(id), now });
  }

  /** Scrape-time reads from a running controller: sessions, warm tasks, workers, queue. */
  attachController(controller: Controller, now: () => number, workers?: number): void {
    if (workers !== undefined) this.cr.maxConcurrentReconciles.set({ controller: CONTROLLER_NAME }, workers);
    this.esr.source = {
      sessions: () => controller.cache.sessions.values(),
      warmByPool: () => controller.cache.index().warmByPool,
      poolFailedStarts: () => new Map([...controller.cache.poolHealth].map(([pool, h]) => [pool, h.consecutiveFailures])),
      now,
    };
    this.cr.refresh = () => {
      this.cr.activeWorkers.set({ controller: CONTROLLER_NAME }, controller.queue.inFlight());
      this.cr.depth.set({ name: controller.queue.name }, controller.queue.len());
      controller.queue.reportUnfinishedWork();
      refreshBreakers(this.esr, this.breakers);
      if (this.leaderStatus) this.cr.leaderStatus.set({ name: LEASE_NAME }, this.leaderStatus());
      const { halves } = controller.syncHealth(now());
      for (const half of ['desired', 'observed'] as const) {
        this.esr.fullSyncLastSuccess.set({ half }, (halves[half].lastSuccessAt ?? 0) / 1000);
        this.esr.fullSyncFailures.set({ half }, halves[half].failures);
      }
    };
  }

  /** Tracks breaker state from their events (and `state()` at scrape time). */
  observeBreakers(breakers: Iterable<DependencyBreaker>): void {
    for (const b of breakers) {
      this.breakers.push(b);
      this.unsubscribe.push(observeBreaker(this.esr, b));
    }
  }

  /** Reads `leader_election_master_status` from `status` at every scrape (e.g. a LeadershipProbe's masterStatus). */
  watchLeader(status: () => 0 | 1): void {
    this.leaderStatus = status;
    this.cr.leaderStatus.set({ name: LEASE_NAME }, status());
  }

  /** `leader_election_master_status`: 1 while this process leads, 0 otherwise. */
  setLeader(leading: boolean, lease = LEASE_NAME): void {
    this.cr.leaderStatus.set({ name: lease }, leading ? 1 : 0);
  }

  /** `esr_safety_brake_engaged{brake}`: set by the safety layer when a brake engages or releases. */
  setBrakeEngaged(brake: string, engaged: boolean): void {
    this.esr.brakeEngaged.set({ brake }, engaged ? 1 : 0);
  }

  /** `esr_warm_claims_total{result}`: the warm pool reports each claim attempt. */
  recordWarmClaim(result: WarmClaimResult): void {
    this.esr.warmClaims.inc({ result });
  }

  /** The exposition text (refreshes scrape-time gauges first). */
  async scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Stops listening to breakers (the registry itself holds no timers beyond default metrics). */
  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.registry.clear();
  }
}
