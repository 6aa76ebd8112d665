/**
 * AwsApi in-process over the simulator core (no HTTP), for deterministic simulation on virtual
 * time. Requests are built exactly as the SDK adapter builds them and answers go through the
 * same tolerant parser; SimErrors are rethrown shaped like SDK service exceptions (`name`,
 * `$fault`, `$metadata.httpStatusCode`, modelled fields), so error classification, the
 * "stop of a vanished task is success" rule and AccessPointAlreadyExists handling are identical.
 *
 * This is also how unit tests reach ECS and EFS: the simulator core in-process on a virtual clock
 * (with the `instant` profile when lifecycle timing does not matter), the one model of both
 * services in this repository.
 */
import type { SimCore } from '../sim/core.js';
import { isSimError } from '../sim/errors.js';
import type { SimInput, SimOutput } from '../sim/op-types.js';
import type { SimOperation } from '../sim/ops.js';
import type {
  AwsApi,
  CallOptions,
  CreateAccessPointInput,
  CreateAccessPointOutput,
  DescribeAccessPointsInput,
  DescribeAccessPointsOutput,
  DescribeTasksInput,
  DescribeTasksOutput,
  EcsApi,
  EfsApi,
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
} from './aws-api.js';
import { awsError, throwIfAborted } from './sdk-shaped-error.js';
import type { ObservedAccessPoint } from './model.js';
import { parseAccessPoint, parseFailures, parseTags, parseTask, parseTasks } from './parse-task.js';
import { isTaskNotFound, toRegisterTaskDefinitionRequest, toRunTaskRequest } from './sdk-ecs-api.js';
import { existingAccessPointId } from './sdk-efs-api.js';

/** A SimError as the SDK would have raised it; anything else unchanged. */
export function toSdkShapedError(err: unknown): unknown {
  if (!isSimError(err)) return err;
  const e = awsError(err.code, err.message, {
    fault: err.status >= 500 ? 'server' : 'client',
    status: err.status,
    fields: err.fields,
  });
  (e as Error).cause = err;
  return e;
}

function tdInfo(out: { taskDefinition?: unknown; tags?: unknown }, ref: string): TaskDefinitionInfo {
  const d = (out.taskDefinition ?? {}) as { taskDefinitionArn?: string; family?: string; revision?: number; status?: string };
  if (!d.taskDefinitionArn) throw new Error(`simulator returned a task definition without an ARN for ${ref}`);
  return {
    arn: d.taskDefinitionArn,
    family: d.family ?? '',
    revision: d.revision ?? Number(d.taskDefinitionArn.split(':').pop()),
    status: d.status,
    tags: parseTags(out.tags),
  };
}

export class SimAwsApi implements AwsApi {
  readonly ecs: EcsApi;
  readonly efs: EfsApi;

  constructor(private readonly core: SimCore) {
    this.ecs = {
      listTasks: (i, o) => this.listTasks(i, o),
      describeTasks: (i, o) => this.describeTasks(i, o),
      runTask: (i, o) => this.runTask(i, o),
      stopTask: (i, o) => this.stopTask(i, o),
      tagResource: (i, o) => this.tagResource(i, o),
      registerTaskDefinition: (i, o) => this.registerTaskDefinition(i, o),
      describeTaskDefinition: async (i, o) =>
        tdInfo(await this.call('DescribeTaskDefinition', { taskDefinition: i.taskDefinition, include: ['TAGS'] }, o), i.taskDefinition),
      listTaskDefinitions: async (i, o): Promise<ListTaskDefinitionsOutput> => {
        const out = await this.call(
          'ListTaskDefinitions',
          { familyPrefix: i.familyPrefix, status: i.status, sort: i.sort, nextToken: i.nextToken, maxResults: i.maxResults },
          o,
        );
        return { taskDefinitionArns: out.taskDefinitionArns ?? [], nextToken: out.nextToken || undefined };
      },
    };
    this.efs = {
      createAccessPoint: (i, o) => this.createAccessPoint(i, o),
      describeAccessPoints: (i, o) => this.describeAccessPoints(i, o),
      deleteAccessPoint: async (i, o) => {
        try {
          await this.call('DeleteAccessPoint', { AccessPointId: i.accessPointId }, o);
        } catch (err) {
          if ((err as { name?: unknown }).name !== 'AccessPointNotFound') throw err;
        }
      },
    };
  }

  private async call<K extends SimOperation>(op: K, input: SimInput<K>, opts: CallOptions | undefined): Promise<SimOutput<K>> {
    // As the SDK does: an already aborted signal rejects before anything is sent.
    throwIfAborted(opts?.signal);
    try {
      return await this.core.call(op, input, { signal: opts?.signal });
    } catch (err) {
      throw toSdkShapedError(err);
    }
  }

  private async listTasks(i: ListTasksInput, o?: CallOptions): Promise<ListTasksOutput> {
    const out = await this.call(
      'ListTasks',
      { cluster: i.cluster, startedBy: i.startedBy, desiredStatus: i.desiredStatus, nextToken: i.nextToken, maxResults: i.maxResults },
      o,
    );
    return { taskArns: out.taskArns ?? [], nextToken: out.nextToken || undefined };
  }

  private async describeTasks(i: DescribeTasksInput, o?: CallOptions): Promise<DescribeTasksOutput> {
    const out = await this.call('DescribeTasks', { cluster: i.cluster, tasks: [...i.tasks], include: ['TAGS'] }, o);
    return { tasks: parseTasks(out.tasks), failures: parseFailures(out.failures) };
  }

  private async runTask(i: RunTaskInput, o?: CallOptions): Promise<RunTaskOutput> {
    const out = await this.call('RunTask', toRunTaskRequest(i), o);
    return { tasks: parseTasks(out.tasks), failures: parseFailures(out.failures) };
  }

  private async stopTask(i: StopTaskInput, o?: CallOptions): Promise<StopTaskOutput> {
    try {
      const out = await this.call('StopTask', { cluster: i.cluster, task: i.task, reason: i.reason }, o);
      return { task: parseTask(out.task) };
    } catch (err) {
      if (isTaskNotFound(err)) return { task: undefined };
      throw err;
    }
  }

  private async tagResource(i: TagResourceInput, o?: CallOptions): Promise<void> {
    const tags = Object.entries(i.tags).map(([key, value]) => ({ key, value }));
    await this.call('TagResource', { resourceArn: i.resourceArn, tags }, o);
  }

  private async registerTaskDefinition(i: RegisterTaskDefinitionInput, o?: CallOptions): Promise<TaskDefinitionInfo> {
    return tdInfo(await this.call('RegisterTaskDefinition', toRegisterTaskDefinitionRequest(i), o), i.family);
  }

  private async createAccessPoint(i: CreateAccessPointInput, o?: CallOptions): Promise<CreateAccessPointOutput> {
    try {
      const out = await this.call(
        'CreateAccessPoint',
        {
          ClientToken: i.clientToken,
          FileSystemId: i.fileSystemId,
          PosixUser: i.posixUser && { Uid: i.posixUser.uid, Gid: i.posixUser.gid, SecondaryGids: i.posixUser.secondaryGids && [...i.posixUser.secondaryGids] },
          RootDirectory: i.rootDirectory && {
            Path: i.rootDirectory.path,
            CreationInfo: i.rootDirectory.creationInfo && {
              OwnerUid: i.rootDirectory.creationInfo.ownerUid,
              OwnerGid: i.rootDirectory.creationInfo.ownerGid,
              Permissions: i.rootDirectory.creationInfo.permissions,
            },
          },
          Tags: i.tags && Object.entries(i.tags).map(([Key, Value]) => ({ Key, Value })),
        },
        o,
      );
      const ap = parseAccessPoint(out, i.fileSystemId);
      if (!ap) throw new Error(`simulator CreateAccessPoint on ${i.fileSystemId} returned no AccessPointId`);
      return { id: ap.id, accessPoint: ap, alreadyExisted: false };
    } catch (err) {
      const id = existingAccessPointId(err);
      if (id !== undefined) return { id, accessPoint: undefined, alreadyExisted: true };
      throw err;
    }
  }

  private async describeAccessPoints(i: DescribeAccessPointsInput, o?: CallOptions): Promise<DescribeAccessPointsOutput> {
    const out = await this.call('DescribeAccessPoints', { FileSystemId: i.fileSystemId, NextToken: i.nextToken, MaxResults: i.maxResults }, o);
    const accessPoints: ObservedAccessPoint[] = [];
    for (const raw of out.AccessPoints ?? []) {
      const ap = parseAccessPoint(raw, i.fileSystemId);
      if (ap) accessPoints.push(ap);
    }
    return { accessPoints, nextToken: out.NextToken || undefined };
  }
}
