/**
 * Plans one warm pool: keep `target` idle, current, healthy warm tasks. Pure.
 *
 * - Replenish in batches: one batch intent (RunTask count <= 10, its own clientToken) at a
 *   time, recorded in the pool status before the call; the reconcile loop re-plans after each
 *   batch, so adding n tasks costs ceil(n/10) RunTask calls when nothing fails.
 * - A recorded intent whose tasks are not visible yet is re-sent with the same token (ECS
 *   returns the same tasks), so a crash between intent and RunTask never launches twice.
 * - Scale down stops outdated tasks first, then the oldest idle ones, at most
 *   `maxStopsPerPass` per reconcile (the stop budget bounds it further per minute).
 */
import type { PoolConfig, TaskTemplates } from '../../config/templates.js';
import type { WarmPoolSpec } from '../../desired/schema.js';
import type { WarmPoolStatus } from '../../desired/warm-schema.js';
import { runTaskTokenForWarmBatch } from '../../observed/idempotency.js';
import { isLive, isRunning, TAG, type ObservedTask } from '../../observed/model.js';
import type { Action } from './actions.js';
import type { DriftKind } from './drift.js';
import { BATCH_TAG, currentWarmHash, warmLaunchSpec } from './launch-spec.js';

export const RUN_TASK_MAX_COUNT = 10;

export interface PoolPlanInput {
  name: string;
  spec: WarmPoolSpec | undefined;
  config: PoolConfig | undefined;
  templates: TaskTemplates;
  ownerId: string;
  /** Every task tagged for this pool (role warm), live and stopped, claimed or not. */
  tasks: readonly ObservedTask[];
  claimed: { has(taskArn: string): boolean };
  /** Claims of this pool whose task is gone (stopped or vanished). */
  staleClaims: readonly string[];
  status: WarmPoolStatus | undefined;
  /** Whether a task launched by the batch with this clientToken was ever seen (claimed ones included). */
  batchSeen(clientToken: string): boolean;
  knownFamilies: { has(family: string): boolean };
  startDeadlineMs: number;
  maxStopsPerPass: number;
  /**
   * Sessions waiting now for a warm task started on demand (warm-on-demand.ts), and the place in
   * line of the oldest: the pool starts that many tasks beyond its target (up to maxSize), and
   * the batches that serve them stand in the rate-limit lines where that session stands.
   */
  onDemand?: { waiting: number; oldest: { requestedAt: number; seq: number } | undefined };
}

export interface PoolPlan {
  key: string;
  actions: Action[];
  requeueAfterMs?: number;
  /** Idle, current, healthy warm tasks (RUNNING or starting) after this plan. */
  idle: number;
  target: number;
}

export function poolKey(name: string): string {
  return `pool:${name}`;
}

/** The effective target: the gateway's wish, capped by the pool's configured maxSize; 0 for unconfigured pools. */
export function effectiveTarget(spec: WarmPoolSpec | undefined, config: PoolConfig | undefined): number {
  return spec && config ? Math.min(spec.target, config.maxSize) : 0;
}

export function planPool(input: PoolPlanInput, now: number): PoolPlan {
  const key = poolKey(input.name);
  const actions: Action[] = [];
  const target = effectiveTarget(input.spec, input.config);
  const demand = input.config ? (input.onDemand?.waiting ?? 0) : 0;
  /** Idle tasks wanted: the target plus the waiting sessions' tasks, never above maxSize. */
  const wanted = Math.max(target, Math.min(target + demand, input.config?.maxSize ?? 0));
  const template = input.config ? input.templates[input.config.template] : undefined;
  const current = template && input.config ? warmLaunchSpec({ pool: input.name, templateName: input.config.template, template, ownerId: input.ownerId }) : undefined;
  const stop = (t: ObservedTask, drift: DriftKind, message: string): void => {
    actions.push({ type: 'stopTask', key, sessionId: undefined, taskArn: t.arn, drift, message, stopReason: `esr ${drift}: ${message}`.slice(0, 255), precondition: 'unclaimed' });
  };

  for (const arn of input.staleClaims) actions.push({ type: 'releaseClaim', key, taskArn: arn, drift: 'ClaimStale', message: `claimed warm task ${arn} is gone` });

  const unclaimed = input.tasks.filter((t) => !input.claimed.has(t.arn));
  const live = unclaimed.filter(isLive);
  const healthy: ObservedTask[] = [];
  for (const t of live) {
    if (current && t.tags[TAG.specHash] !== currentWarmHash(current)) stop(t, 'WarmTaskOutdated', `task definition of template ${input.config!.template} changed`);
    else if (!isRunning(t) && t.createdAt !== undefined && now - t.createdAt >= input.startDeadlineMs) stop(t, 'WarmTaskStuck', `not RUNNING after ${Math.round((now - t.createdAt) / 1000)} s`);
    else healthy.push(t);
  }

  let idle = healthy.length;
  if (idle > wanted) {
    const oldestFirst = [...healthy].sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || a.arn.localeCompare(b.arn));
    const n = Math.min(idle - wanted, input.maxStopsPerPass);
    for (const t of oldestFirst.slice(0, n)) stop(t, 'PoolAboveTarget', `${idle} idle > target ${target}${demand > 0 ? ` + ${demand} waiting sessions` : ''}`);
    idle -= n;
    return { key, actions, idle, target, ...(idle > wanted ? { requeueAfterMs: 1000 } : {}) };
  }
  // Tasks beyond what waiting sessions take are stock: the first `demand` idle tasks serve sessions.
  const forSessions = idle < demand && input.onDemand?.oldest ? { forSessions: input.onDemand.oldest } : {};

  // An unfulfilled batch intent is re-sent (its token, so ECS returns the same tasks) only while
  // the pool still lacks tasks: once the target has dropped to what is idle, re-sending would
  // start tasks only to stop them (seed 101: target 0, idle 0, intent 5 re-sent in the quiet).
  const intent = input.status?.intent;
  if (intent && current && idle < wanted) {
    const fulfilled = input.batchSeen(intent.clientToken) || input.tasks.some((t) => t.tags[BATCH_TAG] === intent.clientToken);
    if (!fulfilled && now - intent.requestedAt < input.startDeadlineMs) {
      const spec = warmLaunchSpec({ pool: input.name, templateName: input.config!.template, template: template!, ownerId: input.ownerId, clientToken: intent.clientToken });
      actions.push({ type: 'launchWarmBatch', key, pool: input.name, batch: intent.batch, count: intent.count, clientToken: intent.clientToken, spec, requestedAt: intent.requestedAt, ...forSessions, drift: 'PoolBelowTarget', message: `re-sending batch intent ${intent.batch} (${intent.count} tasks)` });
      return { key, actions, idle, target };
    }
  }

  const deficit = wanted - idle;
  if (deficit > 0 && current) {
    if (!input.knownFamilies.has(current.family)) {
      actions.push({ type: 'ensureTaskDefinition', key, sessionId: undefined, spec: current, drift: 'TaskDefinitionMissing', message: `task definition family ${current.family} not known yet` });
      return { key, actions, idle, target };
    }
    const batch = (input.status?.batch ?? 0) + 1;
    // A batch for waiting sessions starts exactly what they lack (its launch tokens come before
    // every later session's); the pool's own stock is started at the pool's place in line.
    const count = Math.min(RUN_TASK_MAX_COUNT, forSessions.forSessions ? Math.min(deficit, demand - idle) : deficit);
    const clientToken = runTaskTokenForWarmBatch(input.name, String(batch));
    const spec = warmLaunchSpec({ pool: input.name, templateName: input.config!.template, template: template!, ownerId: input.ownerId, clientToken });
    const recentlyStopped = unclaimed.some((t) => !isLive(t) && t.stoppedAt !== undefined && now - t.stoppedAt < input.startDeadlineMs && t.stopCode !== 'UserInitiated');
    const drift: DriftKind = recentlyStopped ? 'WarmTaskStopped' : 'PoolBelowTarget';
    const why = demand > 0 ? `${idle} idle < target ${target} + ${demand} waiting sessions` : `${idle} idle < target ${target}`;
    actions.push({ type: 'launchWarmBatch', key, pool: input.name, batch, count, clientToken, spec, requestedAt: now, ...forSessions, drift, message: `${why}: launching ${count}` });
    idle += count;
  }
  return { key, actions, idle, target };
}
