/** Shared builders for observed-state tests. */
import type { AwsApi, RegisterTaskDefinitionInput, RunTaskInput } from '../../src/observed/aws-api.js';
import type { ObservedTask } from '../../src/observed/model.js';
import { launchTags } from '../../src/observed/task-tags.js';

export const CLUSTER = 'esr-test';
export const STARTED_BY = 'esr-controller';
export const OWNER = 'owner-a';

export function taskDefinitionInput(overrides: Partial<RegisterTaskDefinitionInput> = {}): RegisterTaskDefinitionInput {
  return {
    family: 'esr-session',
    containerDefinitions: [{ name: 'shell', image: 'public.ecr.aws/docker/library/busybox:latest', essential: true }],
    cpu: '256',
    memory: '512',
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    ...overrides,
  };
}

export function runInput(taskDefinition: string, overrides: Partial<RunTaskInput> = {}): RunTaskInput {
  return {
    cluster: CLUSTER,
    taskDefinition,
    launchType: 'FARGATE',
    startedBy: STARTED_BY,
    networkConfiguration: { subnets: ['subnet-1'], securityGroups: ['sg-1'], assignPublicIp: false },
    ...overrides,
  };
}

/** Registers a task definition and launches `n` session tasks (count <= 10 per call). */
export async function launchSessions(api: AwsApi, n: number, prefix = 's'): Promise<ObservedTask[]> {
  const def = await api.ecs.registerTaskDefinition(taskDefinitionInput());
  const out: ObservedTask[] = [];
  for (let i = 0; i < n; i++) {
    const r = await api.ecs.runTask(
      runInput(def.arn, { tags: launchTags({ owner: OWNER, role: 'session', sessionId: `${prefix}${i}`, incarnation: 1 }) }),
    );
    out.push(...r.tasks);
  }
  return out;
}
