/**
 * Warm-pool executors. A claim is two steps: the Redis Lua script hands the task to exactly one
 * session and writes its status (Running, endpoint, warm) in the same step; then ECS tags the
 * task for the session. A crash between the two leaves a claim the next reconcile completes
 * (tagTask, from the cache's claim overlay) or, if the session is gone, reverses (the task is
 * stopped as the session's and the claim released once the task is gone).
 */
import type { ClaimWarmAction, LaunchWarmBatchAction, ReleaseClaimAction, TagTaskAction } from '../plan/actions.js';
import { SCHEMA_VERSION } from '../../desired/schema.js';
import { claimTags, ownedBy, roleOf, sessionIdOf } from '../../observed/task-tags.js';
import { TAG } from '../../observed/model.js';
import type { ExecutorDeps, GuardedCallRequest } from './context.js';
import { LaunchFailedError, NotOwnedError } from './errors.js';
import { runTaskInput, warmTaskGroup } from './launch.js';
import { fargateLaunchTokens } from '../fargate-launch.js';

/** The claim went to another session or controller: re-plan with fresh claims. */
export class ClaimRaceError extends Error {
  constructor(readonly sessionId: string) {
    super(`every offered warm task for ${sessionId} was claimed concurrently`);
    this.name = 'ClaimRaceError';
  }
}

/** A batch for waiting sessions stands where the oldest of them stands; stock for later, as the pool. */
function placeInLine(a: LaunchWarmBatchAction): Pick<GuardedCallRequest, 'requestClass' | 'requestedAt' | 'requestSeq'> {
  return a.forSessions
    ? { requestClass: 'session', requestedAt: a.forSessions.requestedAt, requestSeq: a.forSessions.seq }
    : { requestClass: 'pool', requestedAt: a.requestedAt };
}

export async function executeLaunchWarmBatch(deps: ExecutorDeps, a: LaunchWarmBatchAction): Promise<void> {
  const template = deps.config.templates[a.spec.template];
  const taskDefinitionArn = deps.cache.families.get(a.spec.family);
  if (!template || !taskDefinitionArn) throw new Error(`warm batch for ${a.pool}: template ${a.spec.template} or family ${a.spec.family} unknown`);
  const intent = { batch: a.batch, clientToken: a.clientToken, count: a.count, requestedAt: a.requestedAt };
  const prev = deps.cache.poolStatus.get(a.pool);
  if (prev?.intent?.clientToken !== a.clientToken) {
    const status = { schemaVersion: SCHEMA_VERSION, batch: Math.max(a.batch, prev?.batch ?? 0), intent, ...(prev?.startFailures ? { startFailures: prev.startFailures } : {}), updatedAt: deps.clock.now() };
    await deps.status.writePoolStatus(a.pool, status, deps.fencingToken());
    deps.cache.setPoolStatus(a.pool, status, deps.clock.now());
  }
  const input = runTaskInput(deps, template, taskDefinitionArn, { clientToken: a.clientToken, count: a.count, tags: a.spec.tags, env: a.spec.env, group: warmTaskGroup(a.pool) });
  const out = await deps.call({ service: 'ecs', operation: 'RunTask', key: a.key, launches: fargateLaunchTokens(input), ...placeInLine(a) }, (signal) => deps.aws.ecs.runTask(input, { signal }));
  const now = deps.clock.now();
  for (const task of out.tasks) deps.cache.upsertTask(task, now);
  if (out.tasks.length === 0) {
    const status = { schemaVersion: SCHEMA_VERSION, batch: Math.max(a.batch, prev?.batch ?? 0), ...(prev?.startFailures ? { startFailures: prev.startFailures } : {}), updatedAt: now };
    await deps.status.writePoolStatus(a.pool, status, deps.fencingToken());
    deps.cache.setPoolStatus(a.pool, status, deps.clock.now());
    throw new LaunchFailedError(`pool:${a.pool}`, out.failures.map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`));
  }
}

export async function executeClaimWarm(deps: ExecutorDeps, a: ClaimWarmAction): Promise<void> {
  const at = deps.clock.now();
  const result = await deps.status.claimWarmTask(a.sessionId, { pool: a.pool, incarnation: a.incarnation, at }, a.candidates, deps.fencingToken());
  if (result.outcome === 'session-gone') {
    deps.cache.setSessionEntry(a.sessionId, undefined, deps.clock.now());
    return;
  }
  if (result.outcome === 'taken') {
    const readAt = deps.clock.now();
    deps.cache.setClaims(await deps.status.warmClaims(), readAt);
    throw new ClaimRaceError(a.sessionId);
  }
  const chosen = a.candidates.find((c) => c.taskArn === result.taskArn)!;
  deps.cache.addClaim(result.taskArn, { sessionId: a.sessionId, pool: a.pool, incarnation: a.incarnation, at }, deps.clock.now());
  deps.cache.setStatus(a.sessionId, chosen.status, at);
  const userId = deps.cache.sessions.get(a.sessionId)?.spec?.userId;
  await tagForSession(deps, a.key, a.sessionId, result.taskArn, claimTags(a.sessionId, a.incarnation, userId, deps.cache.sessions.get(a.sessionId)?.spec?.uid));
}

export async function executeTagTask(deps: ExecutorDeps, a: TagTaskAction): Promise<void> {
  await tagForSession(deps, a.key, a.sessionId, a.taskArn, a.tags);
}

/**
 * Tags a task for a session, after checking at the action what ECS last showed of it (a claim
 * or a plan derived from Redis is not enough): the task carries our owner tag and is either an
 * unclaimed warm task or already this session's; the write never touches the owner tag.
 * Anything else throws NotOwnedError (counted as `refused`).
 */
export function assertTaggable(deps: ExecutorDeps, taskArn: string, sessionId: string, tags: Record<string, string>): void {
  const task = deps.cache.tasks.get(taskArn);
  if (!task || !ownedBy(task, deps.config.ownerId)) throw new NotOwnedError(taskArn, 'tag');
  if (Object.keys(tags).some((k) => k.toLowerCase() === TAG.owner)) throw new NotOwnedError(taskArn, 'tag', 'the owner tag is never rewritten');
  const servedBy = sessionIdOf(task);
  const unclaimedWarm = roleOf(task) === 'warm' && servedBy === undefined;
  if (!unclaimedWarm && servedBy !== sessionId) throw new NotOwnedError(taskArn, 'tag', `ECS shows it serving ${servedBy === undefined ? 'no session' : `session ${servedBy}`}, not ${sessionId}`);
}

async function tagForSession(deps: ExecutorDeps, key: string, sessionId: string, taskArn: string, tags: Record<string, string>): Promise<void> {
  assertTaggable(deps, taskArn, sessionId, tags);
  await deps.call({ service: 'ecs', operation: 'TagResource', key }, (signal) => deps.aws.ecs.tagResource({ resourceArn: taskArn, tags }, { signal }));
  const task = deps.cache.tasks.get(taskArn);
  if (task) deps.cache.upsertTask({ ...task, tags: { ...task.tags, ...tags } }, deps.clock.now());
}

export async function executeReleaseClaim(deps: ExecutorDeps, a: ReleaseClaimAction): Promise<void> {
  await deps.status.releaseWarmClaim(a.taskArn, deps.fencingToken());
  deps.cache.removeClaim(a.taskArn, deps.clock.now());
}

