/**
 * Stop a task. Ownership is checked here, at the action, whatever the plan said: a task
 * without our owner tag is never stopped. Stopping a stopped or vanished task is success.
 */
import { TAG, type ObservedTask } from '../../observed/model.js';
import { isNotFound } from '../../observed/aws-errors.js';
import type { StopTaskAction } from '../plan/actions.js';
import type { ExecutorDeps } from './context.js';
import { NotOwnedError, PreconditionFailedError, StopDeferredError } from './errors.js';

export async function executeStop(deps: ExecutorDeps, action: StopTaskAction): Promise<void> {
  const task = deps.cache.tasks.get(action.taskArn);
  if (!task || task.tags[TAG.owner] !== deps.config.ownerId) throw new NotOwnedError(action.taskArn);
  if (task.desiredStatus === 'STOPPED' || task.lastStatus === 'STOPPED') return;
  if (action.precondition === 'noDesiredRecord' && action.sessionId !== undefined && deps.desired) {
    const entry = await deps.desired.readSession(action.sessionId);
    if (entry) {
      deps.cache.setSessionEntry(action.sessionId, entry, deps.clock.now());
      throw new PreconditionFailedError(action.key, `session ${action.sessionId} has a desired record again; not stopping ${action.taskArn} as an orphan`);
    }
  }
  const gate = deps.stopGate?.check(action) ?? 'allow';
  if (gate !== 'allow') throw new StopDeferredError(action.taskArn, gate.wait, gate.retryAfterMs);
  if (action.precondition === 'unclaimed') {
    const at = deps.clock.now();
    if ((await deps.status.reserveForStop(action.taskArn, at, deps.fencingToken())) === 'claimed') {
      const readAt = deps.clock.now();
      deps.cache.setClaims(await deps.status.warmClaims(), readAt);
      throw new PreconditionFailedError(action.key, `warm task ${action.taskArn} was claimed by a session meanwhile; not stopping it`);
    }
  }
  try {
    const out = await deps.call({ service: 'ecs', operation: 'StopTask', key: action.key }, (signal) =>
      deps.aws.ecs.stopTask({ cluster: deps.config.cluster, task: action.taskArn, reason: action.stopReason }, { signal }),
    );
    deps.cache.upsertTask(out.task ?? markedStopping(task), deps.clock.now());
  } catch (err) {
    if (!isNotFound(err)) throw err;
    deps.cache.upsertTask(markedStopping(task), deps.clock.now());
  }
}

function markedStopping(task: ObservedTask): ObservedTask {
  return { ...task, desiredStatus: 'STOPPED' };
}
