/**
 * What a simulated task actually runs, read from the simulator's own records (not from the
 * controller's tags): the container image, the effective environment (task-definition
 * environment, then the RunTask container overrides on top, as ECS applies them), the EFS
 * access point its task definition mounts, and where it was placed (launch type or capacity
 * provider). The simulation's content oracle compares this with what a session's spec asks for.
 */
import type { TaskDefinitionRegistry } from './task-definitions.js';
import type { TaskRecord } from './task-lifecycle.js';

export interface SimTaskContent {
  taskDefinitionArn: string;
  /** Image of the first container; '' when the task definition is unknown. */
  image: string;
  /** Effective environment of the first container: definition environment, then overrides. */
  environment: Record<string, string>;
  /** The EFS access point the task definition mounts, if any. */
  accessPointId: string | undefined;
  /** `FARGATE` (launch type) or the capacity provider's name (e.g. `FARGATE_SPOT`). */
  placement: string;
}

export function taskContent(task: TaskRecord, registry: TaskDefinitionRegistry): SimTaskContent {
  let image = '';
  const environment: Record<string, string> = {};
  let accessPointId: string | undefined;
  let containerName: string | undefined;
  try {
    const def = registry.peek(task.taskDefinitionArn);
    const c = def.containerDefinitions?.[0];
    containerName = c?.name;
    image = c?.image ?? '';
    for (const e of c?.environment ?? []) if (e.name) environment[e.name] = e.value ?? '';
    accessPointId = def.volumes?.find((v) => v.efsVolumeConfiguration)?.efsVolumeConfiguration?.authorizationConfig?.accessPointId;
  } catch {
    // An unknown task definition: the oracle sees an empty image and fails loudly on it.
  }
  for (const o of task.overrides?.containerOverrides ?? []) {
    if (containerName !== undefined && o.name !== containerName) continue;
    for (const e of o.environment ?? []) if (e.name) environment[e.name] = e.value ?? '';
  }
  return { taskDefinitionArn: task.taskDefinitionArn, image, environment, accessPointId, placement: task.capacityProviderName ?? task.launchType ?? 'FARGATE' };
}
