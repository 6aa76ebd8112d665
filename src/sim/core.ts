import type { TaskStopCode } from '@aws-sdk/client-ecs';
import { RealClock, type Clock } from '../common/clock.js';
import { SeededRng, type Rng } from '../common/rng.js';
import { DEFAULT_ACCOUNT, type SimAccount } from './arns.js';
import { EcsSim } from './ecs-core.js';
import { EfsSim } from './efs-core.js';
import { isSimError, serviceFault, throttled, type SimService } from './errors.js';
import { FaultInjector, type FaultConfig, type FaultConfigInput, type OutageWindow } from './faults.js';
import type { SimInput, SimOutput } from './op-types.js';
import { serviceOf, type SimOperation } from './ops.js';
import { FARGATE_PROFILE, profileByName, type TimingProfile } from './profiles.js';
import { stateAt } from './task-lifecycle.js';
import { taskContent, type SimTaskContent } from './task-content.js';
import { SimStats, type StatsSnapshot } from './stats.js';
import { DEFAULT_LIMITS, Throttler, type ThrottleLimits } from './throttle.js';
import { launchKind } from './launch-kind.js';
import { SqsSim } from './sqs/sqs-core.js';
import { TaskEventEmitter, type TaskEventCounts } from './sqs/task-event-emitter.js';

/** Name of the queue the simulator delivers ECS task state change events to. */
export const TASK_EVENTS_QUEUE = 'esr-task-events';
/** Origin of queue URLs handed out in-process (HTTP answers use the server's own origin). */
export const IN_PROCESS_SQS_ORIGIN = 'http://sqs.sim.local';

export interface SimCoreOptions {
  /** Defaults to the wall clock. Pass a VirtualClock for deterministic simulation. */
  clock?: Clock;
  /** Defaults to a SeededRng built from `seed`. */
  rng?: Rng;
  /** Seed for the default RNG (default 1). */
  seed?: number;
  /** A profile or its name (`fargate`, `fast`); default `fargate`. */
  profile?: TimingProfile | string;
  /** Throttle limits; fields given here override the defaults. `false` disables throttling. */
  limits?: Partial<ThrottleLimits> | false;
  faults?: FaultConfigInput;
  account?: SimAccount;
  /** When set, only these ECS clusters exist. */
  clusters?: readonly string[];
  /** When set, only these EFS file systems exist. */
  fileSystems?: readonly string[];
  /** EFS ClientToken replay behaviour (see EfsSimDeps.replay). */
  efsReplay?: 'error' | 'return';
  accessPointLimit?: number;
  /**
   * Emit ECS task state change events (EventBridge -> SQS) into the queue TASK_EVENTS_QUEUE,
   * created at start. Default false: no queue, no event bookkeeping.
   */
  taskEvents?: boolean;
}

export interface CallOptions {
  /** Aborting it ends a delayed or hung call with the signal's reason. */
  signal?: AbortSignal;
  /** Base URL the request came to (queue URLs are built from it); default IN_PROCESS_SQS_ORIGIN. */
  origin?: string;
}

export interface SimTaskSummary {
  taskArn: string;
  cluster: string;
  family: string;
  lastStatus: string;
  desiredStatus: string;
  startedBy?: string;
  stopCode?: string;
  stoppedReason?: string;
  privateIp: string;
  tags: Record<string, string>;
  /** What the task runs (image, effective env, access point, placement). */
  content: SimTaskContent;
}

export interface SimStateDump {
  now: number;
  profile: string;
  tasks: SimTaskSummary[];
  taskDefinitions: Array<{ arn: string; status: string }>;
  accessPoints: Array<{ id: string; fileSystemId: string; clientToken: string; tags: Record<string, string> }>;
  faults: FaultConfig;
  outages: OutageWindow[];
  stats: StatsSnapshot;
  /** Present when the simulator emits task state change events. */
  taskEvents?: TaskEventCounts & { pending: number; queued: { visible: number; inFlight: number; delayed: number } };
}

/**
 * The ECS+EFS simulator core: one typed entry point per operation (`call`), plus control
 * (faults, crashes, outages, reset) and stats. Every call goes through the same pipeline:
 * count it, scripted failure (faults.failNext), outage window, per-action throttle bucket, injected 5xx, injected hang, added
 * latency, then the operation itself. Errors are SimErrors; transports (HTTP, in-process)
 * only translate them.
 */
export class SimCore {
  readonly clock: Clock;
  readonly rng: Rng;
  readonly faults: FaultInjector;
  readonly throttler: Throttler;
  readonly stats = new SimStats();
  readonly ecs: EcsSim;
  readonly efs: EfsSim;
  readonly sqs: SqsSim;
  /** The event source when `taskEvents` is on. */
  readonly taskEvents: TaskEventEmitter | undefined;
  private profileValue: TimingProfile;

  constructor(opts: SimCoreOptions = {}) {
    this.clock = opts.clock ?? new RealClock();
    this.rng = opts.rng ?? new SeededRng(opts.seed ?? 1);
    this.profileValue = typeof opts.profile === 'string' ? profileByName(opts.profile) : (opts.profile ?? FARGATE_PROFILE);
    const limits: ThrottleLimits =
      opts.limits === false ? { ...DEFAULT_LIMITS, enabled: false } : { ...DEFAULT_LIMITS, ...opts.limits, actions: { ...DEFAULT_LIMITS.actions, ...opts.limits?.actions } };
    this.throttler = new Throttler(this.clock, limits);
    this.faults = new FaultInjector(this.clock, this.rng, opts.faults);
    const account = opts.account ?? DEFAULT_ACCOUNT;
    this.ecs = new EcsSim({
      clock: this.clock,
      rng: this.rng,
      account,
      profile: () => this.profileValue,
      faults: this.faults,
      throttler: this.throttler,
      clusters: opts.clusters,
      onTaskChange: (t) => this.taskEvents?.taskChanged(t),
    });
    this.efs = new EfsSim({ rng: this.rng, account, fileSystems: opts.fileSystems, replay: opts.efsReplay, accessPointLimit: opts.accessPointLimit });
    // SQS and the event delivery draw from their own generator: turning events on or off
    // leaves every task timing and fault draw of a seed unchanged.
    const eventsRng = new SeededRng(((opts.seed ?? 1) ^ 0x5eed5) >>> 0);
    this.sqs = new SqsSim({ clock: this.clock, rng: eventsRng, account });
    this.taskEvents = opts.taskEvents
      ? new TaskEventEmitter({ clock: this.clock, rng: eventsRng, account, faults: () => this.faults.current().taskEvents, deliver: (body) => this.sqs.ensureQueue(TASK_EVENTS_QUEUE).send(body) })
      : undefined;
    if (this.taskEvents) this.sqs.ensureQueue(TASK_EVENTS_QUEUE);
  }

  /** URL of the task-event queue at `origin` (the HTTP server's URL, or the in-process default); undefined when events are off. */
  taskEventsQueueUrl(origin = IN_PROCESS_SQS_ORIGIN): string | undefined {
    return this.taskEvents ? this.sqs.urlOf(TASK_EVENTS_QUEUE, origin) : undefined;
  }

  get profile(): TimingProfile {
    return this.profileValue;
  }

  /** What the simulator retains (see EcsSim.sizes, EfsSim.sizes; task events and their queue when on), by `service.name`. */
  sizes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(this.ecs.sizes())) out[`ecs.${k}`] = v;
    for (const [k, v] of Object.entries(this.efs.sizes())) out[`efs.${k}`] = v;
    if (this.taskEvents) {
      for (const [k, v] of Object.entries(this.taskEvents.sizes())) out[`events.${k}`] = v;
      const q = this.sqs.ensureQueue(TASK_EVENTS_QUEUE).counts();
      out['sqs.messages'] = q.visible + q.inFlight + q.delayed;
    }
    return out;
  }

  /** Switches the timing profile for tasks started from now on (and for retention/token TTL at once). */
  setProfile(p: TimingProfile | string): void {
    this.profileValue = typeof p === 'string' ? profileByName(p) : p;
  }

  /** Serves one API call. Rejects with a SimError (or the abort reason when `signal` aborts). */
  async call<K extends SimOperation>(op: K, input: SimInput<K>, opts: CallOptions = {}): Promise<SimOutput<K>> {
    this.stats.received(op);
    try {
      const out = await this.pipeline(op, input, opts);
      this.stats.finished(op, 'ok');
      return out as SimOutput<K>;
    } catch (err) {
      if (opts.signal?.aborted && !isSimError(err)) this.stats.finished(op, 'hung');
      else if (isSimError(err)) this.stats.finished(op, err.isThrottling ? 'throttled' : 'error', err.code);
      else this.stats.finished(op, 'error', 'InternalError');
      throw err;
    }
  }

  private async pipeline(op: SimOperation, input: unknown, opts: CallOptions): Promise<unknown> {
    const signal = opts.signal;
    const scripted = this.faults.takeScripted(op);
    if (scripted) throw scripted.error;
    const service = serviceOf(op);
    const outage = this.faults.outageNow(service);
    if (outage?.mode === 'hang') return hang(signal);
    if (outage) throw serviceFault(service, `${service.toUpperCase()} is unavailable (simulated outage until ${new Date(outage.toMs).toISOString()})`);
    // SQS standard queues have no practical API rate limit; only ECS/EFS calls are throttled.
    if (service !== 'sqs' && !this.throttler.admitCall(op, op === 'RunTask' ? launchKind(input) : undefined)) throw throttled(service);
    if (this.faults.shouldFail(op)) throw serviceFault(service, `Injected fault: ${op} failed`);
    if (this.faults.shouldHang(op)) return hang(signal);
    const latency = this.faults.latencyFor(op);
    if (latency > 0) await this.clock.sleep(latency, signal);
    return this.dispatch(op, input, signal, opts.origin ?? IN_PROCESS_SQS_ORIGIN);
  }

  private dispatch(op: SimOperation, input: unknown, signal: AbortSignal | undefined, origin: string): unknown {
    switch (op) {
      case 'RegisterTaskDefinition':
        return this.ecs.registerTaskDefinition(input);
      case 'DescribeTaskDefinition':
        return this.ecs.describeTaskDefinition(input);
      case 'DeregisterTaskDefinition':
        return this.ecs.deregisterTaskDefinition(input);
      case 'ListTaskDefinitions':
        return this.ecs.listTaskDefinitions(input);
      case 'RunTask':
        return this.ecs.runTask(input);
      case 'StopTask':
        return this.ecs.stopTask(input);
      case 'DescribeTasks':
        return this.ecs.describeTasks(input);
      case 'ListTasks':
        return this.ecs.listTasks(input);
      case 'TagResource':
        return this.ecs.tagResource(input);
      case 'UntagResource':
        return this.ecs.untagResource(input);
      case 'ListTagsForResource':
        return this.ecs.listTagsForResource(input);
      case 'CreateAccessPoint':
        return this.efs.createAccessPoint(input);
      case 'DescribeAccessPoints':
        return this.efs.describeAccessPoints(input);
      case 'DeleteAccessPoint':
        return this.efs.deleteAccessPoint(input);
      case 'EfsTagResource':
        return this.efs.tagResource(input);
      case 'EfsUntagResource':
        return this.efs.untagResource(input);
      case 'EfsListTagsForResource':
        return this.efs.listTagsForResource(input);
      case 'CreateQueue':
        return this.sqs.createQueue(input, origin);
      case 'GetQueueUrl':
        return this.sqs.getQueueUrl(input, origin);
      case 'GetQueueAttributes':
        return this.sqs.getQueueAttributes(input);
      case 'SendMessage':
        return this.sqs.sendMessage(input);
      case 'ReceiveMessage':
        return this.sqs.receiveMessage(input, signal);
      case 'DeleteMessage':
        return this.sqs.deleteMessage(input);
      case 'DeleteMessageBatch':
        return this.sqs.deleteMessageBatch(input);
    }
  }

  // ---- control (never counted in stats) ----

  /** Replaces every fault setting. */
  setFaults(input: FaultConfigInput): FaultConfig {
    return this.faults.set(input);
  }

  /** Changes only the given fault settings (outages given are added). */
  mergeFaults(input: FaultConfigInput): FaultConfig {
    return this.faults.merge(input);
  }

  /** Crashes a task now: EssentialContainerExited with exit code 1 unless told otherwise. */
  crashTask(taskRef: string, opts: { stopCode?: TaskStopCode; reason?: string; exitCode?: number } = {}): void {
    this.ecs.forceStop(taskRef, {
      code: opts.stopCode ?? 'EssentialContainerExited',
      reason: opts.reason ?? 'Essential container in task exited',
      exitCode: opts.exitCode ?? 1,
    });
  }

  /** Interrupts a (spot) task now with SpotInterruption. */
  interruptSpot(taskRef: string): void {
    this.crashTask(taskRef, { stopCode: 'SpotInterruption', reason: 'Your Spot Task was interrupted.', exitCode: 143 });
  }

  /**
   * Drops a task at once, as when its stopped-task retention has passed or ECS has lost sight of
   * it: DescribeTasks answers MISSING, ListTasks omits it, StopTask does not find it.
   */
  forgetTask(taskRef: string): void {
    this.ecs.forget(taskRef);
  }

  /** Starts a full outage of one service, `afterMs` from now, for `durationMs`. */
  startOutage(service: SimService, durationMs: number, opts: { afterMs?: number; mode?: 'error' | 'hang' } = {}): OutageWindow {
    return this.faults.addOutage(service, durationMs, opts.afterMs ?? 0, opts.mode ?? 'error');
  }

  /** Forgets every resource, fault, bucket and counter. */
  reset(): void {
    this.ecs.reset();
    this.efs.reset();
    this.sqs.reset();
    this.taskEvents?.reset();
    if (this.taskEvents) this.sqs.ensureQueue(TASK_EVENTS_QUEUE);
    this.faults.set({});
    this.throttler.reset();
    this.stats.reset();
  }

  getStats(): StatsSnapshot {
    return this.stats.snapshot();
  }

  dump(): SimStateDump {
    const now = this.clock.now();
    const tagMap = (tags: Array<{ key?: string; value?: string } | { Key?: string; Value?: string }>): Record<string, string> =>
      Object.fromEntries(tags.map((t) => ('key' in t ? [t.key ?? '', t.value ?? ''] : [(t as { Key?: string }).Key ?? '', (t as { Value?: string }).Value ?? ''])));
    return {
      now,
      profile: this.profileValue.name,
      tasks: this.ecs.tasks.list().map((t) => {
        const st = stateAt(t, now);
        return {
          taskArn: t.arn,
          cluster: t.cluster,
          family: t.family,
          lastStatus: st.lastStatus,
          desiredStatus: st.desiredStatus,
          ...(t.startedBy !== undefined ? { startedBy: t.startedBy } : {}),
          ...(st.stop ? { stopCode: st.stop.code, stoppedReason: st.stop.reason } : {}),
          privateIp: t.eni.privateIp,
          tags: tagMap(t.tags),
          content: taskContent(t, this.ecs.taskDefinitions),
        };
      }),
      taskDefinitions: this.ecs.taskDefinitions.summaries(),
      accessPoints: this.efs.peekAll().map((a) => ({ id: a.AccessPointId!, fileSystemId: a.FileSystemId!, clientToken: a.ClientToken!, tags: tagMap(a.Tags ?? []) })),
      faults: this.faults.current(),
      outages: this.faults.activeOutages(),
      stats: this.stats.snapshot(),
      ...(this.taskEvents
        ? { taskEvents: { ...this.taskEvents.counts, pending: this.taskEvents.pending(), queued: this.sqs.ensureQueue(TASK_EVENTS_QUEUE).counts() } }
        : {}),
    };
  }
}

/** A call that never answers; it rejects only when `signal` aborts. */
function hang(signal: AbortSignal | undefined): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
