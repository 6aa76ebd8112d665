/**
 * Plans one session: compares its desired record with the tasks ECS shows for it and returns
 * the actions that close the gap, each with its drift kind. Pure: same inputs, same plan.
 *
 * Incarnations make the races structural instead of special cases: every launch gets a new
 * incarnation (tag + clientToken); only tasks of the current incarnation can serve the session;
 * live tasks of older incarnations are stopped and never adopted or waited on.
 */
import type { SessionEntry } from '../../desired/types.js';
import { describeEnvOverrideConflicts, type SessionStatus } from '../../desired/schema.js';
import { incarnationOf, isLive, isRunning, TAG, type ObservedAccessPoint, type ObservedTask } from '../../observed/model.js';
import { runTaskTokenForSession } from '../../observed/idempotency.js';
import type { Action } from './actions.js';
import type { DriftKind } from './drift.js';
import { launchHash, sessionLaunchSpec, taskDefinitionContent } from './launch-spec.js';
import { contentHash } from '../../observed/idempotency.js';
import { accessPointFor, decidePersistence } from './persistence.js';
import type { PlanConfig } from './plan-config.js';
import { initialStatus, removeCondition, setConditions, type ConditionInput } from './status.js';
import { CLAIM_PENDING_TAG } from '../cache.js';
import { SessionPlanner } from './session-planner.js';
import { warmClaim } from './warm-claim.js';
import { claimTags } from '../../observed/task-tags.js';

export interface SessionPlanInput {
  id: string;
  entry: SessionEntry | undefined;
  /** Every task tagged for this session (all incarnations, live and stopped). */
  tasks: readonly ObservedTask[];
  accessPoints: Iterable<ObservedAccessPoint>;
  accessPointsKnown: boolean;
  /** Task-definition families known to exist (registered or found). */
  knownFamilies: { has(family: string): boolean };
  /**
   * The warm pool of the session's template, if any: its idle RUNNING tasks, oldest first.
   * A function: it is only asked when a launch is planned (converged sessions never pay for it).
   */
  warm?: () => { pool: string; candidates: readonly ObservedTask[] } | undefined;
}

/** How many warm candidates one claim offers (the Lua script takes the first unclaimed). */
export const CLAIM_CANDIDATES = 5;

export interface SessionPlan {
  key: string;
  actions: Action[];
  /** Look at this session again after this long even if nothing else happens. */
  requeueAfterMs?: number;
}

/** RUNNING first, then the oldest; ties by ARN so the choice is stable. */
export function compareKeepOrder(a: ObservedTask, b: ObservedTask): number {
  const ra = isRunning(a) ? 0 : 1;
  const rb = isRunning(b) ? 0 : 1;
  if (ra !== rb) return ra - rb;
  const ca = a.createdAt ?? Number.MAX_SAFE_INTEGER;
  const cb = b.createdAt ?? Number.MAX_SAFE_INTEGER;
  return ca !== cb ? ca - cb : a.arn.localeCompare(b.arn);
}

export function planSession(input: SessionPlanInput, now: number, cfg: PlanConfig): SessionPlan {
  const p = new SessionPlanner(input, now, cfg);
  const { entry } = input;
  const live = input.tasks.filter(isLive);

  if (entry?.invalid?.record === 'spec') {
    const cur = entry.status ?? initialStatus(now);
    const conditions = setConditions(cur.conditions, [{ type: 'Invalid', status: 'True', reason: pascal(entry.invalid.reason), message: entry.invalid.message }], now);
    p.write(entry.status, { ...cur, conditions }, 'InvalidSpec', entry.invalid.message);
    return p.result();
  }

  const spec = entry?.spec;
  if (!entry || !spec) return planOrphan(p, live);
  if (spec.deleted) return planDeleted(p, entry, live);
  return planDesiredRunning(p, entry, live);
}

function pascal(s: string): string {
  return s.replace(/(^|[-_ ])([a-z])/g, (_m, _sep: string, c: string) => c.toUpperCase());
}

/** Tasks tagged for a session nobody wants (no record at all): stop them once past the grace period. */
function planOrphan(p: SessionPlanner, live: ObservedTask[]): SessionPlan {
  for (const task of live) {
    if (task.createdAt === undefined) {
      p.requeue(p.cfg.orphanGraceMs);
      continue;
    }
    const age = p.now - task.createdAt;
    if (age >= p.cfg.orphanGraceMs) p.stop(task, 'OrphanTask', `no desired session ${p.id}; task is ${Math.round(age / 1000)} s old`);
    else p.requeue(p.cfg.orphanGraceMs - age);
  }
  return p.result();
}

/** Tombstone: stop every live task; when none is left, purge the records. */
function planDeleted(p: SessionPlanner, entry: SessionEntry, live: ObservedTask[]): SessionPlan {
  const spec = entry.spec!;
  if (live.length === 0) {
    p.actions.push({ type: 'purgeSession', key: p.id, sessionId: p.id, generation: spec.generation, drift: 'Undesired', message: 'session deleted and no task left: removing its records' });
    return p.result();
  }
  for (const task of live) if (task.desiredStatus !== 'STOPPED') p.stop(task, 'Undesired', 'session deleted');
  const cur = entry.status ?? initialStatus(p.now);
  const conditions = setConditions(cur.conditions, [{ type: 'Ready', status: 'False', reason: 'SessionDeleted', message: 'session deleted; stopping its task' }], p.now);
  p.write(entry.status, { ...cur, phase: 'Stopping', endpoint: undefined, observedGeneration: spec.generation, conditions }, 'Undesired', 'session deleted');
  p.requeue(p.cfg.blockedRecheckMs);
  return p.result();
}

function planDesiredRunning(p: SessionPlanner, entry: SessionEntry, live: ObservedTask[]): SessionPlan {
  const spec = entry.spec!;
  const { cfg, now } = p;
  const prev = entry.status;
  const port = cfg.templates[spec.template]?.port;
  if (prev && port !== undefined && isConverged(prev, spec.generation, port, live)) return p.result();
  const cur = prev ?? initialStatus(now);
  const newGeneration = spec.generation !== cur.observedGeneration;
  let attempts = newGeneration ? 0 : cur.attempts;
  const failed = cur.phase === 'Failed' && !newGeneration;

  const template = cfg.templates[spec.template];
  if (!template) {
    const message = `template "${spec.template}" is not configured (allowed: ${Object.keys(cfg.templates).join(', ')})`;
    const conditions = setConditions(cur.conditions, [{ type: 'Invalid', status: 'True', reason: 'UnknownTemplate', message }], now);
    p.write(prev, { ...cur, phase: 'Failed', observedGeneration: spec.generation, conditions, lastError: { reason: 'UnknownTemplate', message, at: cur.lastError?.at ?? now } }, 'InvalidSpec', message);
    return p.result();
  }
  const envConflict = describeEnvOverrideConflicts(spec.env, template.environment, `template "${spec.template}"`);
  if (envConflict) {
    const conditions = setConditions(cur.conditions, [{ type: 'Invalid', status: 'True', reason: 'EnvConflict', message: envConflict }], now);
    p.write(prev, { ...cur, phase: 'Failed', observedGeneration: spec.generation, conditions, lastError: { reason: 'EnvConflict', message: envConflict, at: cur.lastError?.at ?? now } }, 'InvalidSpec', envConflict);
    return p.result();
  }
  const baseConditions = removeCondition(cur.conditions, 'Invalid');

  // Adopt the highest incarnation ECS shows, even if status was lost (restart with no memory).
  let incarnation = cur.incarnation;
  for (const t of live) incarnation = Math.max(incarnation, incarnationOf(t) ?? 0);
  const current = live.filter((t) => incarnationOf(t) === incarnation).sort(compareKeepOrder);
  for (const t of live) {
    if (incarnationOf(t) !== incarnation) p.stop(t, 'OutdatedIncarnation', `incarnation ${incarnationOf(t) ?? '?'} < current ${incarnation}`);
  }
  const [keep, ...duplicates] = current;
  for (const t of duplicates) p.stop(t, 'DuplicateTasks', `duplicate of ${keep!.arn} (incarnation ${incarnation})`);

  const persistence = decidePersistence({
    spec,
    template,
    efsFileSystemId: cfg.efsFileSystemId,
    accessPoint: accessPointFor(spec.userId, p.input.accessPoints, cfg.ownerId),
    accessPointsKnown: p.input.accessPointsKnown,
  });
  const persistenceCondition: ConditionInput[] = 'condition' in persistence && persistence.kind !== 'fail' ? [persistence.condition] : [];

  if (keep && isRunning(keep)) {
    if (newGeneration && (persistence.kind === 'mount' || persistence.kind === 'without')) {
      const want = launchHash(contentHash(taskDefinitionContent(template, spec.template, persistence.kind === 'mount' ? persistence.accessPointId : undefined)), spec.env);
      const have = keep.tags[TAG.specHash];
      if (have !== undefined && have !== want) {
        return launch(p, { cur: { ...cur, conditions: baseConditions }, prev, spec, template, persistence, incarnation: incarnation + 1, attempts, drift: 'SpecChanged', message: `spec generation ${spec.generation} changed the task content` });
      }
    }
    if (keep.tags[CLAIM_PENDING_TAG]) {
      p.actions.push({ type: 'tagTask', key: p.id, sessionId: p.id, taskArn: keep.arn, tags: claimTags(p.id, incarnation, spec.userId), drift: 'ClaimIncomplete', message: `claimed warm task ${keep.arn} not tagged for ${p.id} yet` });
    }
    const endpoint = keep.privateIp ? { ip: keep.privateIp, port: template.port } : undefined;
    const ready: ConditionInput = endpoint
      ? { type: 'Ready', status: 'True', reason: 'TaskRunning', message: `task RUNNING at ${endpoint.ip}:${endpoint.port}` }
      : { type: 'Ready', status: 'False', reason: 'NoEndpoint', message: 'task RUNNING but ECS shows no private IP yet' };
    if (!endpoint) p.requeue(1000);
    const sameTask = cur.taskArn === keep.arn;
    const next: SessionStatus = {
      ...cur,
      phase: 'Running',
      observedGeneration: spec.generation,
      taskArn: keep.arn,
      endpoint,
      incarnation,
      launchIntent: undefined,
      queuePosition: undefined,
      retryAfter: undefined,
      startedAt: sameTask ? (cur.startedAt ?? keep.startedAt ?? now) : (keep.startedAt ?? now),
      warm: sameTask ? cur.warm : keep.tags[TAG.pool] !== undefined,
      attempts,
      conditions: setConditions(removeCondition(removeCondition(baseConditions, 'Queued'), 'Degraded'), [ready, ...(sameTask ? [] : persistenceCondition)], now),
    };
    p.write(prev, next, 'StatusStale', `task ${keep.arn} RUNNING`);
    return p.result();
  }

  if (keep) {
    const since = keep.createdAt ?? cur.launchIntent?.requestedAt ?? now;
    const elapsed = now - since;
    if (elapsed >= cfg.startDeadlineMs) {
      attempts += 1;
      const message = `task ${keep.arn} not RUNNING after ${Math.round(elapsed / 1000)} s (lastStatus ${keep.lastStatus}); attempt ${attempts} of ${cfg.maxStartAttempts}`;
      p.stop(keep, 'StuckStarting', message);
      const phase = attempts >= cfg.maxStartAttempts ? 'Failed' : 'Starting';
      const conditions = setConditions(baseConditions, [{ type: 'Ready', status: 'False', reason: 'StuckStarting', message }], now);
      p.write(prev, { ...cur, phase, incarnation, observedGeneration: spec.generation, attempts, conditions, lastError: { reason: 'StuckStarting', message, at: now } }, phase === 'Failed' ? 'StartFailed' : 'StuckStarting', message);
      p.requeue(backoffMs(cfg, attempts));
      return p.result();
    }
    if (failed) {
      p.stop(keep, 'StartFailed', 'session is Failed for this generation');
      return p.result();
    }
    const conditions = setConditions(removeCondition(baseConditions, 'Queued'), [{ type: 'Ready', status: 'False', reason: 'TaskStarting', message: `task ${keep.lastStatus}` }, ...persistenceCondition], now);
    p.write(prev, { ...cur, phase: 'Starting', taskArn: keep.arn, endpoint: undefined, queuePosition: undefined, retryAfter: undefined, incarnation, observedGeneration: spec.generation, attempts, conditions }, 'StatusStale', `task ${keep.arn} ${keep.lastStatus}`);
    p.requeue(cfg.startDeadlineMs - elapsed);
    return p.result();
  }

  // No live task of the current incarnation.
  if (failed) {
    const next = { ...cur, observedGeneration: spec.generation, taskArn: undefined, endpoint: undefined };
    p.write(prev, next, 'StartFailed', 'session Failed for this generation; change the spec to retry');
    return p.result();
  }
  const ofCurrent = p.input.tasks.filter((t) => incarnationOf(t) === incarnation);
  const intent = cur.launchIntent;
  if (intent && intent.incarnation === incarnation && ofCurrent.length === 0 && now - intent.requestedAt < cfg.startDeadlineMs) {
    // The intent was recorded but ECS shows no task: (re-)send the same clientToken; ECS answers
    // with the original task if the first call got through.
    return launch(p, { cur: { ...cur, conditions: baseConditions }, prev, spec, template, persistence, incarnation, attempts, drift: 'MissingTask', message: `re-sending launch intent ${intent.clientToken}`, clientToken: intent.clientToken, requestedAt: intent.requestedAt });
  }
  const stopped = ofCurrent.filter((t) => !isLive(t)).sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0))[0];
  let drift: DriftKind = 'MissingTask';
  let message = 'no live task';
  if (stopped && incarnation > 0 && (cur.phase === 'Running' || cur.phase === 'Starting')) {
    drift = 'TaskStopped';
    message = `task ${stopped.arn} stopped: ${stopped.stopCode ?? 'unknown stop code'}: ${stopped.stoppedReason ?? 'no reason given'}`;
    // A task that died before RUNNING is a failed start attempt, unless we stopped it ourselves
    // (StuckStarting already counted it; ECS marks our StopTask as UserInitiated).
    if (stopped.startedAt === undefined && cur.phase === 'Starting' && stopped.stopCode !== 'UserInitiated') attempts += 1;
  }
  if (attempts >= cfg.maxStartAttempts) {
    const msg = `gave up after ${attempts} start attempts: ${message}`;
    const conditions = setConditions(baseConditions, [{ type: 'Ready', status: 'False', reason: 'StartFailed', message: msg }], now);
    p.write(prev, { ...cur, phase: 'Failed', observedGeneration: spec.generation, attempts, taskArn: undefined, endpoint: undefined, conditions, lastError: { reason: 'StartFailed', message: msg, at: now } }, 'StartFailed', msg);
    return p.result();
  }
  if (attempts > 0 && cur.lastError) {
    const notBefore = cur.lastError.at + backoffMs(cfg, attempts);
    if (now < notBefore) {
      p.requeue(notBefore - now);
      return p.result();
    }
  }
  const claim = warmClaim(p, { cur: { ...cur, conditions: baseConditions }, spec, port: template.port, incarnation: incarnation + 1, attempts });
  if (claim) return claim;
  return launch(p, { cur: { ...cur, conditions: baseConditions }, prev, spec, template, persistence, incarnation: incarnation + 1, attempts, drift, message });
}

/**
 * The common case, checked cheaply first: the status already says Running for this generation
 * on the one live task, which ECS shows RUNNING at the written endpoint, with nothing pending
 * (no intent, no queue, no degradation, no claim to complete). Then the full planner would
 * plan nothing either; skipping it keeps a resync of a large converged fleet cheap.
 */
function isConverged(status: SessionStatus, generation: number, port: number, live: readonly ObservedTask[]): boolean {
  if (status.phase !== 'Running' || status.observedGeneration !== generation || live.length !== 1) return false;
  if (status.launchIntent || status.retryAfter !== undefined || status.queuePosition !== undefined) return false;
  const t = live[0]!;
  if (t.arn !== status.taskArn || !isRunning(t) || t.tags[CLAIM_PENDING_TAG] || incarnationOf(t) !== status.incarnation) return false;
  if (!t.privateIp || status.endpoint?.ip !== t.privateIp || status.endpoint.port !== port) return false;
  let ready = false;
  for (const c of status.conditions) {
    if (c.type === 'Ready') ready = c.status === 'True';
    else if (c.type === 'Queued' || c.type === 'Degraded' || c.type === 'Invalid') return false;
  }
  return ready;
}

/** Backoff before start attempt `attempts + 1`: min(cap, base * 2^(attempts-1)), no jitter (the queue adds jitter). */
export function backoffMs(cfg: PlanConfig, attempts: number): number {
  return Math.min(cfg.retryCapMs, cfg.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

function launch(
  p: SessionPlanner,
  a: {
    cur: SessionStatus;
    prev: SessionStatus | undefined;
    spec: NonNullable<SessionEntry['spec']>;
    template: PlanConfig['templates'][string];
    persistence: ReturnType<typeof decidePersistence>;
    incarnation: number;
    attempts: number;
    drift: DriftKind;
    message: string;
    clientToken?: string;
    requestedAt?: number;
  },
): SessionPlan {
  const { now, cfg } = p;
  const { cur, prev, spec, persistence } = a;
  if (persistence.kind === 'createAccessPoint') {
    p.actions.push({ type: 'ensureAccessPoint', key: p.id, sessionId: p.id, userId: spec.userId, drift: 'AccessPointMissing', message: `no access point for user ${spec.userId}` });
    return p.result();
  }
  if (persistence.kind === 'wait' || persistence.kind === 'fail') {
    const phase = persistence.kind === 'fail' ? 'Failed' : 'Pending';
    const conditions = setConditions(cur.conditions, [persistence.condition, { type: 'Ready', status: 'False', reason: persistence.condition.reason, message: persistence.condition.message }], now);
    p.write(prev, { ...cur, phase, observedGeneration: spec.generation, attempts: a.attempts, conditions }, 'PersistenceUnavailable', persistence.condition.message);
    if (persistence.kind === 'wait') p.requeue(cfg.blockedRecheckMs);
    return p.result();
  }
  const accessPointId = persistence.kind === 'mount' ? persistence.accessPointId : undefined;
  const launchSpec = sessionLaunchSpec({ spec, template: a.template, accessPointId, incarnation: a.incarnation, ownerId: cfg.ownerId });
  if (!p.input.knownFamilies.has(launchSpec.family)) {
    p.actions.push({ type: 'ensureTaskDefinition', key: p.id, sessionId: p.id, spec: launchSpec, drift: 'TaskDefinitionMissing', message: `task definition family ${launchSpec.family} not known yet` });
    return p.result();
  }
  const clientToken = a.clientToken ?? runTaskTokenForSession(spec.id, a.incarnation);
  const ready: ConditionInput = { type: 'Ready', status: 'False', reason: a.drift === 'TaskStopped' ? 'TaskStopped' : 'Launching', message: a.message };
  const warm = p.input.warm?.();
  const degraded: ConditionInput[] =
    warm && spec.persistence !== 'required'
      ? [{ type: 'Degraded', status: 'True', reason: 'WarmPoolEmpty', message: `no idle warm task in pool ${warm.pool}: cold start, expected 3-5 s` }]
      : [];
  const intentStatus: SessionStatus = {
    ...cur,
    phase: 'Starting',
    observedGeneration: spec.generation,
    incarnation: a.incarnation,
    launchIntent: { clientToken, incarnation: a.incarnation, requestedAt: a.requestedAt ?? now },
    taskArn: undefined,
    endpoint: undefined,
    startedAt: undefined,
    warm: false,
    attempts: a.attempts,
    conditions: setConditions(cur.conditions, [ready, persistence.condition, ...degraded], now),
    updatedAt: now,
  };
  p.actions.push({ type: 'launch', key: p.id, sessionId: p.id, incarnation: a.incarnation, clientToken, spec: launchSpec, intentStatus, drift: a.drift, message: a.message });
  p.requeue(cfg.startDeadlineMs);
  return p.result();
}
