import { capacityProviderNameProblem } from '../observed/capacity-providers.js';
import { isFargateSize } from './fargate-sizes.js';
import type {
  DeregisterTaskDefinitionResponse,
  DescribeTaskDefinitionResponse,
  DescribeTasksResponse,
  Failure,
  ListTagsForResourceResponse,
  ListTaskDefinitionsResponse,
  ListTasksResponse,
  RegisterTaskDefinitionResponse,
  RunTaskResponse,
  StopTaskResponse,
  Tag,
} from '@aws-sdk/client-ecs';
import type { Clock } from '../common/clock.js';
import type { Rng } from '../common/rng.js';
import { clusterArn, clusterName, parseTaskRef, taskArn, type SimAccount } from './arns.js';
import { ecsError, throttled } from './errors.js';
import * as s from './ecs-schemas.js';
import type { FaultInjector } from './faults.js';
import type { TimingProfile } from './profiles.js';
import { requestStop, stateAt, type StopRequest, type TaskRecord } from './task-lifecycle.js';
import { TaskDefinitionRegistry } from './task-definitions.js';
import { taskView } from './task-view.js';
import { TaskStore } from './ecs-tasks.js';
import { launchKind } from './launch-kind.js';
import { newTask } from './task-factory.js';
import type { Throttler } from './throttle.js';
import { parseInput } from './validate.js';
import { RunTaskTokens } from './run-task-tokens.js';
import { lagFor, TagHistory, visibleTime, type ConsistencyLags } from './eventual-consistency.js';

export interface EcsSimDeps {
  clock: Clock;
  rng: Rng;
  account: SimAccount;
  profile: () => TimingProfile;
  faults: FaultInjector;
  throttler: Throttler;
  /** When set, only these clusters exist (others: ClusterNotFoundException); otherwise every name does. */
  clusters?: readonly string[];
  /** Called when a task is created or a stop request takes effect (task state change events). */
  onTaskChange?: (task: TaskRecord) => void;
}

export const CAPACITY_UNAVAILABLE = 'Capacity is unavailable at this time. Please try again later or in a different availability zone';

/**
 * ECS semantics: task definitions, RunTask/StopTask, DescribeTasks/ListTasks and tags.
 * Inputs are validated here (the HTTP adapter passes raw JSON through); errors are SimErrors.
 */
export class EcsSim {
  readonly taskDefinitions: TaskDefinitionRegistry;
  readonly tasks: TaskStore;
  private readonly tokens: RunTaskTokens;
  private ipCounter = 10;
  /** Tag writes per task, for reads that see tags late (eventual consistency). */
  private readonly tagHistory = new TagHistory();

  constructor(private readonly d: EcsSimDeps) {
    this.taskDefinitions = new TaskDefinitionRegistry(d.clock, d.account);
    this.tasks = new TaskStore(d.clock, () => d.profile().stoppedRetentionMs);
    this.tokens = new RunTaskTokens(d.clock, () => d.profile().clientTokenTtlMs);
  }

  private now(): number {
    return this.d.clock.now();
  }

  private lags(): ConsistencyLags {
    return this.d.faults.current().eventualConsistency;
  }

  /** The task as a read (DescribeTasks) sees it now: late stops and late tags included. */
  private readView(t: TaskRecord, now: number, withTags: boolean): ReturnType<typeof taskView> {
    const lags = this.lags();
    return taskView(t, visibleTime(t, now, lags), withTags, this.tagHistory.visible(t, now, lagFor(lags, 'tagsMs', t.id)));
  }

  private cluster(input: string | undefined): string {
    const name = clusterName(input);
    if (this.d.clusters && !this.d.clusters.includes(name)) throw ecsError.clusterNotFound(name);
    return name;
  }

  registerTaskDefinition(input: unknown): RegisterTaskDefinitionResponse {
    const req = parseInput('ecs', 'RegisterTaskDefinition', s.registerTaskDefinitionInput, input);
    if (req.requiresCompatibilities?.includes('FARGATE')) {
      for (const field of ['cpu', 'memory'] as const) if (req[field] === undefined) throw ecsError.client(`Fargate requires that '${field}' be defined at the task level.`);
      if (!isFargateSize(req.cpu, req.memory)) throw ecsError.client(`No Fargate configuration exists for given values: ${req.cpu} CPU, ${req.memory} memory.`);
    }
    return this.taskDefinitions.register(req);
  }

  describeTaskDefinition(input: unknown): DescribeTaskDefinitionResponse {
    const req = parseInput('ecs', 'DescribeTaskDefinition', s.describeTaskDefinitionInput, input);
    const { taskDefinition, tags } = this.taskDefinitions.resolve(req.taskDefinition);
    return req.include?.includes('TAGS') ? { taskDefinition, tags } : { taskDefinition };
  }

  deregisterTaskDefinition(input: unknown): DeregisterTaskDefinitionResponse {
    const req = parseInput('ecs', 'DeregisterTaskDefinition', s.deregisterTaskDefinitionInput, input);
    return { taskDefinition: this.taskDefinitions.deregister(req.taskDefinition) };
  }

  listTaskDefinitions(input: unknown): ListTaskDefinitionsResponse {
    const req = parseInput('ecs', 'ListTaskDefinitions', s.listTaskDefinitionsInput, input);
    const max = req.maxResults ?? 100;
    if (max < 1 || max > 100) throw ecsError.invalidParameter(`maxResults must be between 1 and 100 (got ${max}).`);
    const arns = this.taskDefinitions.list({ family: req.familyPrefix, status: req.status, sort: req.sort });
    const offset = req.nextToken === undefined ? 0 : decodeToken(req.nextToken);
    const page = arns.slice(offset, offset + max);
    const end = offset + page.length;
    return { taskDefinitionArns: page, ...(end < arns.length ? { nextToken: encodeToken(end) } : {}) };
  }

  runTask(input: unknown): RunTaskResponse {
    const req = parseInput('ecs', 'RunTask', s.runTaskInput, input);
    const count = req.count ?? 1;
    if (count < 1 || count > 10) throw ecsError.invalidParameter(`count must be between 1 and 10 (got ${count}).`);
    if (req.launchType && req.capacityProviderStrategy?.length) {
      throw ecsError.invalidParameter('Specifying both a launch type and capacity provider strategy is not supported.');
    }
    // A name no capacity provider can have (a mis-spelt FARGATE, a reserved prefix) is associated
    // with no cluster; other names stand for the cluster's Auto Scaling group providers.
    for (const c of req.capacityProviderStrategy ?? []) {
      if (capacityProviderNameProblem(c.capacityProvider)) {
        throw ecsError.invalidParameter('The specified capacity provider strategy cannot contain a capacity provider that is not associated with the cluster. Associate the capacity provider with the cluster or specify a valid capacity provider and try again.');
      }
    }
    const cluster = this.cluster(req.cluster);
    const { taskDefinition: def } = this.taskDefinitions.resolve(req.taskDefinition);
    const subnets = req.networkConfiguration?.awsvpcConfiguration?.subnets;
    if (def.networkMode === 'awsvpc' && !subnets) {
      throw ecsError.invalidParameter("Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    }
    if (req.tags?.some((t) => t.key.toLowerCase().startsWith('aws:'))) throw ecsError.invalidParameter('Tag keys starting with aws: are reserved.');

    const now = this.now();
    if (req.clientToken) {
      const prior = this.tokens.lookup(cluster, req.clientToken, req);
      if (prior) {
        const tasks = prior.taskIds.flatMap((id) => {
          const t = this.tasks.get(id);
          return t ? [taskView(t, now, true)] : [];
        });
        return { tasks, failures: prior.failures };
      }
    }
    // ECS: "You can't use an INACTIVE task definition to run new tasks" (DeregisterTaskDefinition
    // API reference; the up-to-10-minute window in which it may still work is not modelled).
    if (def.status === 'INACTIVE') throw ecsError.client(`TaskDefinition is inactive: '${def.taskDefinitionArn}'.`);

    const failures: Failure[] = [];
    let launch = 0;
    for (let i = 0; i < count; i++) {
      if (this.d.faults.capacityFailure()) failures.push({ arn: clusterArn(this.d.account, cluster), reason: CAPACITY_UNAVAILABLE });
      else launch++;
    }
    const kind = launchKind(req);
    // Only tasks launched on Fargate draw the Fargate task-launch bucket (throttle.ts).
    if (kind === 'FARGATE' && launch > 0 && !this.d.throttler.admitLaunches(launch)) throw throttled('ecs', 'Rate exceeded: task launch rate limit reached');

    const spot = req.capacityProviderStrategy?.some((c) => c.capacityProvider === 'FARGATE_SPOT') ?? false;
    const created: TaskRecord[] = [];
    for (let i = 0; i < launch; i++) {
      const task = newTask({ ...this.d, profile: this.d.profile(), ip: this.ipCounter++ }, cluster, def, req, { kind, spot }, subnets?.[0]);
      this.tasks.add(task);
      this.tagHistory.record(task, now, this.lags().tagsMs);
      created.push(task);
    }
    for (const t of created) this.d.onTaskChange?.(t);
    if (req.clientToken && created.length > 0) {
      this.tokens.remember(cluster, req.clientToken, req, created.map((t) => t.id), created.map((t) => t.arn), failures);
    }
    return { tasks: created.map((t) => taskView(t, now, true)), failures };
  }

  /** Finds a live task by ID or ARN within `cluster` (the ARN's cluster must match). */
  private findTask(ref: string, clusterInput: string | undefined): TaskRecord | undefined {
    const parsed = parseTaskRef(ref);
    const cluster = this.cluster(clusterInput ?? parsed.cluster);
    if (parsed.cluster && parsed.cluster !== cluster) return undefined;
    const t = this.tasks.get(parsed.id);
    return t && t.cluster === cluster ? t : undefined;
  }

  stopTask(input: unknown): StopTaskResponse {
    const req = parseInput('ecs', 'StopTask', s.stopTaskInput, input);
    const task = this.findTask(req.task, req.cluster);
    if (!task) throw ecsError.invalidParameter('The referenced task was not found.');
    const now = this.now();
    if (requestStop(task, { at: now, code: 'UserInitiated', reason: req.reason ?? 'Task stopped by user', exitCode: 0 })) this.d.onTaskChange?.(task);
    return { task: taskView(task, now, true) };
  }

  describeTasks(input: unknown): DescribeTasksResponse {
    const req = parseInput('ecs', 'DescribeTasks', s.describeTasksInput, input);
    if (req.tasks.length === 0) throw ecsError.invalidParameter('Tasks cannot be empty.');
    if (req.tasks.length > 100) throw ecsError.invalidParameter(`Too many tasks were provided (${req.tasks.length}). The maximum is 100.`);
    const cluster = this.cluster(req.cluster);
    const now = this.now();
    const withTags = req.include?.includes('TAGS') ?? false;
    const tasks = [];
    const failures: Failure[] = [];
    for (const ref of req.tasks) {
      const t = this.findTask(ref, req.cluster ?? cluster);
      const visible = t && now - t.createdAt >= lagFor(this.lags(), 'describeMissingMs', t.id);
      if (t && visible) tasks.push(this.readView(t, now, withTags));
      else failures.push({ arn: ref.startsWith('arn:') ? ref : taskArn(this.d.account, cluster, ref), reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  listTasks(input: unknown): ListTasksResponse {
    const req = parseInput('ecs', 'ListTasks', s.listTasksInput, input);
    const max = req.maxResults ?? 100;
    if (max < 1 || max > 100) throw ecsError.invalidParameter(`maxResults must be between 1 and 100 (got ${max}).`);
    const cluster = this.cluster(req.cluster);
    const after = req.nextToken === undefined ? 0 : decodeToken(req.nextToken);
    const now = this.now();
    const want = req.desiredStatus ?? 'RUNNING';
    const family = req.family;
    const lags = this.lags();
    const matching = this.tasks.list().filter((t) => {
      if (t.cluster !== cluster || t.seq <= after) return false;
      if (now - t.createdAt < lagFor(lags, 'listMs', t.id)) return false;
      if (req.startedBy !== undefined && t.startedBy !== req.startedBy) return false;
      if (family !== undefined && t.family !== family) return false;
      if (req.launchType !== undefined && t.launchType !== req.launchType) return false;
      const desired = stateAt(t, visibleTime(t, now, lags)).desiredStatus;
      return want === 'PENDING' ? false : desired === want;
    });
    const page = matching.slice(0, max);
    const more = matching.length > max;
    return { taskArns: page.map((t) => t.arn), ...(more ? { nextToken: encodeToken(page.at(-1)!.seq) } : {}) };
  }

  private tagsFor(resourceArn: string): Tag[] {
    if (/^arn:aws:ecs:[^:]+:\d{12}:task\//.test(resourceArn)) {
      const t = this.findTask(resourceArn, undefined);
      if (!t) throw ecsError.resourceNotFound(resourceArn);
      return t.tags;
    }
    if (/^arn:aws:ecs:[^:]+:\d{12}:task-definition\//.test(resourceArn)) {
      const tags = this.taskDefinitions.tagsOf(resourceArn);
      if (!tags) throw ecsError.resourceNotFound(resourceArn);
      return tags;
    }
    throw ecsError.invalidParameter(`Invalid resource ARN: '${resourceArn}'.`);
  }

  tagResource(input: unknown): Record<string, never> {
    const req = parseInput('ecs', 'TagResource', s.tagResourceInput, input);
    if (req.tags.some((t) => t.key.toLowerCase().startsWith('aws:'))) throw ecsError.invalidParameter('Tag keys starting with aws: are reserved.');
    const tags = this.tagsFor(req.resourceArn);
    const before = tags.map((t) => ({ ...t }));
    const added = new Set(req.tags.map((t) => t.key).filter((k) => !tags.some((x) => x.key === k)));
    // All or nothing, as in ECS: a write that would exceed the limit changes no tag.
    if (tags.length + added.size > 50) throw ecsError.invalidParameter('A resource can have at most 50 tags.');
    for (const t of req.tags) {
      const existing = tags.find((x) => x.key === t.key);
      if (existing) existing.value = t.value;
      else tags.push({ key: t.key, value: t.value });
    }
    this.recordTagWrite(req.resourceArn, before);
    return {};
  }

  /** Notes a tag write on a task (task definitions' tags are always current). */
  private recordTagWrite(resourceArn: string, before: readonly Tag[]): void {
    const t = /:task\//.test(resourceArn) ? this.findTask(resourceArn, undefined) : undefined;
    if (t) this.tagHistory.record(t, this.now(), this.lags().tagsMs, before);
  }

  untagResource(input: unknown): Record<string, never> {
    const req = parseInput('ecs', 'UntagResource', s.untagResourceInput, input);
    const tags = this.tagsFor(req.resourceArn);
    const before = tags.map((t) => ({ ...t }));
    const keep = tags.filter((t) => !req.tagKeys.includes(t.key!));
    tags.splice(0, tags.length, ...keep);
    this.recordTagWrite(req.resourceArn, before);
    return {};
  }

  listTagsForResource(input: unknown): ListTagsForResourceResponse {
    const req = parseInput('ecs', 'ListTagsForResource', s.listTagsForResourceInput, input);
    const tags = this.tagsFor(req.resourceArn);
    const task = /:task\//.test(req.resourceArn) ? this.findTask(req.resourceArn, undefined) : undefined;
    const visible = task ? this.tagHistory.visible(task, this.now(), lagFor(this.lags(), 'tagsMs', task.id)) : tags;
    return { tags: visible.map((t) => ({ ...t })) };
  }

  /** Control: stops a task now with the given code (a crash, a spot interruption, ...). Throws when unknown. */
  forceStop(ref: string, stop: Omit<StopRequest, 'at'>): TaskRecord {
    const parsed = parseTaskRef(ref);
    const task = this.tasks.get(parsed.id);
    if (!task) throw ecsError.invalidParameter(`The referenced task was not found: ${ref}`);
    if (requestStop(task, { ...stop, at: this.now() })) this.d.onTaskChange?.(task);
    return task;
  }

  /** Control: drops a task at once, as if its stopped-task retention had passed (DescribeTasks then answers MISSING). */
  /**
   * What the simulated ECS retains: `tasks` (live + STOPPED within the retention, about an hour
   * in the Fargate profile; purged at the next read), `runTaskTokens` (clientTokens of the last
   * clientTokenTtlMs, 24 h), `taskDefinitionRevisions` (never forgotten, as in ECS), `tagHistory`
   * (tasks with recorded tag writes while a tag lag is set; at most 50 000).
   */
  sizes(): Record<string, number> {
    return { tasks: this.tasks.size(), runTaskTokens: this.tokens.size(), taskDefinitionRevisions: this.taskDefinitions.revisions(), tagHistory: this.tagHistory.size() };
  }

  forget(ref: string): void {
    this.tasks.delete(parseTaskRef(ref).id);
    this.tagHistory.forget(parseTaskRef(ref).id);
  }

  reset(): void {
    this.tasks.clear();
    this.tagHistory.clear();
    this.taskDefinitions.clear();
    this.tokens.clear();
    this.ipCounter = 10;
  }
}

function encodeToken(seq: number): string {
  return Buffer.from(JSON.stringify({ after: seq })).toString('base64url');
}

function decodeToken(token: string): number {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'number' && Number.isInteger(v.after) && v.after >= 0) return v.after;
  } catch {
    // fall through to the error below
  }
  throw ecsError.invalidParameter('Invalid nextToken.');
}
