/**
 * Launch a session task: intent before action. The status with the launch intent
 * (incarnation, clientToken) is written first; only then RunTask is called with that token, so a
 * crash anywhere in between is resumed by re-sending the same token (ECS returns the same task).
 */
import type { RunTaskInput } from '../../observed/aws-api.js';
import { fargateLaunchTokens } from '../fargate-launch.js';
import { isConflict } from '../../observed/aws-errors.js';
import type { TaskTemplate } from '../../config/templates.js';
import type { LaunchAction } from '../plan/actions.js';
import { setConditions } from '../plan/status.js';
import type { ExecutorDeps } from './context.js';
import { EnvOverrideRefusedError, LaunchFailedError } from './errors.js';
import { describeEnvOverrideConflicts } from '../../desired/schema.js';
import { writeSessionStatus } from './session-status.js';
import { isReplacing, withQueuedStatus } from './degradation.js';

/**
 * ECS task `group` of our tasks: every group starts with TASK_GROUP_PREFIX, which the EventBridge
 * rule in deploy/eventbridge/ filters on (ECS events carry `group` and `startedBy`, not tags).
 */
export const TASK_GROUP_PREFIX = 'esr-';
export const SESSION_TASK_GROUP = `${TASK_GROUP_PREFIX}session`;
export const warmTaskGroup = (pool: string): string => `${TASK_GROUP_PREFIX}warm-${pool}`;

/**
 * The RunTask request of a launch. Checks at the action that the container overrides only add
 * variables: ECS replaces a task-definition variable with an override of the same name, so an
 * override naming a template variable (any letter case) throws EnvOverrideRefusedError.
 */
export function runTaskInput(deps: ExecutorDeps, template: TaskTemplate, taskDefinitionArn: string, a: { clientToken: string; count: number; tags: Record<string, string>; env: Record<string, string>; group: string }): RunTaskInput {
  const conflict = describeEnvOverrideConflicts(a.env, template.environment, `the template of container "${template.containerName}"`);
  if (conflict) throw new EnvOverrideRefusedError(conflict);
  const placement: Pick<RunTaskInput, 'launchType' | 'capacityProviderStrategy'> =
    template.capacityProvider === 'FARGATE' ? { launchType: 'FARGATE' } : { capacityProviderStrategy: [{ capacityProvider: template.capacityProvider, weight: 1 }] };
  return {
    cluster: deps.config.cluster,
    taskDefinition: taskDefinitionArn,
    count: a.count,
    clientToken: a.clientToken,
    startedBy: deps.config.startedBy,
    tags: a.tags,
    ...placement,
    networkConfiguration: { subnets: template.subnets, securityGroups: template.securityGroups, assignPublicIp: template.assignPublicIp === 'ENABLED' },
    overrides: { containerOverrides: [{ name: template.containerName, environment: a.env }] },
    group: a.group,
  };
}

export async function executeLaunch(deps: ExecutorDeps, action: LaunchAction): Promise<void> {
  const template = deps.config.templates[action.spec.template];
  const taskDefinitionArn = deps.cache.families.get(action.spec.family);
  if (!template || !taskDefinitionArn) throw new Error(`launch of ${action.sessionId}: template ${action.spec.template} or family ${action.spec.family} unknown`);
  if (!(await writeSessionStatus(deps, action.sessionId, action.intentStatus, { generation: action.generation, uid: action.uid }))) return;

  const input = runTaskInput(deps, template, taskDefinitionArn, { clientToken: action.clientToken, count: 1, tags: action.spec.tags, env: action.spec.env, group: SESSION_TASK_GROUP });
  let out;
  try {
    out = await withQueuedStatus(deps, action.sessionId, action.key, action.intentStatus, () =>
      deps.call({ service: 'ecs', operation: 'RunTask', key: action.key, launches: fargateLaunchTokens(input), requestClass: 'session', requestedAt: action.intentStatus.launchIntent?.requestedAt }, (signal) => deps.aws.ecs.runTask(input, { signal })),
    );
  } catch (err) {
    if (isConflict(err)) {
      // The token was used with other parameters: this intent cannot be resumed. Drop it; the
      // next plan launches a fresh incarnation with a fresh token.
      await abandonIntent(deps, action, 'LaunchConflict', `RunTask clientToken ${action.clientToken} conflicts with an earlier request: ${(err as Error).message}`);
    }
    throw err;
  }
  const now = deps.clock.now();
  for (const task of out.tasks) deps.cache.upsertTask(task, now);
  if (out.tasks.length === 0) {
    const reasons = out.failures.map((f) => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`);
    await abandonIntent(deps, action, 'CapacityUnavailable', `RunTask started no task: ${reasons.join('; ')}`);
    throw new LaunchFailedError(action.sessionId, reasons);
  }
}

/**
 * Clears the launch intent and records why, so the gateway sees it and the next attempt starts
 * fresh. Written on the condition of the action's spec generation: when the record changed
 * meanwhile (a new spec, or a new life after a store loss) the write is refused, never lands a
 * status derived from the old record on the new one.
 */
async function abandonIntent(deps: ExecutorDeps, action: LaunchAction, reason: string, message: string): Promise<void> {
  const now = deps.clock.now();
  const cur = deps.cache.sessions.get(action.sessionId)?.status ?? action.intentStatus;
  if (isReplacing(cur)) {
    // The serving task keeps serving; only the replacement failed.
    await writeSessionStatus(deps, action.sessionId, { ...cur, launchIntent: undefined, lastError: { reason, message, at: now }, conditions: setConditions(cur.conditions, [{ type: 'Updating', status: 'False', reason, message }], now) }, { generation: action.generation, uid: action.uid });
    return;
  }
  await writeSessionStatus(deps, action.sessionId, {
    ...cur,
    phase: 'Pending',
    launchIntent: undefined,
    lastError: { reason, message, at: now },
    conditions: setConditions(cur.conditions, [{ type: 'Ready', status: 'False', reason, message }], now),
  }, { generation: action.generation, uid: action.uid });
}
