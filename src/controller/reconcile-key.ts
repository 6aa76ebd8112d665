/**
 * One reconcile of one key (controller-runtime style): plan from the cache, execute the
 * actions in order, return when to look again. Prerequisite actions (access point, task
 * definition) are followed by an immediate re-plan, so a cold start needs one reconcile.
 */
import type { ReconcileResult } from './queue/index.js';
import type { ExecutorDeps } from './execute/context.js';
import { AccessPointRefusedError, PreconditionFailedError, StopDeferredError } from './execute/errors.js';
import { executeAction } from './execute/execute.js';
import { isPrerequisite } from './plan/actions.js';
import type { PlanConfig } from './plan/plan-config.js';
import { planSession, type SessionPlan } from './plan/plan-session.js';
import { warmCandidates } from './reconcile-pool.js';
import { pinFencingToken } from './pin-fencing-token.js';
import { ClaimRaceError } from './execute/warm.js';
import { reportFailure } from './execute/degradation.js';
import type { WarmOnDemand } from './warm-on-demand.js';
import { waitForWarmOnDemand } from './reconcile-on-demand.js';
import { isRunning } from '../observed/model.js';

/** At most this many plan/execute passes per reconcile (access point, task definition, launch). */
const MAX_PASSES = 4;

export interface ReconcileDeps extends ExecutorDeps {
  planConfig: PlanConfig;
  /** Called with every non-empty plan (drift metrics, logs). */
  onPlan?: (plan: SessionPlan) => void;
  /** Warm tasks on demand for waiting sessions (warm-on-demand.ts); absent: every launch is its own. */
  warmOnDemand?: WarmOnDemand;
}

/** Memoizes a thunk: the warm candidates are computed at most once per plan, and only if asked. */
function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

export function planCachedSession(deps: ReconcileDeps, key: string): SessionPlan {
  const { cache } = deps;
  const entry = cache.sessions.get(key);
  const template = entry?.spec?.template;
  return planSession(
    {
      id: key,
      entry,
      tasks: cache.tasksOf(key),
      accessPoints: cache.accessPoints.values(),
      accessPointsKnown: cache.accessPointsKnown,
      accessPointRefusal: cache.accessPointRefusal && cache.accessPointRefusal.until > deps.clock.now() ? cache.accessPointRefusal : undefined,
      knownFamilies: cache.families,
      warm: template ? once(() => warmCandidates(cache, deps.planConfig, template)) : undefined,
    },
    deps.clock.now(),
    deps.planConfig,
  );
}

export async function reconcileSession(outer: ReconcileDeps, key: string): Promise<ReconcileResult> {
  const deps = pinFencingToken(outer);
  passes: for (let pass = 0; pass < MAX_PASSES; pass++) {
    const plan = planCachedSession(deps, key);
    if (plan.actions.length === 0) {
      deps.warmOnDemand?.leave(key);
      return plan.requeueAfterMs ? { requeueAfter: plan.requeueAfterMs } : undefined;
    }
    const waiting = await waitForWarmOnDemand(deps, key, plan);
    if (waiting) return waiting;
    deps.onPlan?.(plan);
    for (const action of plan.actions) {
      try {
        await executeAction(deps, action);
      } catch (err) {
        if (err instanceof StopDeferredError) return { requeueAfter: err.retryAfterMs };
        if (err instanceof ClaimRaceError) continue;
        if (err instanceof PreconditionFailedError) return { requeue: true };
        // EFS refused the access point for a reason retrying cannot change soon: the refusal is
        // recorded, and the plan decides from it now (run without, or wait with the reason).
        if (err instanceof AccessPointRefusedError) continue passes;
        if ('sessionId' in action && action.sessionId) await reportFailure(deps, action.sessionId, err).catch(() => undefined);
        if ((err as Error).name === 'NotOwnedError') continue;
        throw err;
      }
    }
    // Prerequisites and the steps of a claim (claim, then tag) are followed by a re-plan at once:
    // a claimed task becomes Ready in the same reconcile as soon as ECS carries its identity.
    const claiming = plan.actions.some((a) => a.type === 'claimWarm' || a.type === 'tagTask');
    // A RunTask answer may already say RUNNING (ECS does not promise otherwise): then the session
    // is Running now, not when a refresh or the resync looks again.
    if (plan.actions.some((a) => a.type === 'launch') && answeredRunning(deps, key)) continue;
    if (!plan.actions.every((a) => isPrerequisite(a) || a.type === 'claimWarm' || (claiming && (a.type === 'tagTask' || a.type === 'writeStatus')))) {
      return plan.requeueAfterMs ? { requeueAfter: plan.requeueAfterMs } : undefined;
    }
  }
  return { requeue: true };
}

/** A live task of the session is RUNNING in the cache but the status does not name it yet. */
function answeredRunning(deps: ReconcileDeps, key: string): boolean {
  const named = deps.cache.sessions.get(key)?.status?.taskArn;
  return deps.cache.tasksOf(key).some((t) => isRunning(t) && t.arn !== named);
}
