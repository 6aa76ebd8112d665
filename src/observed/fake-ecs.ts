/**
 * In-memory ECS for controller unit tests: the EcsApi contract, plus hooks to break things
 * behind the controller's back (crash, vanish, lagging tags).
 *
 * Lifecycle is computed lazily from the injected clock (no timers): a task is PROVISIONING
 * for `provisioningMs`, PENDING for `pendingMs`, ACTIVATING for `activatingMs`, then RUNNING;
 * after a stop it is DEACTIVATING/STOPPING for `stoppingMs`, then STOPPED, and vanishes
 * `stoppedRetentionMs` after stopping (real ECS keeps stopped tasks visible about an hour).
 * With all durations 0 (the default) launches are RUNNING and stops STOPPED at once.
 */
import type { Clock } from '../common/clock.js';
import type { ObservedTask, TaskStatus } from './model.js';
import {
  ECS_PAGE_MAX,
  RUN_TASK_MAX_COUNT,
  type CallOptions,
  type DescribeTasksInput,
  type DescribeTasksOutput,
  type ListTasksInput,
  type ListTasksOutput,
  type RunTaskInput,
  type RunTaskOutput,
  type StopTaskInput,
  type StopTaskOutput,
  type TagResourceInput,
  type TaskFailure,
} from './aws-api.js';
import { awsError } from './fake-error.js';
import { stableJson } from './idempotency.js';
import type { FakeCalls } from './fake-calls.js';
import type { FakeTaskDefinitions } from './fake-task-definitions.js';

export interface FakeLifecycle {
  readonly provisioningMs: number;
  readonly pendingMs: number;
  readonly activatingMs: number;
  readonly stoppingMs: number;
  readonly stoppedRetentionMs: number;
}

export const INSTANT_LIFECYCLE: FakeLifecycle = {
  provisioningMs: 0,
  pendingMs: 0,
  activatingMs: 0,
  stoppingMs: 0,
  stoppedRetentionMs: 3_600_000,
};

interface TaskRecord {
  readonly arn: string;
  readonly id: string;
  readonly cluster: string;
  readonly seq: number;
  readonly taskDefinitionArn: string;
  readonly startedBy: string | undefined;
  readonly group: string | undefined;
  readonly createdAt: number;
  readonly privateIp: string;
  tags: Record<string, string>;
  stopRequestedAt: number | undefined;
  stopCode: string | undefined;
  stoppedReason: string | undefined;
}

function clusterName(cluster: string): string {
  const i = cluster.lastIndexOf('cluster/');
  return i >= 0 ? cluster.slice(i + 'cluster/'.length) : cluster;
}

export class FakeEcsTasks {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly byId = new Map<string, string>();
  private readonly tokens = new Map<string, { fingerprint: string; arns: string[] }>();
  private seq = 0;
  /** When true, DescribeTasks returns tasks without tags (a lagging describe). */
  omitTagsOnDescribe = false;

  constructor(
    private readonly clock: Clock,
    private readonly lifecycle: FakeLifecycle,
    private readonly calls: FakeCalls,
    private readonly taskDefinitions: FakeTaskDefinitions,
    private readonly arnPrefix: string,
  ) {}

  private view(t: TaskRecord, withTags = true): ObservedTask {
    const now = this.clock.now();
    const L = this.lifecycle;
    let lastStatus: TaskStatus;
    let startedAt: number | undefined;
    let stoppedAt: number | undefined;
    const runningAt = t.createdAt + L.provisioningMs + L.pendingMs + L.activatingMs;
    if (t.stopRequestedAt !== undefined) {
      const done = t.stopRequestedAt + L.stoppingMs;
      lastStatus = now >= done ? 'STOPPED' : now < t.stopRequestedAt + L.stoppingMs / 2 ? 'DEACTIVATING' : 'STOPPING';
      if (lastStatus === 'STOPPED') stoppedAt = done;
      if (t.stopRequestedAt >= runningAt) startedAt = runningAt;
    } else if (now < t.createdAt + L.provisioningMs) lastStatus = 'PROVISIONING';
    else if (now < t.createdAt + L.provisioningMs + L.pendingMs) lastStatus = 'PENDING';
    else if (now < runningAt) lastStatus = 'ACTIVATING';
    else {
      lastStatus = 'RUNNING';
      startedAt = runningAt;
    }
    return {
      arn: t.arn,
      taskDefinitionArn: t.taskDefinitionArn,
      lastStatus,
      desiredStatus: t.stopRequestedAt !== undefined ? 'STOPPED' : 'RUNNING',
      startedBy: t.startedBy,
      group: t.group,
      createdAt: t.createdAt,
      startedAt,
      stoppingAt: t.stopRequestedAt,
      stoppedAt,
      stopCode: t.stopCode,
      stoppedReason: t.stoppedReason,
      privateIp: lastStatus === 'PROVISIONING' ? undefined : t.privateIp,
      tags: withTags ? { ...t.tags } : {},
    };
  }

  /** Drops tasks stopped longer than the retention period. */
  private expire(): void {
    const now = this.clock.now();
    const L = this.lifecycle;
    for (const t of this.tasks.values()) {
      if (t.stopRequestedAt !== undefined && now >= t.stopRequestedAt + L.stoppingMs + L.stoppedRetentionMs) {
        this.tasks.delete(t.arn);
        this.byId.delete(t.id);
      }
    }
  }

  private find(ref: string): TaskRecord | undefined {
    this.expire();
    return this.tasks.get(ref) ?? this.tasks.get(this.byId.get(ref) ?? '');
  }

  async listTasks(input: ListTasksInput, opts?: CallOptions): Promise<ListTasksOutput> {
    this.calls.enter('ecs.listTasks', opts);
    const max = input.maxResults ?? ECS_PAGE_MAX;
    if (!Number.isInteger(max) || max < 1 || max > ECS_PAGE_MAX) {
      throw awsError('InvalidParameterException', `maxResults must be 1..${ECS_PAGE_MAX}, got ${max}`);
    }
    this.expire();
    const cluster = clusterName(input.cluster);
    const wantStopped = input.desiredStatus === 'STOPPED';
    const matching = [...this.tasks.values()]
      .filter((t) => t.cluster === cluster)
      .filter((t) => input.startedBy === undefined || t.startedBy === input.startedBy)
      .filter((t) => (t.stopRequestedAt !== undefined) === wantStopped)
      .sort((a, b) => a.seq - b.seq);
    const after = input.nextToken === undefined ? -1 : Number(Buffer.from(input.nextToken, 'base64url').toString());
    if (!Number.isFinite(after)) throw awsError('InvalidParameterException', 'invalid nextToken');
    const page = matching.filter((t) => t.seq > after).slice(0, max);
    const last = page[page.length - 1];
    const more = last !== undefined && matching.some((t) => t.seq > last.seq);
    return {
      taskArns: page.map((t) => t.arn),
      nextToken: more ? Buffer.from(String(last.seq)).toString('base64url') : undefined,
    };
  }

  async describeTasks(input: DescribeTasksInput, opts?: CallOptions): Promise<DescribeTasksOutput> {
    this.calls.enter('ecs.describeTasks', opts);
    if (input.tasks.length < 1 || input.tasks.length > ECS_PAGE_MAX) {
      throw awsError('InvalidParameterException', `tasks must hold 1..${ECS_PAGE_MAX} entries, got ${input.tasks.length}`);
    }
    const cluster = clusterName(input.cluster);
    const tasks: ObservedTask[] = [];
    const failures: TaskFailure[] = [];
    for (const ref of new Set(input.tasks)) {
      const t = this.find(ref);
      if (t && t.cluster === cluster) tasks.push(this.view(t, !this.omitTagsOnDescribe));
      else failures.push({ arn: ref, reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  async runTask(input: RunTaskInput, opts?: CallOptions): Promise<RunTaskOutput> {
    this.calls.enter('ecs.runTask', opts);
    const count = input.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > RUN_TASK_MAX_COUNT) {
      throw awsError('InvalidParameterException', `count must be 1..${RUN_TASK_MAX_COUNT}, got ${count}`);
    }
    if (input.clientToken !== undefined && !/^[\x20-\x7e]{1,64}$/.test(input.clientToken)) {
      throw awsError('InvalidParameterException', 'clientToken must be 1..64 ASCII characters');
    }
    const cluster = clusterName(input.cluster);
    const tokenKey = input.clientToken === undefined ? undefined : `${cluster}|${input.clientToken}`;
    const fingerprint = stableJson({ ...input, clientToken: undefined });
    const prior = tokenKey === undefined ? undefined : this.tokens.get(tokenKey);
    if (prior) {
      if (prior.fingerprint !== fingerprint) {
        throw awsError('ConflictException', `clientToken ${input.clientToken} is already in use with a different RunTask request`, {
          fields: { resourceIds: [...prior.arns] },
        });
      }
      const tasks = prior.arns.map((a) => this.tasks.get(a)).filter((t): t is TaskRecord => t !== undefined);
      return { tasks: tasks.map((t) => this.view(t)), failures: [] };
    }
    const def = this.taskDefinitions.resolveActive(input.taskDefinition);
    if (!def) throw awsError('ClientException', `Unable to find task definition '${input.taskDefinition}'`);
    const created: TaskRecord[] = [];
    for (let i = 0; i < count; i++) {
      const seq = ++this.seq;
      const id = seq.toString(16).padStart(32, '0');
      const arn = `${this.arnPrefix}:task/${cluster}/${id}`;
      const t: TaskRecord = {
        arn,
        id,
        cluster,
        seq,
        taskDefinitionArn: def,
        startedBy: input.startedBy,
        group: input.group,
        createdAt: this.clock.now(),
        privateIp: `10.${(seq >> 16) & 255}.${(seq >> 8) & 255}.${seq & 255}`,
        tags: { ...(input.tags ?? {}) },
        stopRequestedAt: undefined,
        stopCode: undefined,
        stoppedReason: undefined,
      };
      this.tasks.set(arn, t);
      this.byId.set(id, arn);
      created.push(t);
    }
    if (tokenKey !== undefined) this.tokens.set(tokenKey, { fingerprint, arns: created.map((t) => t.arn) });
    return { tasks: created.map((t) => this.view(t)), failures: [] };
  }

  async stopTask(input: StopTaskInput, opts?: CallOptions): Promise<StopTaskOutput> {
    this.calls.enter('ecs.stopTask', opts);
    const t = this.find(input.task);
    if (!t || t.cluster !== clusterName(input.cluster)) return { task: undefined };
    if (t.stopRequestedAt === undefined) this.markStopped(t, 'UserInitiated', input.reason ?? 'Task stopped by user');
    return { task: this.view(t) };
  }

  async tagResource(input: TagResourceInput, opts?: CallOptions): Promise<void> {
    this.calls.enter('ecs.tagResource', opts);
    const t = this.find(input.resourceArn);
    if (t) {
      t.tags = { ...t.tags, ...input.tags };
      return;
    }
    if (this.taskDefinitions.tag(input.resourceArn, input.tags)) return;
    throw awsError('ResourceNotFoundException', `The specified resource was not found: ${input.resourceArn}`);
  }

  private markStopped(t: TaskRecord, stopCode: string, reason: string): void {
    t.stopRequestedAt = this.clock.now();
    t.stopCode = stopCode;
    t.stoppedReason = reason;
  }

  // ---- test hooks (not part of EcsApi) ----

  /** Stops a task behind the controller's back, like an essential container exiting. */
  crash(arn: string, stopCode = 'EssentialContainerExited', reason = 'Essential container in task exited'): void {
    const t = this.find(arn);
    if (!t) throw new Error(`FakeEcs.crash: no task ${arn}`);
    if (t.stopRequestedAt === undefined) this.markStopped(t, stopCode, reason);
  }

  /** Removes a task entirely (as after the stopped-task retention). */
  vanish(arn: string): void {
    const t = this.find(arn);
    if (t) {
      this.tasks.delete(t.arn);
      this.byId.delete(t.id);
    }
  }

  /** Current view of every task (no call counted). */
  all(): ObservedTask[] {
    this.expire();
    return [...this.tasks.values()].sort((a, b) => a.seq - b.seq).map((t) => this.view(t));
  }
}
