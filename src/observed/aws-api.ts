/**
 * The narrow cloud interface: only the ECS and EFS calls the controller makes, in our own
 * types (no SDK types leak past this file's implementations). Implementations:
 * - `SdkAwsApi` (real SDK clients; production and HTTP tests against the simulator),
 * - `SimAwsApi` (in-process adapter to the simulator core on virtual time: deterministic
 *   simulation and unit tests; the simulator is the only model of ECS and EFS we keep).
 *
 * Rules every implementation follows (the contract suite in test/observed checks them):
 * - Errors are thrown as-is from the service (classified elsewhere), except where a method
 *   documents that a condition is success (stopping a stopped task).
 * - `signal` aborts the call; an aborted call rejects with the signal's reason or an AbortError.
 * - Limits are the real ECS/EFS limits: ListTasks maxResults <= 100, DescribeTasks <= 100
 *   tasks, RunTask count 1..10, clientToken <= 64 ASCII chars.
 */
import type { ObservedAccessPoint, ObservedTask } from './model.js';

export interface CallOptions {
  readonly signal?: AbortSignal;
}

export type Tags = Readonly<Record<string, string>>;

/** ECS page size limit for ListTasks, and batch limit for DescribeTasks. */
export const ECS_PAGE_MAX = 100;
/** ECS RunTask `count` upper bound. */
export const RUN_TASK_MAX_COUNT = 10;

export interface ListTasksInput {
  readonly cluster: string;
  readonly startedBy?: string;
  readonly desiredStatus?: 'RUNNING' | 'STOPPED';
  readonly nextToken?: string;
  /** 1..100; ECS default is 100. */
  readonly maxResults?: number;
}

export interface ListTasksOutput {
  readonly taskArns: readonly string[];
  readonly nextToken: string | undefined;
}

export interface DescribeTasksInput {
  readonly cluster: string;
  /** 1..100 task ARNs (or ids). Tags are always requested. */
  readonly tasks: readonly string[];
}

export interface TaskFailure {
  readonly arn: string | undefined;
  /** ECS reason, e.g. 'MISSING'. */
  readonly reason: string | undefined;
  readonly detail?: string | undefined;
}

export interface DescribeTasksOutput {
  readonly tasks: readonly ObservedTask[];
  readonly failures: readonly TaskFailure[];
}

export interface NetworkConfiguration {
  readonly subnets: readonly string[];
  readonly securityGroups?: readonly string[];
  readonly assignPublicIp?: boolean;
}

export interface CapacityProviderItem {
  readonly capacityProvider: string;
  readonly weight?: number;
  readonly base?: number;
}

export interface ContainerOverride {
  readonly name: string;
  readonly environment?: Readonly<Record<string, string>>;
}

export interface RunTaskInput {
  readonly cluster: string;
  readonly taskDefinition: string;
  /** 1..10; default 1. */
  readonly count?: number;
  /** Idempotency token, 1..64 ASCII chars (see idempotency.ts). */
  readonly clientToken?: string;
  readonly startedBy?: string;
  readonly tags?: Tags;
  readonly launchType?: 'FARGATE' | 'EC2' | 'EXTERNAL';
  readonly capacityProviderStrategy?: readonly CapacityProviderItem[];
  readonly networkConfiguration?: NetworkConfiguration;
  readonly overrides?: { readonly containerOverrides: readonly ContainerOverride[] };
  readonly group?: string;
}

export interface RunTaskOutput {
  readonly tasks: readonly ObservedTask[];
  readonly failures: readonly TaskFailure[];
}

export interface StopTaskInput {
  readonly cluster: string;
  readonly task: string;
  readonly reason?: string;
}

export interface StopTaskOutput {
  /** The task after the stop request; undefined when the task has vanished (treated as success). */
  readonly task: ObservedTask | undefined;
}

export interface TagResourceInput {
  readonly resourceArn: string;
  readonly tags: Tags;
}

export interface EfsVolume {
  readonly name: string;
  readonly efs?: {
    readonly fileSystemId: string;
    readonly rootDirectory?: string;
    readonly transitEncryption?: boolean;
    readonly accessPointId?: string;
    /** IAM authorization (requires transitEncryption). */
    readonly iam?: boolean;
  };
}

export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  readonly essential?: boolean;
  readonly cpu?: number;
  readonly memory?: number;
  readonly command?: readonly string[];
  readonly environment?: Readonly<Record<string, string>>;
  readonly portMappings?: readonly { readonly containerPort: number; readonly protocol?: 'tcp' | 'udp' }[];
  readonly mountPoints?: readonly { readonly sourceVolume: string; readonly containerPath: string; readonly readOnly?: boolean }[];
  /** Where the container's stdout/stderr go (ECS `logConfiguration`), e.g. awslogs with its options. */
  readonly logConfiguration?: { readonly logDriver: 'awslogs'; readonly options: Readonly<Record<string, string>> };
}

export interface RegisterTaskDefinitionInput {
  readonly family: string;
  readonly containerDefinitions: readonly ContainerDefinition[];
  /** CPU units as ECS expects them, e.g. '256', '1024'. */
  readonly cpu?: string;
  /** MiB, e.g. '512'. */
  readonly memory?: string;
  readonly networkMode?: 'awsvpc' | 'bridge' | 'host' | 'none';
  readonly requiresCompatibilities?: readonly ('FARGATE' | 'EC2' | 'EXTERNAL')[];
  readonly executionRoleArn?: string;
  readonly taskRoleArn?: string;
  readonly volumes?: readonly EfsVolume[];
  readonly tags?: Tags;
}

export interface TaskDefinitionInfo {
  readonly arn: string;
  readonly family: string;
  readonly revision: number;
  /** 'ACTIVE' | 'INACTIVE' | 'DELETE_IN_PROGRESS', or undefined when ECS omitted it. */
  readonly status: string | undefined;
  readonly tags: Tags;
}

export interface ListTaskDefinitionsInput {
  /** Despite the name, the full family name: ECS lists that family's revisions only (API reference). */
  readonly familyPrefix?: string;
  readonly status?: 'ACTIVE' | 'INACTIVE';
  readonly sort?: 'ASC' | 'DESC';
  readonly maxResults?: number;
  readonly nextToken?: string;
}

export interface ListTaskDefinitionsOutput {
  readonly taskDefinitionArns: readonly string[];
  readonly nextToken: string | undefined;
}

export interface EcsApi {
  listTasks(input: ListTasksInput, opts?: CallOptions): Promise<ListTasksOutput>;
  /** Always includes TAGS. Unknown ARNs come back as failures (reason 'MISSING'), not errors. */
  describeTasks(input: DescribeTasksInput, opts?: CallOptions): Promise<DescribeTasksOutput>;
  runTask(input: RunTaskInput, opts?: CallOptions): Promise<RunTaskOutput>;
  /** Stopping a stopped task returns it; a vanished task resolves with `task: undefined`. */
  stopTask(input: StopTaskInput, opts?: CallOptions): Promise<StopTaskOutput>;
  tagResource(input: TagResourceInput, opts?: CallOptions): Promise<void>;
  registerTaskDefinition(input: RegisterTaskDefinitionInput, opts?: CallOptions): Promise<TaskDefinitionInfo>;
  /** Always includes TAGS. `taskDefinition` is a family, family:revision, or ARN. */
  describeTaskDefinition(input: { readonly taskDefinition: string }, opts?: CallOptions): Promise<TaskDefinitionInfo>;
  listTaskDefinitions(input: ListTaskDefinitionsInput, opts?: CallOptions): Promise<ListTaskDefinitionsOutput>;
}

export interface PosixUser {
  readonly uid: number;
  readonly gid: number;
  readonly secondaryGids?: readonly number[];
}

export interface CreateAccessPointInput {
  /** 1..64 chars; the same token returns the same access point (see idempotency.ts). */
  readonly clientToken: string;
  readonly fileSystemId: string;
  readonly posixUser?: PosixUser;
  readonly rootDirectory?: {
    readonly path: string;
    readonly creationInfo?: { readonly ownerUid: number; readonly ownerGid: number; readonly permissions: string };
  };
  readonly tags?: Tags;
}

export interface CreateAccessPointOutput {
  readonly id: string;
  /** The access point as created or found; undefined when only the id is known. */
  readonly accessPoint: ObservedAccessPoint | undefined;
  /** True when EFS said AccessPointAlreadyExists for this token and the existing id was surfaced. */
  readonly alreadyExisted: boolean;
}

export interface DescribeAccessPointsInput {
  readonly fileSystemId: string;
  readonly nextToken?: string;
  /** 1..100 (default 100). */
  readonly maxResults?: number;
}

export interface DescribeAccessPointsOutput {
  readonly accessPoints: readonly ObservedAccessPoint[];
  readonly nextToken: string | undefined;
}

export interface EfsApi {
  /**
   * Idempotent by `clientToken`: a replay returns the same access point. When EFS answers
   * AccessPointAlreadyExists, the existing id is returned with `alreadyExisted: true`.
   */
  createAccessPoint(input: CreateAccessPointInput, opts?: CallOptions): Promise<CreateAccessPointOutput>;
  describeAccessPoints(input: DescribeAccessPointsInput, opts?: CallOptions): Promise<DescribeAccessPointsOutput>;
  /** Deleting an access point that does not exist is success. */
  deleteAccessPoint(input: { readonly accessPointId: string }, opts?: CallOptions): Promise<void>;
}

export interface AwsApi {
  readonly ecs: EcsApi;
  readonly efs: EfsApi;
}
