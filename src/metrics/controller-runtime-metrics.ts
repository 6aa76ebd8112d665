/**
 * The metric names operators of Kubernetes controllers already know (controller-runtime,
 * client-go workqueue, leader election), so their dashboards and habits carry over.
 * Units: seconds for every duration. Label values are closed sets (no ids).
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Reconcile results as controller-runtime labels them (ours maps terminal errors to `error`). */
export const RECONCILE_RESULTS = ['success', 'error', 'requeue', 'requeue_after'] as const;
export type ReconcileResultLabel = (typeof RECONCILE_RESULTS)[number];

/** Buckets for reconcile and work durations, seconds (client-go uses 10 ns..10 s; ours are coarser). */
export const WORK_BUCKETS_SECONDS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Queue waits include rate-limit and breaker backoffs, so they reach minutes. */
export const QUEUE_BUCKETS_SECONDS = [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];

export class ControllerRuntimeMetrics {
  /**
   * Called by the scrape-time gauges (active workers, depth, unfinished work) before they are
   * read; the attached controller sets it to pull those values from its queue.
   */
  refresh: () => void = () => undefined;
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly terminalReconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  readonly activeWorkers: Gauge<'controller'>;
  readonly maxConcurrentReconciles: Gauge<'controller'>;
  readonly depth: Gauge<'name'>;
  readonly adds: Counter<'name'>;
  readonly queueDuration: Histogram<'name'>;
  readonly workDuration: Histogram<'name'>;
  readonly retries: Counter<'name'>;
  readonly unfinishedWork: Gauge<'name'>;
  readonly longestRunning: Gauge<'name'>;
  readonly leaderStatus: Gauge<'name'>;

  constructor(registry: Registry) {
    const registers = [registry];
    const collect = (): void => this.refresh();
    this.reconcileTotal = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of reconciliations per controller, by result.', labelNames: ['controller', 'result'], registers });
    this.reconcileErrors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of reconciliation errors per controller.', labelNames: ['controller'], registers });
    this.terminalReconcileErrors = new Counter({ name: 'controller_runtime_terminal_reconcile_errors_total', help: 'Total number of terminal (not retried) reconciliation errors per controller.', labelNames: ['controller'], registers });
    this.reconcileTime = new Histogram({ name: 'controller_runtime_reconcile_time_seconds', help: 'Length of time per reconciliation per controller, seconds.', labelNames: ['controller'], buckets: WORK_BUCKETS_SECONDS, registers });
    this.activeWorkers = new Gauge({ name: 'controller_runtime_active_workers', help: 'Number of currently used workers per controller.', labelNames: ['controller'], registers, collect });
    this.maxConcurrentReconciles = new Gauge({ name: 'controller_runtime_max_concurrent_reconciles', help: 'Maximum number of concurrent reconciles per controller.', labelNames: ['controller'], registers });
    this.depth = new Gauge({ name: 'workqueue_depth', help: 'Current depth of the workqueue (keys waiting, not in flight or delayed).', labelNames: ['name'], registers, collect });
    this.adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by the workqueue.', labelNames: ['name'], registers });
    this.queueDuration = new Histogram({ name: 'workqueue_queue_duration_seconds', help: 'How long a key stays in the workqueue before being requested, seconds.', labelNames: ['name'], buckets: QUEUE_BUCKETS_SECONDS, registers });
    this.workDuration = new Histogram({ name: 'workqueue_work_duration_seconds', help: 'How long processing a key from the workqueue takes, seconds.', labelNames: ['name'], buckets: WORK_BUCKETS_SECONDS, registers });
    this.retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries (rate-limited requeues) handled by the workqueue.', labelNames: ['name'], registers });
    this.unfinishedWork = new Gauge({ name: 'workqueue_unfinished_work_seconds', help: 'Seconds of work in progress not yet observed by work_duration (sum of in-flight ages); large values mean stuck workers.', labelNames: ['name'], registers, collect });
    this.longestRunning = new Gauge({ name: 'workqueue_longest_running_processor_seconds', help: 'How many seconds the longest-running processor of the workqueue has been running.', labelNames: ['name'], registers, collect });
    this.leaderStatus = new Gauge({ name: 'leader_election_master_status', help: '1 when this process is the leader of the named lease, 0 when it is not.', labelNames: ['name'], registers });
  }

  /** Creates every series at 0 so rates and alerts see them from start-up. */
  initialise(controller: string, queue: string, workers: number): void {
    for (const result of RECONCILE_RESULTS) this.reconcileTotal.inc({ controller, result }, 0);
    this.reconcileErrors.inc({ controller }, 0);
    this.terminalReconcileErrors.inc({ controller }, 0);
    this.reconcileTime.zero({ controller });
    this.activeWorkers.set({ controller }, 0);
    this.maxConcurrentReconciles.set({ controller }, workers);
    this.depth.set({ name: queue }, 0);
    this.adds.inc({ name: queue }, 0);
    this.queueDuration.zero({ name: queue });
    this.workDuration.zero({ name: queue });
    this.retries.inc({ name: queue }, 0);
    this.unfinishedWork.set({ name: queue }, 0);
    this.longestRunning.set({ name: queue }, 0);
  }
}
