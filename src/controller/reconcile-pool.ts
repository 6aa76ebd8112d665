/**
 * Reconciles one warm pool, and finds the warm candidates a session may claim. Batches are
 * launched one after another within one reconcile (each a prerequisite: re-plan at once), so
 * replenishing n tasks takes ceil(n/10) RunTask calls and no idle wait between batches.
 */
import type { ReconcileResult } from './queue/index.js';
import type { ControllerCache } from './cache.js';
import { executeAction } from './execute/execute.js';
import { pinFencingToken } from './pin-fencing-token.js';
import { PreconditionFailedError, StopDeferredError } from './execute/errors.js';
import { isCircuitOpen } from './resilience/index.js';
import { PoolStartHealth, sameStartFailures } from './pool-start-health.js';
import { SCHEMA_VERSION } from '../desired/schema.js';
import { isLive, isRunning, TAG, type ObservedTask } from '../observed/model.js';
import type { PlanConfig } from './plan/plan-config.js';
import { planPool, type PoolPlan } from './plan/plan-pool.js';
import { CLAIM_CANDIDATES } from './plan/plan-session.js';
import { currentWarmHash, warmLaunchSpec } from './plan/launch-spec.js';
import type { ReconcileDeps } from './reconcile-key.js';
import { holdsTask } from './reconcile-on-demand.js';

/** The pool's start health (and breaker), kept in the cache across reconciles. */
function startHealth(deps: ReconcileDeps, name: string): PoolStartHealth {
  let h = deps.cache.poolHealth.get(name);
  if (!h) {
    h = new PoolStartHealth(name, deps.clock);
    deps.cache.poolHealth.set(name, h);
  }
  return h;
}

/**
 * Counts the pool's task fates, and writes what the status says about its starts when that
 * changed (so `reconciler get pools` shows a pool that cannot start tasks).
 */
async function reportStartHealth(deps: ReconcileDeps, name: string, health: PoolStartHealth): Promise<void> {
  const prev = deps.cache.poolStatus.get(name);
  const summary = health.summary();
  if (sameStartFailures(prev?.startFailures, summary)) return;
  const { startFailures: _old, ...rest } = prev ?? { schemaVersion: SCHEMA_VERSION, batch: 0, updatedAt: 0 };
  const status = { ...rest, ...(summary ? { startFailures: summary } : {}), updatedAt: deps.clock.now() };
  await deps.status.writePoolStatus(name, status, deps.fencingToken());
  deps.cache.setPoolStatus(name, status, deps.clock.now());
}

/** Upper bound of plan/execute passes in one pool reconcile (100 tasks = 10 batches). */
const MAX_POOL_PASSES = 12;
/** Scale-down stops per reconcile; the stop budget bounds them per minute as well. */
const MAX_STOPS_PER_PASS = 10;

export function planCachedPool(deps: ReconcileDeps, name: string): PoolPlan {
  const { cache, planConfig } = deps;
  const tasks = cache.warmTasksOf(name);
  const staleClaims: string[] = [];
  for (const [arn, claim] of cache.claims) {
    if (claim.pool !== name) continue;
    const t = cache.tasks.get(arn);
    if (!t ? cache.observedSyncedAt !== undefined && claim.at < cache.observedSyncedAt : !isLive(t)) staleClaims.push(arn);
  }
  return planPool(
    {
      name,
      spec: cache.pools.get(name)?.spec,
      config: planConfig.pools[name],
      templates: planConfig.templates,
      ownerId: planConfig.ownerId,
      tasks,
      claimed: cache.claims,
      staleClaims,
      status: cache.poolStatus.get(name),
      batchSeen: (token) => cache.batchSeen(token),
      knownFamilies: cache.families,
      startDeadlineMs: planConfig.startDeadlineMs,
      maxStopsPerPass: MAX_STOPS_PER_PASS,
      ...(deps.warmOnDemand ? { onDemand: deps.warmOnDemand.demand(name, (id) => holdsTask(deps, id)) } : {}),
    },
    deps.clock.now(),
  );
}

export async function reconcilePool(outer: ReconcileDeps, name: string): Promise<ReconcileResult> {
  const deps = pinFencingToken(outer);
  const health = startHealth(deps, name);
  health.observe(deps.cache.warmTasksOf(name));
  try {
    return await reconcilePoolPasses(deps, name, health);
  } finally {
    await reportStartHealth(deps, name, health);
  }
}

async function reconcilePoolPasses(deps: ReconcileDeps, name: string, health: PoolStartHealth): Promise<ReconcileResult> {
  for (let pass = 0; pass < MAX_POOL_PASSES; pass++) {
    const plan = planCachedPool(deps, name);
    if (plan.actions.length === 0) return plan.requeueAfterMs ? { requeueAfter: plan.requeueAfterMs } : undefined;
    deps.onPlan?.({ key: plan.key, actions: plan.actions });
    let again = false;
    for (const action of plan.actions) {
      try {
        if (action.type === 'launchWarmBatch') await health.launch(() => executeAction(deps, action));
        else await executeAction(deps, action);
      } catch (err) {
        if (err instanceof StopDeferredError) return { requeueAfter: err.retryAfterMs };
        if (isCircuitOpen(err) && err.dependency === `pool:${name}`) return { requeueAfter: Math.max(1000, err.retryAfterMs) };
        if ((err as Error).name === 'NotOwnedError') continue;
        if (err instanceof PreconditionFailedError) {
          again = true;
          break;
        }
        throw err;
      }
      if (action.type === 'launchWarmBatch' || action.type === 'ensureTaskDefinition') again = true;
      // Tasks started for waiting sessions are watched as soon as they are launched (the loop
      // tracks a key's starting tasks when its reconcile returns), not after the pool's own
      // batches, which wait behind every session: come back at once for those.
      if (action.type === 'launchWarmBatch' && action.forSessions && !planCachedPool(deps, name).actions.some((a) => a.type === 'launchWarmBatch' && a.forSessions)) return { requeueAfter: 1 };
    }
    if (!again) return plan.requeueAfterMs ? { requeueAfter: plan.requeueAfterMs } : undefined;
  }
  return { requeueAfter: 1 };
}

/** The current warm-task hash per pool, for one config (computing it hashes the task definition). */
const warmHashes = new WeakMap<PlanConfig, Map<string, string>>();

function currentHashOf(planConfig: PlanConfig, pool: string, template: string): string | undefined {
  let byPool = warmHashes.get(planConfig);
  if (!byPool) warmHashes.set(planConfig, (byPool = new Map()));
  let hash = byPool.get(pool);
  if (hash === undefined) {
    const tpl = planConfig.templates[template];
    if (!tpl) return undefined;
    hash = currentWarmHash(warmLaunchSpec({ pool, templateName: template, template: tpl, ownerId: planConfig.ownerId }));
    byPool.set(pool, hash);
  }
  return hash;
}

const olderFirst = (a: ObservedTask, b: ObservedTask): number => (a.createdAt ?? 0) - (b.createdAt ?? 0) || a.arn.localeCompare(b.arn);

/**
 * The pool (if any) serving `template`, with up to `limit` of its idle, current, RUNNING warm
 * tasks, oldest first. One pass over the pool keeping the `limit` oldest (no full sort): this
 * runs on the claim path, where every millisecond counts.
 */
export function warmCandidates(cache: ControllerCache, planConfig: PlanConfig, template: string, limit = CLAIM_CANDIDATES): { pool: string; candidates: ObservedTask[] } | undefined {
  for (const [pool, cfg] of Object.entries(planConfig.pools)) {
    if (cfg.template !== template) continue;
    const hash = currentHashOf(planConfig, pool, template);
    if (hash === undefined) return undefined;
    const best: ObservedTask[] = [];
    for (const t of cache.warmTasksOf(pool)) {
      if (!isRunning(t) || cache.claims.has(t.arn) || t.tags[TAG.session] !== undefined || t.tags[TAG.specHash] !== hash) continue;
      if (best.length === limit && olderFirst(t, best[limit - 1]!) >= 0) continue;
      best.push(t);
      best.sort(olderFirst);
      if (best.length > limit) best.pop();
    }
    return { pool, candidates: best };
  }
  return undefined;
}
