/**
 * Ensure the task definition for a content hash. The family name carries the hash, so the
 * existing revision is found with one DescribeTaskDefinition; a new one is registered only
 * when the family does not exist yet (once per content, not once per launch).
 */
import { isNotFound, isTerminal } from '../../observed/aws-errors.js';
import type { RegisterTaskDefinitionInput } from '../../observed/aws-api.js';
import { TAG } from '../../observed/model.js';
import type { TaskTemplate } from '../../config/templates.js';
import type { EnsureTaskDefinitionAction, LaunchSpec } from '../plan/actions.js';
import type { ExecutorDeps } from './context.js';
import { singleFlight } from './single-flight.js';

const VOLUME = 'session-home';

export function taskDefinitionInput(spec: LaunchSpec, template: TaskTemplate, fileSystemId: string | undefined, ownerId: string): RegisterTaskDefinitionInput {
  const efs = spec.accessPointId && fileSystemId && template.efsMountPath;
  return {
    family: spec.family,
    networkMode: 'awsvpc',
    requiresCompatibilities: ['FARGATE'],
    cpu: template.cpu,
    memory: template.memory,
    ...(template.executionRoleArn ? { executionRoleArn: template.executionRoleArn } : {}),
    ...(template.taskRoleArn ? { taskRoleArn: template.taskRoleArn } : {}),
    containerDefinitions: [
      {
        name: template.containerName,
        image: template.image,
        essential: true,
        portMappings: [{ containerPort: template.port, protocol: 'tcp' }],
        environment: template.environment,
        ...(efs ? { mountPoints: [{ sourceVolume: VOLUME, containerPath: template.efsMountPath!, readOnly: false }] } : {}),
        ...(template.logs
          ? {
              logConfiguration: {
                logDriver: 'awslogs' as const,
                options: { 'awslogs-group': template.logs.group, 'awslogs-region': template.logs.region, 'awslogs-stream-prefix': spec.template, mode: 'non-blocking', 'max-buffer-size': template.logs.bufferSize },
              },
            }
          : {}),
      },
    ],
    ...(efs ? { volumes: [{ name: VOLUME, efs: { fileSystemId: fileSystemId!, accessPointId: spec.accessPointId!, transitEncryption: true, iam: true } }] } : {}),
    tags: { [TAG.owner]: ownerId, [TAG.specHash]: spec.contentHash },
  };
}

export function executeEnsureTaskDefinition(deps: ExecutorDeps, action: EnsureTaskDefinitionAction): Promise<void> {
  if (deps.cache.families.has(action.spec.family)) return Promise.resolve();
  return singleFlight(deps.cache.inflightEnsures, `td:${action.spec.family}`, () => ensureTaskDefinition(deps, action));
}

async function ensureTaskDefinition(deps: ExecutorDeps, action: EnsureTaskDefinitionAction): Promise<void> {
  const { spec } = action;
  const template = deps.config.templates[spec.template];
  if (!template) throw new Error(`ensureTaskDefinition: template ${spec.template} is not configured`);
  try {
    const found = await deps.call({ service: 'ecs', operation: 'DescribeTaskDefinition', key: action.key }, (signal) =>
      deps.aws.ecs.describeTaskDefinition({ taskDefinition: spec.family }, { signal }),
    );
    if (found.status !== 'INACTIVE' && found.tags[TAG.specHash] === spec.contentHash) {
      deps.cache.families.set(spec.family, found.arn);
      return;
    }
  } catch (err) {
    // ECS answers ClientException for an unknown family: classified as notFound or terminal.
    if (!isNotFound(err) && !isTerminal(err)) throw err;
  }
  const registered = await deps.call({ service: 'ecs', operation: 'RegisterTaskDefinition', key: action.key }, (signal) =>
    deps.aws.ecs.registerTaskDefinition(taskDefinitionInput(spec, template, deps.config.efsFileSystemId, deps.config.ownerId), { signal }),
  );
  deps.cache.families.set(spec.family, registered.arn);
}
