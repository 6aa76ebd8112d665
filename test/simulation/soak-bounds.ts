/**
 * The stated bound of every in-memory map and Redis key family the soak measures
 * (test/simulation/soak.ts), as a function of the churn it drives. Each rule restates, with the
 * soak's numbers, the bound the owning class's `sizes()` doc comment gives. A size the soak
 * measures without a rule here fails the soak: nothing is left unbounded by omission.
 */
import { DEFAULT_BRAKE_MIN_DROP } from '../../src/controller/safety/desired-state-brake.js';
import { RESERVATION_TTL_MS } from '../../src/desired/warm-schema.js';
import { SIM_PLAN, SIM_TIMINGS } from './config.js';

const MINUTE = 60_000;

/** What the soak drives, per virtual minute unless said otherwise. */
export interface Churn {
  /** Live sessions kept. */
  sessions: number;
  /** Sessions deleted (and as many created) a minute. */
  deletesPerMinute: number;
  /** Env changes a minute (each relaunches a session: make before break). */
  envChangesPerMinute: number;
  /** Users sessions are drawn from (one access point each). */
  users: number;
  /** Largest warm-pool target set. */
  poolMax: number;
  /** Minutes between warm-pool target changes. */
  poolEveryMinutes: number;
  /** Deleted ids kept for re-creation. */
  recreatePool: number;
  /** Full resync interval, ms. */
  resyncMs: number;
  /** Controller processes started over the run. */
  processes: number;
}

export interface Bound {
  bound: number;
  rule: string;
}

/** Bounds by size name (names as the soak reports them). */
export function soakBounds(c: Churn): Record<string, Bound> {
  const poolCap = SIM_PLAN.pools['warm']!.maxSize;
  const pools = Object.keys(SIM_PLAN.pools).length;
  const templates = Object.keys(SIM_PLAN.templates).length;
  const retentionMin = 60; // Fargate profile: STOPPED tasks stay listed for an hour
  const resyncMin = Math.ceil(c.resyncMs / MINUTE);
  // A deleted session's record is purged once its tasks are gone: a stop (< 1 min on Fargate),
  // the start deadline and two resyncs at most.
  const purgeWindowMin = 1 + Math.ceil(SIM_PLAN.startDeadlineMs / MINUTE) + 2 * resyncMin + 1;
  const tombstones = c.deletesPerMinute * purgeWindowMin;
  const specs = c.sessions + tombstones;
  // Tasks stopped a minute: deleted sessions, replaced ones (env changes), warm scale-down.
  const stopsPerMinute = c.deletesPerMinute + c.envChangesPerMinute + Math.ceil(c.poolMax / c.poolEveryMinutes);
  const live = c.sessions + tombstones + c.envChangesPerMinute * purgeWindowMin + poolCap;
  const tasks = live + stopsPerMinute * (retentionMin + resyncMin + 1);
  const claims = c.sessions + tombstones + poolCap;
  const keys = specs + tasks + pools;
  const families = templates * (c.users + 1) + pools;
  // RunTask clientTokens: one per launch intent (a session's or a warm batch's) in ECS's 24 h.
  const launchesPerMinute = c.deletesPerMinute + c.envChangesPerMinute + Math.ceil(c.poolMax / c.poolEveryMinutes) + c.deletesPerMinute;
  const tokens = launchesPerMinute * 24 * 60 * 2;
  const b = (bound: number, rule: string): Bound => ({ bound, rule });
  return {
    // Desired store (Redis key families).
    'store.specs': b(specs, 'live sessions + tombstones'),
    'store.tombstones': b(tombstones, `deletes in the purge window (${purgeWindowMin} min: stop, start deadline, 2 resyncs)`),
    'store.statuses': b(specs, '<= specs (purged with them)'),
    'store.activity': b(specs, '<= specs (purged with them)'),
    'store.pools': b(pools, 'pools targeted'),
    'store.poolStatuses': b(pools, 'pools targeted'),
    'store.claims': b(claims, 'claimed warm tasks not yet stopped: sessions + tombstones + pool maxSize'),
    'store.stopping': b(Math.max(poolCap, 120 * Math.ceil(RESERVATION_TTL_MS / MINUTE)) + poolCap, 'stop reservations within their TTL (the stop budget a minute x TTL) + one scale-down'),
    'store.hints': b(10_000, 'hint stream MAXLEN'),
    'store.watchers': b(0, 'status watches open (none in the soak)'),
    'store.refreshGates': b(specs, 'refresh requests within 1 s (none in the soak; <= specs)'),
    // Controller (the live leader): cache.
    'cache.sessions': b(specs, '<= store specs'),
    'cache.pools': b(pools, 'pools targeted'),
    'cache.poolStatus': b(pools, 'pools targeted'),
    'cache.claims': b(claims, '<= store claims'),
    'cache.tasks': b(tasks, 'live tasks + tasks STOPPED within ECS retention (1 h) and one resync'),
    'cache.accessPoints': b(c.users, 'one per user'),
    'cache.families': b(families, 'templates x (users + 1) + pools'),
    'cache.inflightEnsures': b(families + c.users, 'ensures running now: one per family or user at most'),
    'cache.poolHealth': b(pools, 'one per pool'),
    'cache.taskTouchedAt': b(tasks, 'tasks learned within one resync'),
    'cache.statusTouchedAt': b(specs, 'statuses written within one resync'),
    'cache.poolStatusTouchedAt': b(pools, 'pools'),
    'cache.claimTouchedAt': b(claims, 'claims made or released within one resync'),
    'cache.entryTouchedAt': b(specs + tombstones, 'sessions hinted within one resync'),
    'cache.bySession': b(tasks, '<= tasks (cleared at every full sync)'),
    'cache.byPool': b(pools, 'pools'),
    'cache.claimsBySession': b(claims, '<= claims (cleared at every full sync)'),
    'cache.batchesSeen': b(tasks, 'warm batches of tasks ECS still lists (<= tasks)'),
    // Controller: queue, refresher.
    'queue.pending': b(keys, 'distinct keys: sessions, sessions of listed tasks, pools'),
    'queue.pendingEntries': b(2 * keys, '2 x distinct keys (one stale entry per priority upgrade)'),
    'queue.processing': b(SIM_TIMINGS.workers, 'workers'),
    'queue.dirtyWhileProcessing': b(SIM_TIMINGS.workers, 'keys being processed'),
    'queue.waiters': b(SIM_TIMINGS.workers, 'workers'),
    'queue.delayed': b(keys, 'distinct keys'),
    'queue.delayHeap': b(2 * keys, 'delayed keys + superseded entries not yet surfaced'),
    'queue.backoffKeys': b(keys, 'keys that failed since their last success'),
    'refresher.tracked': b(tasks, 'tasks starting or stopping'),
    'guard.heldByBreaker': b(keys, 'distinct keys rejected since the breaker last closed'),
    'guard.buckets': b(32, 'one per service:operation used (a fixed set)'),
    'guard.bucketWaiters': b(keys, 'calls waiting for tokens <= keys in flight'),
    'brake.expiries': b(Math.max(DEFAULT_BRAKE_MIN_DROP, Math.ceil(0.1 * (c.sessions + poolCap))) + 1, 'expiries in the window <= the mass-expiry threshold'),
    'brake.listeners': b(4, 'fixed at wiring'),
    // Simulated AWS.
    'ecs.tasks': b(tasks, 'live + STOPPED within retention (1 h)'),
    'ecs.runTaskTokens': b(tokens, `clientTokens of the last 24 h: 2 x launches a day (${launchesPerMinute}/min)`),
    'ecs.taskDefinitionRevisions': b(families, 'content-hashed: one revision per family'),
    'ecs.tagHistory': b(50_000, 'MAX_TASKS (only while a tag lag is set)'),
    'events.tracked': b(tasks, 'tasks followed until STOPPED (<= tasks ECS lists)'),
    'events.deliveries': b(8 * tasks, 'events not yet delivered: a few status changes per task'),
    'sqs.messages': b(8 * tasks, 'events not yet deleted by the controller (deleted after each batch)'),
    'efs.accessPoints': b(c.users, 'one per user'),
    'efs.accessPointTokens': b(c.users, 'one per access point'),
    // The harness itself.
    'harness.gateway.intended': b(c.sessions + c.recreatePool + tombstones + 60 * c.deletesPerMinute, 'live + kept for re-creation + not yet purged + one hour of deletes (swept hourly)'),
    'harness.slots': b(c.processes, 'controller processes started'),
    'harness.clock.timers': b(64 * c.processes + keys, 'per process: loops, buckets, sleeps; plus one per delayed key'),
  };
}
