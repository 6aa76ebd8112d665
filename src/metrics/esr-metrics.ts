/**
 * Our own metrics, prefix `esr_`, base units (seconds, counts). No ids in labels: every label
 * value comes from a closed set (phases, drift kinds, action types, outcomes, AWS operations)
 * or from configuration (pool names, dependency names, brake names).
 *
 * Gauges that describe the controller's picture (sessions by phase, warm tasks) are computed at
 * scrape time from a `ScrapeSource` (the controller cache), so they are never stale.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { SessionPhaseSchema } from '../desired/schema.js';
import { QUEUE_BUCKETS_SECONDS } from './controller-runtime-metrics.js';
import { emptyScrapeSource, summarise, type ScrapeSource } from './scrape-source.js';
import { TASK_EVENT_RESULTS } from '../controller/events/task-event-source.js';

export const SESSION_PHASES = SessionPhaseSchema.options;
export const WARM_TASK_STATES = ['starting', 'running', 'stopping'] as const;
export const WARM_CLAIM_RESULTS = ['hit', 'miss'] as const;
export type WarmClaimResult = (typeof WARM_CLAIM_RESULTS)[number];
export const BREAKER_STATES = ['closed', 'open', 'half_open', 'isolated'] as const;
export type BreakerStateLabel = (typeof BREAKER_STATES)[number];
/** Session start latency buckets, seconds: warm starts are ~0.3 s, cold 3-5 s, throttled minutes. */
export const START_BUCKETS_SECONDS = [0.1, 0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 30, 60, 120, 300];
/** AWS call duration buckets, seconds. */
export const AWS_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The `pool` label of warm tasks whose pool is not configured (left over from an earlier
 * configuration): one series set for all of them. Not a valid pool name (those start with a
 * letter or digit), so it never collides with one.
 */
export const UNCONFIGURED_POOL = '_unconfigured';

export class EsrMetrics {
  /** Where scrape-time gauges read from; replaced when a controller is attached. */
  source: ScrapeSource = emptyScrapeSource;
  /**
   * The configured pools (RECONCILER_POOLS): the only `pool` label values besides
   * UNCONFIGURED_POOL, so a gateway cannot add series by naming pools. Their series exist (at 0)
   * even with no tasks.
   */
  knownPools: ReadonlySet<string> = new Set();

  readonly sessions: Gauge<'phase'>;
  readonly sessionsDesired: Gauge;
  readonly oldestUnconverged: Gauge;
  readonly warmPoolFailedStarts: Gauge<'pool'>;
  readonly warmPoolTasks: Gauge<'pool' | 'state'>;
  readonly warmPoolTarget: Gauge<'pool'>;
  readonly fullSyncLastSuccess: Gauge<'half'>;
  readonly fullSyncFailures: Gauge<'half'>;
  readonly warmClaims: Counter<'result'>;
  readonly sessionsExpired: Counter<'reason'>;
  readonly drift: Counter<'kind'>;
  readonly actions: Counter<'type' | 'result'>;
  readonly awsRequests: Counter<'service' | 'operation' | 'outcome'>;
  readonly awsDuration: Histogram<'service' | 'operation'>;
  readonly awsRateLimitWait: Histogram<'service' | 'operation'>;
  readonly breakerState: Gauge<'dependency' | 'state'>;
  readonly breakerTransitions: Counter<'dependency' | 'state'>;
  readonly sessionStart: Histogram<'path'>;
  readonly invalidRecordReads: Counter<'kind' | 'record' | 'reason'>;
  readonly invalidRecords: Gauge;
  readonly brakeEngaged: Gauge<'brake'>;
  readonly buildInfo: Gauge<'version' | 'node'>;
  readonly eventsDropped: Counter;
  readonly taskEvents: Counter<'result'>;
  readonly taskEventAge: Histogram;

  constructor(registry: Registry) {
    const registers = [registry];
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    this.sessions = new Gauge({
      name: 'esr_sessions', help: 'Sessions in the controller cache by status phase (sessions with no status yet count as Pending).', labelNames: ['phase'], registers,
      collect() {
        const s = summarise(self.source);
        for (const phase of SESSION_PHASES) this.set({ phase }, s.byPhase.get(phase) ?? 0);
      },
    });
    this.sessionsDesired = new Gauge({
      name: 'esr_sessions_desired', help: 'Sessions whose valid spec asks for a running task (not deleted, not Expired).', registers,
      collect() {
        this.set(summarise(self.source).desired);
      },
    });
    this.oldestUnconverged = new Gauge({
      name: 'esr_sessions_unconverged_oldest_seconds', help: 'Age of the longest-unconverged desired session (not Running+Ready at its generation), seconds; 0 when all converged.', registers,
      collect() {
        this.set(summarise(self.source).oldestUnconvergedSeconds);
      },
    });
    this.warmPoolTasks = new Gauge({
      name: 'esr_warm_pool_tasks', help: 'Unclaimed warm-pool tasks by pool and state (starting, running = idle and claimable, stopping); pools not in RECONCILER_POOLS count under pool="_unconfigured".', labelNames: ['pool', 'state'], registers,
      collect() {
        this.reset();
        const warm = summarise(self.source).warm;
        for (const pool of self.knownPools) for (const state of WARM_TASK_STATES) this.set({ pool, state }, warm.get(pool)?.[state] ?? 0);
        const other = { starting: 0, running: 0, stopping: 0 };
        let others = false;
        for (const [pool, counts] of warm) {
          if (self.knownPools.has(pool)) continue;
          others = true;
          for (const state of WARM_TASK_STATES) other[state] += counts[state];
        }
        if (others) for (const state of WARM_TASK_STATES) this.set({ pool: UNCONFIGURED_POOL, state }, other[state]);
      },
    });
    this.warmPoolFailedStarts = new Gauge({
      name: 'esr_warm_pool_failed_starts', help: 'Failed starts in a row by warm pool, for each pool in RECONCILER_POOLS: tasks that stopped before RUNNING (e.g. TaskFailedToStart) or batches that started none; 0 once a task runs. From 3 the pool\'s breaker opens (one probe batch a minute).', labelNames: ['pool'], registers,
      collect() {
        this.reset();
        const failing = self.source.poolFailedStarts?.() ?? new Map<string, number>();
        for (const pool of self.knownPools) this.set({ pool }, failing.get(pool) ?? 0);
      },
    });
    this.warmPoolTarget = new Gauge({ name: 'esr_warm_pool_target', help: 'Warm-pool target the controller works towards, for each pool in RECONCILER_POOLS: the gateway\'s target from desired state capped by the pool\'s maxSize (0 without one). Pools the gateway names but the configuration does not have no series.', labelNames: ['pool'], registers });
    this.warmClaims = new Counter({ name: 'esr_warm_claims_total', help: 'Warm-task claims by result: hit (a warm task served the session), miss (cold start).', labelNames: ['result'], registers });
    this.drift = new Counter({ name: 'esr_drift_detected_total', help: 'Planned actions by the drift kind that caused them.', labelNames: ['kind'], registers });
    this.actions = new Counter({ name: 'esr_actions_total', help: 'Executed actions by type and result (ok; error: failed, retried with backoff; skipped; refused: not our task; deferred: a stop held back by the brake, the stop budget or an unreachable Redis).', labelNames: ['type', 'result'], registers });
    this.awsRequests = new Counter({ name: 'esr_aws_requests_total', help: 'AWS calls by service, operation and outcome (ok, throttled, error, timeout, rejected_by_breaker, aborted).', labelNames: ['service', 'operation', 'outcome'], registers });
    this.awsDuration = new Histogram({ name: 'esr_aws_request_duration_seconds', help: 'Duration of AWS calls that ran (excluding rate-limit waits), seconds.', labelNames: ['service', 'operation'], buckets: AWS_BUCKETS_SECONDS, registers });
    this.awsRateLimitWait = new Histogram({ name: 'esr_aws_rate_limit_wait_seconds', help: 'Time AWS calls waited for client-side rate-limit tokens, seconds.', labelNames: ['service', 'operation'], buckets: QUEUE_BUCKETS_SECONDS, registers });
    this.breakerState = new Gauge({ name: 'esr_circuit_breaker_state', help: 'Circuit-breaker state by dependency: 1 for the current state, 0 for the others.', labelNames: ['dependency', 'state'], registers });
    this.breakerTransitions = new Counter({ name: 'esr_circuit_breaker_transitions_total', help: 'Circuit-breaker state changes by dependency and new state.', labelNames: ['dependency', 'state'], registers });
    this.sessionStart = new Histogram({ name: 'esr_session_start_seconds', help: 'From launch request (cold) or spec write (warm) to task RUNNING, seconds, by path.', labelNames: ['path'], buckets: START_BUCKETS_SECONDS, registers });
    this.sessionsExpired = new Counter({ name: 'esr_sessions_expired_total', help: 'Sessions expired by their lifetime, by reason (IdleTimeout: no touch within the idle timeout; MaxLifetimeExceeded).', labelNames: ['reason'], registers });
    this.invalidRecordReads = new Counter({ name: 'esr_invalid_desired_records_total', help: 'Reads of desired-state records that failed validation, by kind, record and reason.', labelNames: ['kind', 'record', 'reason'], registers });
    this.fullSyncLastSuccess = new Gauge({ name: 'esr_full_sync_last_success_timestamp_seconds', help: 'When each half of the full resync (desired: Redis; observed: ECS/EFS) last read successfully, Unix seconds; 0 before the first success. A stale value means reconciliation runs on old facts.', labelNames: ['half'], registers });
    this.fullSyncFailures = new Gauge({ name: 'esr_full_sync_consecutive_failures', help: 'Failed reads in a row of each half of the full resync (desired, observed); 0 after a success.', labelNames: ['half'], registers });
    this.invalidRecords = new Gauge({ name: 'esr_invalid_desired_records', help: 'Invalid desired-state records in the last full snapshot.', registers });
    this.brakeEngaged = new Gauge({ name: 'esr_safety_brake_engaged', help: '1 while the named safety brake is engaged (mass stops held back), else 0.', labelNames: ['brake'], registers });
    this.buildInfo = new Gauge({ name: 'esr_build_info', help: 'Always 1; labels carry the version and the Node.js runtime.', labelNames: ['version', 'node'], registers });
    this.eventsDropped = new Counter({ name: 'esr_session_events_dropped_total', help: 'Session events that could not be written to Redis (buffer full or write failed).', registers });
    this.taskEvents = new Counter({
      name: 'esr_task_events_total',
      help: 'ECS task state change messages read from SQS, by result: applied (newer than the cache: hint), stale (duplicate or overtaken), unknownTask, unversioned (re-described), malformed, foreign (other source or cluster; dropped), error.',
      labelNames: ['result'],
      registers,
    });
    for (const result of TASK_EVENT_RESULTS) this.taskEvents.inc({ result }, 0);
    this.taskEventAge = new Histogram({ name: 'esr_task_event_age_seconds', help: 'From an ECS task state change (event time, whole seconds) to the controller handling its message, seconds.', buckets: START_BUCKETS_SECONDS, registers });
  }

  setBreakerState(dependency: string, state: BreakerStateLabel): void {
    for (const s of BREAKER_STATES) this.breakerState.set({ dependency, state: s }, s === state ? 1 : 0);
  }
}
