/**
 * The session side of warm tasks on demand (warm-on-demand.ts): a session whose plan is a cold
 * launch, that a warm task can serve, waits for one its pool starts instead, while the launch
 * bucket has room that the RunTask call bucket does not. Its status says so (Queued, with its
 * place among the waiting sessions); the warm-claim path takes the task once it runs.
 */
import type { ReconcileResult } from './queue/index.js';
import type { LaunchAction } from './plan/actions.js';
import type { SessionPlan } from './plan/plan-session.js';
import { servesSpec, warmLaunchSpec } from './plan/launch-spec.js';
import { effectiveTarget } from './plan/plan-pool.js';
import { initialStatus, removeCondition, setConditions } from './plan/status.js';
import { writeSessionStatus } from './execute/session-status.js';
import { isLive, TAG } from '../observed/model.js';
import type { ReconcileDeps } from './reconcile-key.js';

/** How often a waiting session looks for its warm task, ms (a Fargate start takes seconds). */
export const ON_DEMAND_RECHECK_MS = 500;
/** Reason of the Queued condition of a session waiting for an on-demand warm task. */
export const WAITING_FOR_WARM = 'WarmTaskOnDemand';

/**
 * Live, unclaimed warm tasks of `pool` running its current content (starting or idle): the supply
 * that waiting sessions and the pool target share.
 */
function warmSupply(deps: ReconcileDeps, pool: string, hash: string): number {
  let n = 0;
  for (const t of deps.cache.warmTasksOf(pool)) if (isLive(t) && !deps.cache.claims.has(t.arn) && t.tags[TAG.session] === undefined && t.tags[TAG.specHash] === hash) n++;
  return n;
}

/** Whether a session already holds a live task (its own, or a warm task claimed for it). */
export function holdsTask(deps: Pick<ReconcileDeps, 'cache'>, sessionId: string): boolean {
  return deps.cache.tasksOf(sessionId).some(isLive);
}

/**
 * Returns the result to give the work queue when the session waits for an on-demand warm task;
 * undefined when it goes on with its plan (possibly with the wait's Queued condition removed
 * from the launch's status). Only a plan that is exactly one fresh cold launch (no recorded
 * intent: a recorded one is resumed with its own token) is considered.
 */
export async function waitForWarmOnDemand(deps: ReconcileDeps, key: string, plan: SessionPlan): Promise<ReconcileResult | undefined> {
  const od = deps.warmOnDemand;
  if (!od) return undefined;
  const launch = plan.actions.find((a): a is LaunchAction => a.type === 'launch');
  if (!launch) {
    // A claim may be lost to a concurrent claimer: the session keeps its place until it runs.
    if (!plan.actions.some((a) => a.type === 'claimWarm')) od.leave(key);
    return undefined;
  }
  const entry = deps.cache.sessions.get(key);
  const spec = entry?.spec;
  if (!spec || plan.actions.length !== 1 || entry.status?.launchIntent) return undefined;
  const found = Object.entries(deps.planConfig.pools).find(([, cfg]) => cfg.template === spec.template);
  const template = deps.planConfig.templates[spec.template];
  if (!found || !template) return undefined;
  const [pool, poolConfig] = found;
  const warm = warmLaunchSpec({ pool, templateName: spec.template, template, ownerId: deps.planConfig.ownerId });
  if (servesSpec({ tags: warm.tags }, { spec, template, userAccessPoint: undefined, accessPointsKnown: true }) !== 'yes') return undefined;
  const target = effectiveTarget(deps.cache.pools.get(pool)?.spec, poolConfig);
  const { waiting } = od.demand(pool, (id) => holdsTask(deps, id));
  const unlaunched = Math.max(0, waiting - Math.max(0, warmSupply(deps, pool, warm.tags[TAG.specHash]!) - target));
  const requestedAt = launch.intentStatus.launchIntent?.requestedAt ?? deps.clock.now();
  const d = od.decide(key, pool, requestedAt, unlaunched);
  const now = deps.clock.now();
  if (!d.wait) {
    const queued = launch.intentStatus.conditions.find((c) => c.type === 'Queued');
    if (queued?.reason === WAITING_FOR_WARM) {
      const intentStatus = { ...launch.intentStatus, queuePosition: undefined, conditions: removeCondition(launch.intentStatus.conditions, 'Queued') };
      plan.actions[plan.actions.indexOf(launch)] = { ...launch, intentStatus };
    }
    return undefined;
  }
  if (d.joined) {
    const cur = entry.status ?? initialStatus(now);
    const message = `a warm task is being started for the sessions waiting on pool ${pool} (${d.position} in line); launches share RunTask calls while ECS's call limit is the tighter one`;
    await writeSessionStatus(deps, key, {
      ...cur,
      queuePosition: d.position,
      conditions: setConditions(cur.conditions, [
        { type: 'Ready', status: 'False', reason: WAITING_FOR_WARM, message },
        { type: 'Queued', status: 'True', reason: WAITING_FOR_WARM, message },
      ], now),
    }, { generation: spec.generation, uid: spec.uid });
  }
  return { requeueAfter: ON_DEMAND_RECHECK_MS };
}
