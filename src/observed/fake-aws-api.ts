/**
 * An in-memory AwsApi for controller unit tests (karpenter-style fake implementing the same
 * narrow interface). Deterministic; time comes from the injected clock, so tasks can move
 * through PROVISIONING..RUNNING on a VirtualClock. Every call is counted in `calls`.
 *
 * Test hooks: `tasks.crash/vanish/all`, `tasks.omitTagsOnDescribe`, `taskDefinitions.deregister`,
 * `efsFake.all`, `calls.failNext(op, error)`.
 */
import { RealClock, type Clock } from '../common/clock.js';
import type { AwsApi, EcsApi, EfsApi } from './aws-api.js';
import { FakeCalls } from './fake-calls.js';
import { FakeEcsTasks, INSTANT_LIFECYCLE, type FakeLifecycle } from './fake-ecs.js';
import { FakeEfs } from './fake-efs.js';
import { FakeTaskDefinitions } from './fake-task-definitions.js';

export interface FakeAwsApiOptions {
  readonly clock?: Clock;
  /** Durations of each phase (ms); default: instant. */
  readonly lifecycle?: Partial<FakeLifecycle>;
  readonly region?: string;
  readonly accountId?: string;
  /** File systems that exist (access points can only be created on these). */
  readonly fileSystemIds?: readonly string[];
  readonly accessPointLimitPerFileSystem?: number;
}

export class FakeAwsApi implements AwsApi {
  readonly calls = new FakeCalls();
  readonly tasks: FakeEcsTasks;
  readonly taskDefinitions: FakeTaskDefinitions;
  readonly efsFake: FakeEfs;
  readonly ecs: EcsApi;
  readonly efs: EfsApi;

  constructor(opts: FakeAwsApiOptions = {}) {
    const clock = opts.clock ?? new RealClock();
    const region = opts.region ?? 'us-east-1';
    const account = opts.accountId ?? '123456789012';
    const ecsPrefix = `arn:aws:ecs:${region}:${account}`;
    this.taskDefinitions = new FakeTaskDefinitions(this.calls, ecsPrefix);
    this.tasks = new FakeEcsTasks(clock, { ...INSTANT_LIFECYCLE, ...opts.lifecycle }, this.calls, this.taskDefinitions, ecsPrefix);
    this.efsFake = new FakeEfs(
      this.calls,
      `arn:aws:elasticfilesystem:${region}:${account}`,
      opts.fileSystemIds ?? ['fs-00000000000000001'],
      opts.accessPointLimitPerFileSystem,
    );
    const tasks = this.tasks;
    const defs = this.taskDefinitions;
    this.ecs = {
      listTasks: (i, o) => tasks.listTasks(i, o),
      describeTasks: (i, o) => tasks.describeTasks(i, o),
      runTask: (i, o) => tasks.runTask(i, o),
      stopTask: (i, o) => tasks.stopTask(i, o),
      tagResource: (i, o) => tasks.tagResource(i, o),
      registerTaskDefinition: (i, o) => defs.register(i, o),
      describeTaskDefinition: (i, o) => defs.describe(i, o),
      listTaskDefinitions: (i, o) => defs.list(i, o),
    };
    this.efs = this.efsFake;
  }
}
