/**
 * EcsApi over the real `@aws-sdk/client-ecs` client. Only translation lives here: our types to
 * SDK requests, SDK responses through the tolerant parser. Errors propagate unchanged (they are
 * classified by aws-errors.ts), except a StopTask of a vanished task, which is success.
 * Retries are whatever the injected client is configured with (the work queue is the retry layer).
 */
import {
  DescribeTaskDefinitionCommand,
  DescribeTasksCommand,
  ListTaskDefinitionsCommand,
  ListTasksCommand,
  RegisterTaskDefinitionCommand,
  RunTaskCommand,
  StopTaskCommand,
  TagResourceCommand,
  type ECSClient,
  type RegisterTaskDefinitionRequest,
  type RunTaskRequest,
  type Tag,
} from '@aws-sdk/client-ecs';
import type {
  CallOptions,
  DescribeTasksInput,
  DescribeTasksOutput,
  EcsApi,
  ListTaskDefinitionsInput,
  ListTaskDefinitionsOutput,
  ListTasksInput,
  ListTasksOutput,
  RegisterTaskDefinitionInput,
  RunTaskInput,
  RunTaskOutput,
  StopTaskInput,
  StopTaskOutput,
  TagResourceInput,
  TaskDefinitionInfo,
  Tags,
} from './aws-api.js';
import { parseFailures, parseTags, parseTask, parseTasks } from './parse-task.js';

function ecsTags(tags: Tags | undefined): Tag[] | undefined {
  if (!tags) return undefined;
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function env(vars: Readonly<Record<string, string>> | undefined): { name: string; value: string }[] | undefined {
  return vars ? Object.entries(vars).map(([name, value]) => ({ name, value })) : undefined;
}

/** ECS answers a StopTask/DescribeTask of an unknown task with a 400 whose message says "not found". */
export function isTaskNotFound(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; message?: unknown };
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  return (
    name === 'ResourceNotFoundException' ||
    ((name === 'InvalidParameterException' || name === 'ClientException') && /not (be )?found|does not exist/i.test(message))
  );
}

export function toRunTaskRequest(input: RunTaskInput): RunTaskRequest {
  const net = input.networkConfiguration;
  return {
    cluster: input.cluster,
    taskDefinition: input.taskDefinition,
    count: input.count ?? 1,
    clientToken: input.clientToken,
    startedBy: input.startedBy,
    group: input.group,
    tags: ecsTags(input.tags),
    launchType: input.launchType,
    capacityProviderStrategy: input.capacityProviderStrategy?.map((c) => ({ ...c })),
    networkConfiguration: net && {
      awsvpcConfiguration: {
        subnets: [...net.subnets],
        securityGroups: net.securityGroups && [...net.securityGroups],
        assignPublicIp: net.assignPublicIp === undefined ? undefined : net.assignPublicIp ? 'ENABLED' : 'DISABLED',
      },
    },
    overrides: input.overrides && {
      containerOverrides: input.overrides.containerOverrides.map((c) => ({ name: c.name, environment: env(c.environment) })),
    },
  };
}

export function toRegisterTaskDefinitionRequest(input: RegisterTaskDefinitionInput): RegisterTaskDefinitionRequest {
  return {
    family: input.family,
    cpu: input.cpu,
    memory: input.memory,
    networkMode: input.networkMode,
    requiresCompatibilities: input.requiresCompatibilities && [...input.requiresCompatibilities],
    executionRoleArn: input.executionRoleArn,
    taskRoleArn: input.taskRoleArn,
    tags: ecsTags(input.tags),
    containerDefinitions: input.containerDefinitions.map((c) => ({
      name: c.name,
      image: c.image,
      essential: c.essential,
      cpu: c.cpu,
      memory: c.memory,
      command: c.command && [...c.command],
      environment: env(c.environment),
      portMappings: c.portMappings?.map((p) => ({ containerPort: p.containerPort, protocol: p.protocol })),
      mountPoints: c.mountPoints?.map((m) => ({ ...m })),
      logConfiguration: c.logConfiguration && { logDriver: c.logConfiguration.logDriver, options: { ...c.logConfiguration.options } },
    })),
    volumes: input.volumes?.map((v) => ({
      name: v.name,
      efsVolumeConfiguration: v.efs && {
        fileSystemId: v.efs.fileSystemId,
        rootDirectory: v.efs.rootDirectory,
        transitEncryption: v.efs.transitEncryption === undefined ? undefined : v.efs.transitEncryption ? 'ENABLED' : 'DISABLED',
        authorizationConfig:
          v.efs.accessPointId === undefined && v.efs.iam === undefined
            ? undefined
            : { accessPointId: v.efs.accessPointId, iam: v.efs.iam === undefined ? undefined : v.efs.iam ? 'ENABLED' : 'DISABLED' },
      },
    })),
  };
}

function taskDefinitionInfo(def: unknown, tags: unknown, ref: string): TaskDefinitionInfo {
  const d = (typeof def === 'object' && def !== null ? def : {}) as Record<string, unknown>;
  const arn = typeof d['taskDefinitionArn'] === 'string' ? d['taskDefinitionArn'] : undefined;
  if (!arn) throw new Error(`ECS returned a task definition without an ARN for ${ref}`);
  return {
    arn,
    family: typeof d['family'] === 'string' ? d['family'] : (arn.split('/').pop() ?? '').split(':')[0] ?? '',
    revision: typeof d['revision'] === 'number' ? d['revision'] : Number(arn.split(':').pop()),
    status: typeof d['status'] === 'string' ? d['status'] : undefined,
    tags: parseTags(tags),
  };
}

export class SdkEcsApi implements EcsApi {
  constructor(private readonly client: ECSClient) {}

  async listTasks(input: ListTasksInput, opts?: CallOptions): Promise<ListTasksOutput> {
    const out = await this.client.send(
      new ListTasksCommand({
        cluster: input.cluster,
        startedBy: input.startedBy,
        desiredStatus: input.desiredStatus,
        nextToken: input.nextToken,
        maxResults: input.maxResults,
      }),
      { abortSignal: opts?.signal },
    );
    return { taskArns: (out.taskArns ?? []).filter((a) => typeof a === 'string'), nextToken: out.nextToken || undefined };
  }

  async describeTasks(input: DescribeTasksInput, opts?: CallOptions): Promise<DescribeTasksOutput> {
    const out = await this.client.send(
      new DescribeTasksCommand({ cluster: input.cluster, tasks: [...input.tasks], include: ['TAGS'] }),
      { abortSignal: opts?.signal },
    );
    return { tasks: parseTasks(out.tasks), failures: parseFailures(out.failures) };
  }

  async runTask(input: RunTaskInput, opts?: CallOptions): Promise<RunTaskOutput> {
    const out = await this.client.send(new RunTaskCommand(toRunTaskRequest(input)), { abortSignal: opts?.signal });
    return { tasks: parseTasks(out.tasks), failures: parseFailures(out.failures) };
  }

  async stopTask(input: StopTaskInput, opts?: CallOptions): Promise<StopTaskOutput> {
    try {
      const out = await this.client.send(
        new StopTaskCommand({ cluster: input.cluster, task: input.task, reason: input.reason }),
        { abortSignal: opts?.signal },
      );
      return { task: parseTask(out.task) };
    } catch (err) {
      if (isTaskNotFound(err)) return { task: undefined };
      throw err;
    }
  }

  async tagResource(input: TagResourceInput, opts?: CallOptions): Promise<void> {
    await this.client.send(new TagResourceCommand({ resourceArn: input.resourceArn, tags: ecsTags(input.tags) }), {
      abortSignal: opts?.signal,
    });
  }

  async registerTaskDefinition(input: RegisterTaskDefinitionInput, opts?: CallOptions): Promise<TaskDefinitionInfo> {
    const out = await this.client.send(new RegisterTaskDefinitionCommand(toRegisterTaskDefinitionRequest(input)), {
      abortSignal: opts?.signal,
    });
    return taskDefinitionInfo(out.taskDefinition, out.tags, input.family);
  }

  async describeTaskDefinition(input: { readonly taskDefinition: string }, opts?: CallOptions): Promise<TaskDefinitionInfo> {
    const out = await this.client.send(
      new DescribeTaskDefinitionCommand({ taskDefinition: input.taskDefinition, include: ['TAGS'] }),
      { abortSignal: opts?.signal },
    );
    return taskDefinitionInfo(out.taskDefinition, out.tags, input.taskDefinition);
  }

  async listTaskDefinitions(input: ListTaskDefinitionsInput, opts?: CallOptions): Promise<ListTaskDefinitionsOutput> {
    const out = await this.client.send(
      new ListTaskDefinitionsCommand({
        familyPrefix: input.familyPrefix,
        status: input.status,
        sort: input.sort,
        maxResults: input.maxResults,
        nextToken: input.nextToken,
      }),
      { abortSignal: opts?.signal },
    );
    return { taskDefinitionArns: out.taskDefinitionArns ?? [], nextToken: out.nextToken || undefined };
  }
}
