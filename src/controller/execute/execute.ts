/** Runs one planned action with the executor for its type, and reports the outcome. */
import type { Action } from '../plan/actions.js';
import { executeEnsureAccessPoint } from './access-point.js';
import type { ExecutorDeps } from './context.js';
import { StopDeferredError } from './errors.js';
import { executeLaunch } from './launch.js';
import { purgeSession, writeSessionStatus } from './session-status.js';
import { executeStop } from './stop.js';
import { executeEnsureTaskDefinition } from './task-definition.js';
import { executeClaimWarm, executeLaunchWarmBatch, executeReleaseClaim, executeTagTask } from './warm.js';

async function dispatch(deps: ExecutorDeps, action: Action): Promise<void> {
  switch (action.type) {
    case 'writeStatus':
      await writeSessionStatus(deps, action.sessionId, action.status, { generation: action.generation, uid: action.uid }, action.expiry);
      return;
    case 'launch':
      return executeLaunch(deps, action);
    case 'stopTask':
      return executeStop(deps, action);
    case 'ensureAccessPoint':
      return executeEnsureAccessPoint(deps, action);
    case 'ensureTaskDefinition':
      return executeEnsureTaskDefinition(deps, action);
    case 'purgeSession':
      return purgeSession(deps, action.sessionId, action.generation);
    case 'launchWarmBatch':
      return executeLaunchWarmBatch(deps, action);
    case 'claimWarm':
      return executeClaimWarm(deps, action);
    case 'tagTask':
      return executeTagTask(deps, action);
    case 'releaseClaim':
      return executeReleaseClaim(deps, action);
  }
}

export async function executeAction(deps: ExecutorDeps, action: Action): Promise<void> {
  const sessionId = 'sessionId' in action ? action.sessionId : undefined;
  try {
    await dispatch(deps, action);
    const warmPoolEmpty = action.type === 'launch' && action.intentStatus.conditions.some((c) => c.type === 'Degraded' && c.reason === 'WarmPoolEmpty');
    const expired = action.type === 'writeStatus' ? action.expiry?.reason : undefined;
    deps.onEvent?.({ sessionId, action: action.type, drift: action.drift, outcome: 'ok', message: action.message, ...(warmPoolEmpty ? { warmPoolEmpty } : {}), ...(expired ? { expired } : {}) });
  } catch (err) {
    const name = (err as Error).name;
    const outcome = name === 'NotOwnedError' ? 'refused' : name === 'PreconditionFailedError' ? 'skipped' : err instanceof StopDeferredError ? 'deferred' : 'error';
    deps.onEvent?.({ sessionId, action: action.type, drift: action.drift, outcome, message: `${action.message}: ${(err as Error).message}` });
    throw err;
  }
}
