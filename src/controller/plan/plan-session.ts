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
import { NO_ACCESS_POINT, servesSpec, sessionLaunchSpec } from './launch-spec.js';
import { accessPointFor, decidePersistence, type AccessPointRefusal } from './persistence.js';
import type { PlanConfig } from './plan-config.js';
import { initialStatus, removeCondition, setConditions, type ConditionInput } from './status.js';
import { CLAIM_PENDING_TAG } from '../cache.js';
import { SessionPlanner } from './session-planner.js';
import { warmClaim } from './warm-claim.js';
import { claimTags } from '../../observed/task-tags.js';
import { isExpired } from '../../desired/records.js';
import { expiryMessage, NO_LIFETIME_LIMITS, sessionExpiry, type Expiry, type LifetimeLimits } from './lifetime.js';

export interface SessionPlanInput {
  id: string;
  entry: SessionEntry | undefined;
  /** Every task tagged for this session (all incarnations, live and stopped). */
  tasks: readonly ObservedTask[];
  accessPoints: Iterable<ObservedAccessPoint>;
  accessPointsKnown: boolean;
  /** EFS's standing refusal of CreateAccessPoint, if any and not yet expired (persistence.ts). */
  accessPointRefusal?: AccessPointRefusal | undefined;
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

/**
 * A lifetime bound passed: write Expired (conditioned on the last activity the decision saw, so
 * a touch that arrived meanwhile wins, and through the expiry gate: brakes), then stop its tasks
 * (through the stop budget and brakes, as every stop). The gateway sees Ready=False before the
 * task goes.
 */
function planExpiry(p: SessionPlanner, entry: SessionEntry, live: ObservedTask[], x: Expiry, limits: LifetimeLimits): SessionPlan {
  const spec = entry.spec!;
  const cur = entry.status ?? initialStatus(p.now);
  const message = expiryMessage(x, spec, limits);
  const kept = cur.conditions.filter((c) => c.type !== 'Queued' && c.type !== 'Degraded' && c.type !== 'Updating');
  const conditions = setConditions(kept, [{ type: 'Ready', status: 'False', reason: x.reason, message }], p.now);
  const next: SessionStatus = { ...cur, phase: 'Expired', observedGeneration: spec.generation, targetGeneration: undefined, endpoint: undefined, launchIntent: undefined, queuePosition: undefined, retryAfter: undefined, expiresAt: x.at, conditions };
  p.write(entry.status, next, 'LifetimeExpired', message, { reason: x.reason, activityAtMost: x.activity });
  stopExpired(p, live, `session expired: ${message}`);
  return p.result();
}

/** The life expired: stop whatever still runs for it; clear the task once none is left. Never launches. */
function planExpired(p: SessionPlanner, cur: SessionStatus, live: ObservedTask[]): SessionPlan {
  const reason = cur.conditions.find((c) => c.type === 'Ready')?.reason ?? 'Expired';
  stopExpired(p, live, `session expired (${reason})`);
  if (live.length > 0) p.requeue(p.cfg.blockedRecheckMs);
  else if (cur.taskArn !== undefined) p.write(cur, { ...cur, taskArn: undefined }, 'StatusStale', 'expired session: its task is gone');
  return p.result();
}

function stopExpired(p: SessionPlanner, live: ObservedTask[], message: string): void {
  for (const t of live) if (t.desiredStatus !== 'STOPPED') p.stop(t, 'LifetimeExpired', message);
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
    if (age >= p.cfg.orphanGraceMs) p.stop(task, 'OrphanTask', `no desired session ${p.id}; task is ${Math.round(age / 1000)} s old`, 'noDesiredRecord');
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

/** Whether a task may serve the session as far as identity goes (a claimed task's tags may still be pending). */
function carriesIdentity(t: ObservedTask, userId: string): boolean {
  const user = t.tags[TAG.user];
  return user === userId || (user === undefined && t.tags[CLAIM_PENDING_TAG] !== undefined);
}

/** The Persistence condition of a RUNNING task, read from what it mounts. */
function persistenceOfTask(t: ObservedTask, spec: NonNullable<SessionEntry['spec']>, cur: SessionStatus, mountPath: string | undefined): ConditionInput {
  const ap = t.tags[TAG.accessPoint];
  if (ap !== undefined && ap !== NO_ACCESS_POINT) return { type: 'Persistence', status: 'True', reason: 'Mounted', message: `access point ${ap} at ${mountPath ?? '?'}` };
  if (spec.persistence === 'none') return { type: 'Persistence', status: 'False', reason: 'NotRequested', message: 'persistence: none' };
  const prev = cur.conditions.find((c) => c.type === 'Persistence');
  if (cur.taskArn === t.arn && prev?.status === 'False') return prev;
  // Our own launch's first RUNNING: the condition written at launch says why it has no access
  // point (e.g. AccessPointLimitExceeded, EfsUnavailable); keep it rather than guess.
  if (cur.taskArn === undefined && t.tags[TAG.pool] === undefined && prev?.status === 'False' && prev.reason !== 'NotRequested') return prev;
  return t.tags[TAG.pool] !== undefined
    ? { type: 'Persistence', status: 'False', reason: 'WarmTaskNoPersistence', message: 'served from the warm pool: warm tasks are generic and mount no user access point (persistence: preferred)' }
    : { type: 'Persistence', status: 'False', reason: 'LaunchedWithoutPersistence', message: 'the task was started without an access point (EFS was unavailable at launch); the next launch mounts one' };
}

function planDesiredRunning(p: SessionPlanner, entry: SessionEntry, live: ObservedTask[]): SessionPlan {
  const spec = entry.spec!;
  const { cfg, now } = p;
  const prev = entry.status;
  const template = cfg.templates[spec.template];
  // Lifetime first: an Expired life only stops what runs; a bound that passed expires it.
  const limits = cfg.lifetime ?? NO_LIFETIME_LIMITS;
  if (prev && isExpired(spec, prev)) return planExpired(p, prev, live);
  const expiry = sessionExpiry(spec, entry.lastActivityAt, limits);
  if (expiry && expiry.at <= now) return planExpiry(p, entry, live, expiry, limits);
  p.expiresAt = expiry?.at;
  if (expiry) p.requeue(expiry.at - now);
  let userAp: ObservedAccessPoint | undefined | null = null;
  const userAccessPoint = (): ObservedAccessPoint | undefined => (userAp === null ? (userAp = accessPointFor(spec.userId, p.input.accessPoints, cfg.ownerId)) : userAp);
  const judge = (t: ObservedTask): 'yes' | 'no' | 'unknown' =>
    servesSpec(t, { spec, template: template!, userAccessPoint: t.tags[TAG.accessPoint] === NO_ACCESS_POINT ? undefined : userAccessPoint(), accessPointsKnown: p.input.accessPointsKnown });
  if (prev && template && prev.expiresAt === p.expiresAt && isConverged(prev, spec, template.port, live, judge)) return p.result();
  const cur = prev ?? initialStatus(now);
  const newGeneration = spec.generation !== (cur.targetGeneration ?? cur.observedGeneration);
  let attempts = newGeneration ? 0 : cur.attempts;
  const updateFailed = cur.conditions.some((c) => c.type === 'Updating' && c.status === 'False' && c.reason === 'StartFailed');
  const failed = !newGeneration && (cur.phase === 'Failed' || updateFailed);

  if (!template) {
    const message = `template "${spec.template}" is not configured (allowed: ${Object.keys(cfg.templates).join(', ')})`;
    const conditions = setConditions(cur.conditions, [{ type: 'Invalid', status: 'True', reason: 'UnknownTemplate', message }], now);
    p.write(prev, { ...cur, phase: 'Failed', observedGeneration: spec.generation, targetGeneration: undefined, conditions, lastError: { reason: 'UnknownTemplate', message, at: cur.lastError?.at ?? now } }, 'InvalidSpec', message);
    return p.result();
  }
  const envConflict = describeEnvOverrideConflicts(spec.env, template.environment, `template "${spec.template}"`);
  if (envConflict) {
    const conditions = setConditions(cur.conditions, [{ type: 'Invalid', status: 'True', reason: 'EnvConflict', message: envConflict }], now);
    p.write(prev, { ...cur, phase: 'Failed', observedGeneration: spec.generation, conditions, lastError: { reason: 'EnvConflict', message: envConflict, at: cur.lastError?.at ?? now } }, 'InvalidSpec', envConflict);
    return p.result();
  }
  const baseConditions = removeCondition(cur.conditions, 'Invalid');

  // Life next: tasks of another life of this session id (a delete, or a store loss, came in
  // between) are never served by accident. A fresh life with no state of its own (no status,
  // nothing launched) adopts a live task of the same user and content: it is tagged with this
  // life's uid (a store loss must not restart every session, nor duplicate one). Any other
  // task of another life is stopped; stopped ones are history of that life and ignored.
  const life = spec.uid ?? '';
  const fresh = prev === undefined && !live.some((t) => (t.tags[TAG.uid] ?? '') === life);
  const ofLife: ObservedTask[] = [];
  // A fresh life adopts the newest incarnation first: after a store loss the status naming the
  // task the gateway was given is gone, and the newest is the one that replaced the others.
  const byPreference = fresh ? [...live].sort((a, b) => (incarnationOf(b) ?? 0) - (incarnationOf(a) ?? 0) || compareKeepOrder(a, b)) : live;
  for (const t of byPreference) {
    if ((t.tags[TAG.uid] ?? '') === life || t.tags[CLAIM_PENDING_TAG] !== undefined) {
      ofLife.push(t);
      continue;
    }
    if (t.lastStatus === 'UNKNOWN') {
      // ECS answered a state this code cannot read: whether the task runs (so whether this life
      // adopts it, or it is the task the status names) is not known. Neither adopt nor stop it;
      // a sound answer decides (a mangled answer must never take a user's endpoint away).
      p.requeue(1000);
      return p.result();
    }
    const verdict = fresh && isRunning(t) && carriesIdentity(t, spec.userId) && spec.uid !== undefined ? judge(t) : 'no';
    if (verdict === 'yes') {
      p.actions.push({ type: 'tagTask', key: p.id, sessionId: p.id, taskArn: t.arn, tags: { [TAG.uid]: spec.uid! }, drift: 'AdoptTask', message: `adopting ${t.arn} of an earlier life of ${p.id} (same user and content) into life ${spec.uid}` });
      return p.result();
    }
    if (verdict === 'unknown') {
      // Cannot tell yet whether it runs this life's content: neither adopt nor stop it.
      p.requeue(1000);
      return p.result();
    }
    if (prev?.phase === 'Running' && prev.taskArn === t.arn && spec.uid !== undefined && isRunning(t) && carriesIdentity(t, spec.userId) && judge(t) === 'yes') {
      // This life's own status names the task (status writes are conditioned on the life), so
      // it was adopted into this life and ECS still shows the earlier uid tag (tags appear late):
      // tag it again (idempotent), never stop the task the gateway was given.
      p.actions.push({ type: 'tagTask', key: p.id, sessionId: p.id, taskArn: t.arn, tags: { [TAG.uid]: spec.uid }, drift: 'AdoptTask', message: `${t.arn} serves life ${spec.uid} (its status says so) but shows uid ${t.tags[TAG.uid] ?? 'none'}: tagging it again` });
      return p.result();
    }
    p.stop(t, 'OutdatedIncarnation', `task of another life of ${p.id} (uid ${t.tags[TAG.uid] ?? 'none'}, this life ${life || 'none'})`);
  }

  // Identity first: a task carrying another user's identity never serves this session, not
  // even while its replacement starts (break before make: isolation beats availability).
  // The status stops naming such a task first, before its stop is even sent: a stop can be held
  // (a brake, the stop budget) and a held stop must not leave the gateway the previous user's
  // endpoint as Ready.
  const mine: ObservedTask[] = [];
  const foreign = ofLife.filter((t) => !carriesIdentity(t, spec.userId));
  for (const t of ofLife) if (!foreign.includes(t)) mine.push(t);
  const named = foreign.find((t) => t.arn === cur.taskArn);
  if (named && (cur.endpoint !== undefined || cur.phase === 'Running')) {
    const message = `task ${named.arn} carries user ${named.tags[TAG.user] ?? '(none)'}, the session's user is ${spec.userId}: it serves no more, and is stopped before a task for ${spec.userId} starts`;
    const conditions = setConditions(baseConditions, [{ type: 'Ready', status: 'False', reason: 'IdentityChanged', message }], now);
    p.write(prev, { ...cur, phase: 'Pending', taskArn: undefined, endpoint: undefined, startedAt: undefined, targetGeneration: undefined, conditions }, 'IdentityChanged', message);
  }
  for (const t of foreign) p.stop(t, 'IdentityChanged', `task carries user ${t.tags[TAG.user] ?? '(none)'}, the session's user is ${spec.userId}`);

  // Adopt the highest incarnation ECS shows, even if status was lost (restart with no memory).
  let incarnation = cur.incarnation;
  for (const t of mine) incarnation = Math.max(incarnation, incarnationOf(t) ?? 0);
  // A new incarnation is numbered above every live task of this id, of any life: a task of an
  // earlier life adopted later (its uid tag rewritten) never shares an incarnation with ours.
  let nextIncarnation = incarnation + 1;
  for (const t of live) nextIncarnation = Math.max(nextIncarnation, (incarnationOf(t) ?? 0) + 1);
  const current = mine.filter((t) => incarnationOf(t) === incarnation).sort((a, b) => (a.arn === cur.taskArn ? -1 : b.arn === cur.taskArn ? 1 : compareKeepOrder(a, b)));
  const [keep, ...duplicates] = current;
  for (const t of duplicates) p.stop(t, 'DuplicateTasks', `duplicate of ${keep!.arn} (incarnation ${incarnation})`);
  // The task the gateway was given keeps serving while its replacement starts (make before break).
  const serving = cur.phase === 'Running' && cur.taskArn !== undefined && cur.endpoint !== undefined ? mine.find((t) => t.arn === cur.taskArn && isRunning(t)) : undefined;
  const older = mine.filter((t) => incarnationOf(t) !== incarnation);
  const stopOlder = (except: ObservedTask | undefined): void => {
    for (const t of older) if (t !== except) p.stop(t, 'OutdatedIncarnation', `incarnation ${incarnationOf(t) ?? '?'} < current ${incarnation}`);
  };

  const persistence = decidePersistence({ spec, template, efsFileSystemId: cfg.efsFileSystemId, accessPoint: userAccessPoint(), accessPointsKnown: p.input.accessPointsKnown, refusal: p.input.accessPointRefusal });
  const persistenceCondition: ConditionInput[] = 'condition' in persistence && persistence.kind !== 'fail' ? [persistence.condition] : [];
  /** While a replacement starts, the status keeps naming the serving task (Ready) and says what the replacement does. */
  const overServing = (next: SessionStatus, reason: string, message: string, ok: boolean): SessionStatus => {
    if (!serving) return next;
    const conditions = setConditions(
      cur.conditions.filter((c) => c.type !== 'Invalid'),
      [
        { type: 'Ready', status: 'True', reason: 'TaskRunning', message: `task RUNNING at ${cur.endpoint!.ip}:${cur.endpoint!.port}` },
        { type: 'Updating', status: ok ? 'True' : 'False', reason, message },
      ],
      now,
    );
    return { ...next, phase: 'Running', taskArn: cur.taskArn, endpoint: cur.endpoint, startedAt: cur.startedAt, warm: cur.warm, observedGeneration: cur.observedGeneration, targetGeneration: spec.generation, conditions };
  };
  const launchNew = (drift: DriftKind, message: string, a: { clientToken?: string; requestedAt?: number; attempts?: number } = {}): SessionPlan =>
    launch(p, { cur: { ...cur, conditions: baseConditions }, prev, spec, template, persistence, incarnation: a.clientToken ? incarnation : nextIncarnation, attempts: a.attempts ?? attempts, drift, message, overServing, ...a });

  if (keep && isRunning(keep)) {
    const verdict = judge(keep);
    if (verdict === 'unknown') {
      // ECS has not shown the task's tags yet: hold what runs, decide when they show.
      stopOlder(serving);
      p.requeue(1000);
      return p.result();
    }
    if (verdict === 'no') {
      stopOlder(serving);
      if (failed) return p.result();
      return launchNew('SpecChanged', `task ${keep.arn} runs other content than spec generation ${spec.generation} (launch fingerprint)`);
    }
    const pendingClaim = keep.tags[CLAIM_PENDING_TAG] !== undefined;
    if (pendingClaim) {
      p.actions.push({ type: 'tagTask', key: p.id, sessionId: p.id, taskArn: keep.arn, tags: claimTags(p.id, incarnation, spec.userId, spec.uid), drift: 'ClaimIncomplete', message: `claimed warm task ${keep.arn} not tagged for ${p.id} yet` });
    }
    const endpoint = keep.privateIp ? { ip: keep.privateIp, port: template.port } : undefined;
    const ready: ConditionInput = pendingClaim
      ? { type: 'Ready', status: 'False', reason: 'WarmTaskClaimed', message: `warm task ${keep.arn} claimed; tagging it for the session` }
      : endpoint
        ? { type: 'Ready', status: 'True', reason: 'TaskRunning', message: `task RUNNING at ${endpoint.ip}:${endpoint.port}` }
        : { type: 'Ready', status: 'False', reason: 'NoEndpoint', message: 'task RUNNING but ECS shows no private IP yet' };
    if (!endpoint) p.requeue(1000);
    const servingOther = serving !== keep ? serving : undefined;
    if (!pendingClaim && !endpoint && servingOther) {
      p.write(prev, overServing(cur, 'NoEndpoint', `replacement ${keep.arn} RUNNING without a private IP yet`, true), 'StatusStale', 'replacement has no endpoint yet');
      return p.result();
    }
    const sameTask = cur.taskArn === keep.arn;
    const isReadyNow = ready.status === 'True';
    // Failed start attempts are forgotten once the task has run for the healthy period.
    if (attempts > 0 && keep.startedAt !== undefined) {
      if (now - keep.startedAt >= cfg.startHealthyMs) attempts = 0;
      else p.requeue(keep.startedAt + cfg.startHealthyMs - now);
    }
    const next: SessionStatus = {
      ...cur,
      phase: isReadyNow ? 'Running' : 'Starting',
      observedGeneration: spec.generation,
      targetGeneration: undefined,
      taskArn: keep.arn,
      endpoint: isReadyNow ? endpoint : undefined,
      incarnation,
      launchIntent: undefined,
      queuePosition: undefined,
      retryAfter: undefined,
      startedAt: sameTask ? (cur.startedAt ?? keep.startedAt ?? now) : (keep.startedAt ?? now),
      warm: sameTask ? cur.warm : keep.tags[TAG.pool] !== undefined,
      attempts,
      conditions: setConditions(removeCondition(removeCondition(removeCondition(baseConditions, 'Queued'), 'Degraded'), 'Updating'), [ready, persistenceOfTask(keep, spec, cur, template.efsMountPath)], now),
    };
    p.write(prev, pendingClaim && servingOther ? overServing(next, 'WarmTaskClaimed', 'tagging the claimed replacement', true) : next, 'StatusStale', `task ${keep.arn} RUNNING`);
    // The replacement serves now: the old task goes only after the status names the new one.
    stopOlder(isReadyNow ? undefined : servingOther);
    return p.result();
  }

  if (keep && keep.lastStatus === 'UNKNOWN') {
    // ECS answered a state this code cannot read: neither running nor stuck is known. Hold what
    // runs (the serving task included) and look again; a sound answer decides.
    stopOlder(serving);
    p.requeue(1000);
    return p.result();
  }

  if (keep) {
    if (judge(keep) === 'no') {
      // Started for older content and not serving anyone yet: replace it at once.
      p.stop(keep, 'SpecChanged', `task ${keep.arn} (still ${keep.lastStatus}) was launched for other content than spec generation ${spec.generation}`);
      stopOlder(serving);
      if (failed) return p.result();
      return launchNew('SpecChanged', `spec generation ${spec.generation} changed the content of the starting task`);
    }
    stopOlder(serving);
    const since = keep.createdAt ?? cur.launchIntent?.requestedAt ?? now;
    const elapsed = now - since;
    if (elapsed >= cfg.startDeadlineMs) {
      attempts += 1;
      const message = `task ${keep.arn} not RUNNING after ${Math.round(elapsed / 1000)} s (lastStatus ${keep.lastStatus}); attempt ${attempts} of ${cfg.maxStartAttempts}`;
      p.stop(keep, 'StuckStarting', message);
      const phase = attempts >= cfg.maxStartAttempts ? 'Failed' : 'Starting';
      const conditions = setConditions(baseConditions, [{ type: 'Ready', status: 'False', reason: 'StuckStarting', message }], now);
      const next: SessionStatus = { ...cur, phase, incarnation, observedGeneration: spec.generation, attempts, conditions, lastError: { reason: 'StuckStarting', message, at: now } };
      p.write(prev, overServing(next, phase === 'Failed' ? 'StartFailed' : 'StuckStarting', message, phase !== 'Failed'), phase === 'Failed' ? 'StartFailed' : 'StuckStarting', message);
      p.requeue(backoffMs(cfg, attempts));
      return p.result();
    }
    if (failed) {
      p.stop(keep, 'StartFailed', 'session is Failed for this generation');
      return p.result();
    }
    const conditions = setConditions(removeCondition(baseConditions, 'Queued'), [{ type: 'Ready', status: 'False', reason: 'TaskStarting', message: `task ${keep.lastStatus}` }, ...persistenceCondition], now);
    const next: SessionStatus = { ...cur, phase: 'Starting', taskArn: keep.arn, endpoint: undefined, queuePosition: undefined, retryAfter: undefined, incarnation, observedGeneration: spec.generation, attempts, conditions };
    p.write(prev, overServing(next, 'ReplacementStarting', `replacement ${keep.arn} ${keep.lastStatus}`, true), 'StatusStale', `task ${keep.arn} ${keep.lastStatus}`);
    p.requeue(cfg.startDeadlineMs - elapsed);
    return p.result();
  }

  // No live task of the current incarnation.
  stopOlder(serving);
  if (failed) {
    const next = serving ? cur : { ...cur, observedGeneration: spec.generation, taskArn: undefined, endpoint: undefined };
    p.write(prev, next, 'StartFailed', 'session Failed for this generation; change the spec to retry');
    return p.result();
  }
  const ofCurrent = p.input.tasks.filter((t) => incarnationOf(t) === incarnation && (t.tags[TAG.uid] ?? '') === life);
  const intent = cur.launchIntent;
  if (intent && intent.incarnation === incarnation && ofCurrent.length === 0 && now - intent.requestedAt < cfg.startDeadlineMs) {
    // The intent was recorded but ECS shows no task: (re-)send the same clientToken; ECS answers
    // with the original task if the first call got through.
    return launchNew('MissingTask', `re-sending launch intent ${intent.clientToken}`, { clientToken: intent.clientToken, requestedAt: intent.requestedAt });
  }
  const stopped = ofCurrent.filter((t) => !isLive(t)).sort((a, b) => (b.stoppedAt ?? 0) - (a.stoppedAt ?? 0))[0];
  let failedStart: { at: number; message: string } | undefined;
  let drift: DriftKind = serving ? 'SpecChanged' : 'MissingTask';
  let message = serving ? `replacing task ${serving.arn} for spec generation ${spec.generation}` : 'no live task';
  if (stopped && incarnation > 0 && (cur.phase === 'Running' || cur.phase === 'Starting')) {
    drift = 'TaskStopped';
    message = `task ${stopped.arn} stopped: ${stopped.stopCode ?? 'unknown stop code'}: ${stopped.stoppedReason ?? 'no reason given'}`;
    // A task that died before RUNNING is a failed start attempt, unless we stopped it ourselves
    // (StuckStarting already counted it; ECS marks our StopTask as UserInitiated).
    if (stopped.startedAt !== undefined && (stopped.stoppedAt ?? now) - stopped.startedAt >= cfg.startHealthyMs) attempts = 0;
    if (stopped.startedAt === undefined && (cur.phase === 'Starting' || serving) && stopped.stopCode !== 'UserInitiated') {
      attempts += 1;
      failedStart = { at: stopped.stoppedAt ?? now, message };
    }
  }
  if (attempts >= cfg.maxStartAttempts) {
    const msg = `gave up after ${attempts} start attempts: ${message}`;
    const conditions = setConditions(baseConditions, [{ type: 'Ready', status: 'False', reason: 'StartFailed', message: msg }], now);
    const next: SessionStatus = { ...cur, phase: 'Failed', observedGeneration: spec.generation, attempts, taskArn: undefined, endpoint: undefined, conditions, lastError: { reason: 'StartFailed', message: msg, at: now } };
    p.write(prev, overServing(next, 'StartFailed', msg, false), 'StartFailed', msg);
    return p.result();
  }
  // The latest failure: the stopped task's, or the one recorded (e.g. StuckStarting).
  const failedAt = Math.max(failedStart?.at ?? Number.NEGATIVE_INFINITY, cur.lastError?.at ?? Number.NEGATIVE_INFINITY);
  if (attempts > 0 && Number.isFinite(failedAt)) {
    const notBefore = failedAt + startBackoffMs(cfg, attempts, `${p.id}/${incarnation}`);
    if (now < notBefore) {
      if (failedStart) {
        // Say so while waiting (the attempt count is written with the next launch: counted once).
        const msg = `${failedStart.message}; start attempt ${attempts + 1} of ${cfg.maxStartAttempts} in ${Math.ceil((notBefore - now) / 1000)} s (backoff)`;
        const conditions = setConditions(baseConditions, [{ type: 'Ready', status: 'False', reason: 'StartBackOff', message: msg }], now);
        const next: SessionStatus = { ...cur, conditions, lastError: { reason: stopped?.stopCode ?? 'TaskFailedToStart', message: failedStart.message, at: failedStart.at } };
        p.write(prev, overServing(next, 'StartBackOff', msg, true), 'TaskStopped', msg);
      }
      p.requeue(notBefore - now);
      return p.result();
    }
  }
  if (!serving) {
    const claim = warmClaim(p, { cur: { ...cur, conditions: baseConditions }, spec, judge, incarnation: nextIncarnation, attempts });
    if (claim) return claim;
  }
  return launchNew(drift, message);
}

/**
 * The common case, checked cheaply first: the status already says Running for this generation
 * on the one live task, which ECS shows RUNNING at the written endpoint running the spec's
 * content, with nothing pending (no intent, no queue, no degradation, no claim to complete).
 * Then the full planner would plan nothing either; skipping it keeps a resync of a large
 * converged fleet cheap.
 */
function isConverged(status: SessionStatus, spec: NonNullable<SessionEntry['spec']>, port: number, live: readonly ObservedTask[], judge: (t: ObservedTask) => 'yes' | 'no' | 'unknown'): boolean {
  if (status.phase !== 'Running' || status.observedGeneration !== spec.generation || live.length !== 1) return false;
  if (status.attempts > 0 || status.launchIntent || status.retryAfter !== undefined || status.queuePosition !== undefined || status.targetGeneration !== undefined) return false;
  const t = live[0]!;
  if (t.arn !== status.taskArn || !isRunning(t) || t.tags[CLAIM_PENDING_TAG] || incarnationOf(t) !== status.incarnation || t.tags[TAG.user] !== spec.userId) return false;
  if (!t.privateIp || status.endpoint?.ip !== t.privateIp || status.endpoint.port !== port) return false;
  let ready = false;
  for (const c of status.conditions) {
    if (c.type === 'Ready') ready = c.status === 'True';
    else if (c.type === 'Queued' || c.type === 'Degraded' || c.type === 'Invalid' || c.type === 'Updating') return false;
  }
  return ready && judge(t) === 'yes';
}

/** Ceiling of the backoff before start attempt `attempts + 1`: min(cap, base * 2^(attempts-1)). */
export function backoffMs(cfg: PlanConfig, attempts: number): number {
  return Math.min(cfg.retryCapMs, cfg.retryBaseMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Backoff before start attempt `attempts + 1`, ms: the retry policy's full jitter below
 * `backoffMs`, drawn from a hash of `seed` (the session id and incarnation) so the pure plan
 * gives the same answer on every pass and sessions that failed together spread out.
 */
export function startBackoffMs(cfg: PlanConfig, attempts: number, seed: string): number {
  let h = 2166136261;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 16777619);
  const unit = (h >>> 0) / 4294967296;
  return Math.floor(unit * backoffMs(cfg, attempts));
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
    /** Keeps a serving task in the status while its replacement is prepared (make before break). */
    overServing: (next: SessionStatus, reason: string, message: string, ok: boolean) => SessionStatus;
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
    p.write(prev, a.overServing({ ...cur, phase, observedGeneration: spec.generation, attempts: a.attempts, conditions }, persistence.condition.reason, persistence.condition.message, persistence.kind === 'wait'), 'PersistenceUnavailable', persistence.condition.message);
    if (persistence.kind === 'wait') p.requeue(cfg.blockedRecheckMs);
    return p.result();
  }
  const accessPointId = persistence.kind === 'mount' ? persistence.accessPointId : undefined;
  const launchSpec = sessionLaunchSpec({ spec, template: a.template, accessPointId, incarnation: a.incarnation, ownerId: cfg.ownerId });
  if (!p.input.knownFamilies.has(launchSpec.family)) {
    p.actions.push({ type: 'ensureTaskDefinition', key: p.id, sessionId: p.id, spec: launchSpec, drift: 'TaskDefinitionMissing', message: `task definition family ${launchSpec.family} not known yet` });
    return p.result();
  }
  const clientToken = a.clientToken ?? runTaskTokenForSession(spec.id, a.incarnation, spec.uid);
  const ready: ConditionInput = { type: 'Ready', status: 'False', reason: a.drift === 'TaskStopped' ? 'TaskStopped' : 'Launching', message: a.message };
  const warm = p.input.warm?.();
  const degraded: ConditionInput[] =
    warm && spec.persistence !== 'required'
      ? [{ type: 'Degraded', status: 'True', reason: 'WarmPoolEmpty', message: `no idle warm task in pool ${warm.pool}: cold start, expected 3-5 s` }]
      : [];
  const intentStatus: SessionStatus = p.stamp(a.overServing({
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
  }, 'ReplacementStarting', a.message, true));
  p.actions.push({ type: 'launch', key: p.id, sessionId: p.id, incarnation: a.incarnation, clientToken, spec: launchSpec, intentStatus, generation: spec.generation, ...(spec.uid ? { uid: spec.uid } : {}), drift: a.drift, message: a.message });
  p.requeue(cfg.startDeadlineMs);
  return p.result();
}
