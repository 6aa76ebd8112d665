import { z } from 'zod';
import { ecsTags } from './validate.js';

/**
 * Wire-level input schemas for the ECS operations the simulator serves. Members the
 * simulator does not interpret are kept as given (loose objects) so they round-trip.
 */
const containerDefinition = z.looseObject({
  name: z.string().min(1).max(255),
  image: z.string().min(1),
  essential: z.boolean().optional(),
  cpu: z.number().int().optional(),
  memory: z.number().int().optional(),
});

export const registerTaskDefinitionInput = z.looseObject({
  family: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/, 'must be 1-255 letters, digits, hyphens or underscores'),
  containerDefinitions: z.array(containerDefinition).min(1).max(10),
  networkMode: z.enum(['bridge', 'host', 'awsvpc', 'none']).optional(),
  requiresCompatibilities: z.array(z.enum(['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES'])).optional(),
  cpu: z.string().optional(),
  memory: z.string().optional(),
  tags: ecsTags.optional(),
});

export const describeTaskDefinitionInput = z.object({
  taskDefinition: z.string().min(1),
  include: z.array(z.literal('TAGS')).optional(),
});

export const deregisterTaskDefinitionInput = z.object({ taskDefinition: z.string().min(1) });

const awsvpc = z.looseObject({
  subnets: z.array(z.string().min(1)).min(1).max(16),
  securityGroups: z.array(z.string()).max(5).optional(),
  assignPublicIp: z.enum(['ENABLED', 'DISABLED']).optional(),
});

export const runTaskInput = z.looseObject({
  taskDefinition: z.string().min(1),
  cluster: z.string().optional(),
  count: z.number().int().optional(),
  /** ECS: up to 64 ASCII characters in the range 33-126 (API reference, "Ensuring idempotency"). */
  clientToken: z.string().regex(/^[\x21-\x7e]{1,64}$/, 'must be 1-64 ASCII characters in the range 33-126').optional(),
  startedBy: z.string().max(128).optional(),
  group: z.string().max(255).optional(),
  launchType: z.enum(['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES']).optional(),
  capacityProviderStrategy: z
    .array(z.object({ capacityProvider: z.string().min(1), weight: z.number().int().min(0).max(1000).optional(), base: z.number().int().min(0).max(100000).optional() }))
    .max(20)
    .optional(),
  networkConfiguration: z.looseObject({ awsvpcConfiguration: awsvpc.optional() }).optional(),
  overrides: z.looseObject({ containerOverrides: z.array(z.looseObject({ name: z.string().optional() })).optional() }).optional(),
  tags: ecsTags.optional(),
  enableECSManagedTags: z.boolean().optional(),
  enableExecuteCommand: z.boolean().optional(),
  propagateTags: z.enum(['TASK_DEFINITION', 'SERVICE', 'NONE']).optional(),
  platformVersion: z.string().optional(),
});

export const stopTaskInput = z.object({
  task: z.string().min(1),
  cluster: z.string().optional(),
  reason: z.string().max(255).optional(),
});

export const describeTasksInput = z.object({
  tasks: z.array(z.string().min(1)),
  cluster: z.string().optional(),
  include: z.array(z.literal('TAGS')).optional(),
});

export const listTasksInput = z.object({
  cluster: z.string().optional(),
  containerInstance: z.string().optional(),
  family: z.string().optional(),
  nextToken: z.string().optional(),
  maxResults: z.number().int().optional(),
  startedBy: z.string().optional(),
  serviceName: z.string().optional(),
  desiredStatus: z.enum(['RUNNING', 'PENDING', 'STOPPED']).optional(),
  launchType: z.enum(['EC2', 'FARGATE', 'EXTERNAL', 'MANAGED_INSTANCES']).optional(),
  daemonName: z.string().optional(),
});

export const listTaskDefinitionsInput = z.object({
  familyPrefix: z.string().optional(),
  status: z.enum(['ACTIVE', 'INACTIVE', 'DELETE_IN_PROGRESS']).optional(),
  sort: z.enum(['ASC', 'DESC']).optional(),
  nextToken: z.string().optional(),
  maxResults: z.number().int().optional(),
});

export const tagResourceInput = z.object({ resourceArn: z.string().min(1), tags: ecsTags });
export const untagResourceInput = z.object({ resourceArn: z.string().min(1), tagKeys: z.array(z.string().min(1)).max(50) });
export const listTagsForResourceInput = z.object({ resourceArn: z.string().min(1) });

export type RunTaskInput = z.output<typeof runTaskInput>;
export type RegisterTaskDefinitionInput = z.output<typeof registerTaskDefinitionInput>;
