/**
 * One controller process of the simulated world, wired as production wires it (src/app/daemon.ts):
 * its own AwsCallGuard with a RateLimiterRegistry and per-dependency breakers on the shared
 * virtual clock, the guarded read API, a fresh cache. Everything it says to the world passes its
 * ProcessGate, so a crash or a pause is a property of the process, not of the controller code.
 *
 * Leadership is modelled here (the Redis LeaderElector needs Redis): a term has an epoch (the
 * fencing token of its status writes) and a lease; mutating AWS calls are refused once the
 * process's own view of its lease has ended, as src/controller/leader/lease-gate.ts does.
 */
import type { Clock } from '../../src/common/clock.js';
import { SeededRng } from '../../src/common/rng.js';
import { Controller } from '../../src/controller/controller.js';
import type { GuardedCall } from '../../src/controller/execute/context.js';
import { guardedAwsApi, guardedCallFrom } from '../../src/controller/guarded-aws-api.js';
import { Parking } from '../../src/controller/queue/index.js';
import { AwsCallGuard, DependencyBreaker, parseRateLimitsConfig, RateLimiterRegistry } from '../../src/controller/resilience/index.js';
import type { AwsApi } from '../../src/observed/aws-api.js';
import type { SqsApi } from '../../src/observed/sqs-api.js';
import { wrapAwsApi } from './aws-wrap.js';
import { SafetyWiring } from '../../src/controller/safety/safety-wiring.js';
import { leaseGatedWrites } from '../../src/controller/leader/lease-gated-writes.js';
import { SIM_CLUSTER, SIM_EVENTS, SIM_OWNER, SIM_PLAN, SIM_STARTED_BY, SIM_TIMINGS, simBudgets, simSafetyConfig } from './config.js';
import type { EventLog } from './event-log.js';
import { ProcessGate } from './process-gate.js';
import type { ControllerStore } from './world-store.js';

const MUTATING_OPERATIONS = new Set(['RunTask', 'StopTask', 'TagResource', 'RegisterTaskDefinition', 'CreateAccessPoint', 'DeleteAccessPoint']);

/** A mutating call refused because this process's lease has ended (it is not the leader). */
export class NotLeaderError extends Error {
  constructor(operation: string) {
    super(`${operation} refused: this replica's lease has ended`);
    this.name = 'NotLeaderError';
  }
}

export interface SlotDeps {
  clock: Clock;
  log: EventLog;
  /** Full resync interval, ms (default SIM_TIMINGS.resyncMs; the soak runs longer ones). */
  resyncMs?: number;
  /** The world's AWS as this process reaches it (after its gate). */
  worldApi: (name: string) => AwsApi;
  /** The store as this process reaches it. */
  store: (name: string, gate: ProcessGate) => ControllerStore;
  /** Mutation hook: decorates the controller's raw AwsApi (outside its gate). */
  wrapAws?: (api: AwsApi) => AwsApi;
  /** With events on: the world's task-event queue (before this process's gate) and its URL. */
  events?: { api: SqsApi; queueUrl: string };
}

export class ControllerSlot {
  readonly gate = new ProcessGate();
  readonly controller: Controller;
  /** End of the lease in this process's own view (epoch ms); Infinity while it renews normally. */
  leaseUntil = Number.POSITIVE_INFINITY;
  started = false;
  /** The stop gate, desired-state brake and stop budget, wired as `reconciler run` wires them. */
  readonly safety: SafetyWiring;
  private readonly guard: AwsCallGuard;

  constructor(
    readonly name: string,
    readonly epoch: number,
    seed: number,
    d: SlotDeps,
  ) {
    const { clock, log } = d;
    const gated = wrapAwsApi(d.worldApi(name), (_c, invoke) => this.gate.run(() => invoke()));
    const raw = d.wrapAws ? d.wrapAws(gated) : gated;
    const breakers = {
      ecs: new DependencyBreaker({ name: 'ecs', clock, threshold: SIM_TIMINGS.breakerThreshold, halfOpenAfterMs: SIM_TIMINGS.breakerCooldownMs }),
      efs: new DependencyBreaker({ name: 'efs', clock, threshold: SIM_TIMINGS.breakerThreshold, halfOpenAfterMs: SIM_TIMINGS.breakerCooldownMs }),
      sqs: new DependencyBreaker({ name: 'sqs', clock, threshold: SIM_TIMINGS.breakerThreshold, halfOpenAfterMs: SIM_TIMINGS.breakerCooldownMs }),
    };
    const limits = new RateLimiterRegistry(clock, parseRateLimitsConfig());
    const guard = (this.guard = new AwsCallGuard({ clock, limits, breakers, defaultBudgetMs: simBudgets().defaultMs }));
    const parking = new Parking();
    const guarded = guardedCallFrom(guard, simBudgets(), { parking, limits });
    const call: GuardedCall = (req, fn) => {
      if (MUTATING_OPERATIONS.has(req.operation) && clock.now() >= this.leaseUntil) return Promise.reject(new NotLeaderError(req.operation));
      return guarded(req, fn);
    };
    const resyncMs = d.resyncMs ?? SIM_TIMINGS.resyncMs;
    // As reconciler run: store writes only while this process's own view of its lease is live.
    const writesGated = leaseGatedWrites(d.store(name, this.gate), { remainingLeaseMs: () => this.leaseUntil - clock.now(), retryAfterMs: SIM_TIMINGS.noticeLossMs });
    this.safety = new SafetyWiring({ clock, config: { ...simSafetyConfig(), resyncSeconds: resyncMs / 1000 } });
    this.safety.brake.onChange((b) => {
      if (this.gate.state !== 'dead') log.add(name, b.engaged ? `brake engaged (${b.reason}): ${b.message}` : `brake released (${b.releasedBy ?? '?'})`);
    });
    const safety = this.safety.controllerOptions({
      onEvent: (e) => {
        if (this.gate.state !== 'dead') log.add(name, `${e.action} ${e.sessionId ?? '-'} ${e.drift} ${e.outcome}: ${e.message.slice(0, 160)}`);
      },
      onSync: (info) => {
        if (this.gate.state !== 'dead') log.add(name, `full sync done: ${info.sessions} sessions (desired tasks ${info.desiredTasks}, marker ${info.marker ? "present" : "missing"}), ${info.tasks} tasks, read took ${info.ms} ms`);
      },
    });
    this.controller = new Controller({
      ...safety,
      aws: raw,
      readApi: guardedAwsApi(raw, call),
      status: writesGated,
      desired: writesGated,
      fencingToken: () => this.epoch,
      call,
      parking,
      clock,
      rng: new SeededRng(seed),
      config: { cluster: SIM_CLUSTER, startedBy: SIM_STARTED_BY, ownerId: SIM_OWNER, efsFileSystemId: SIM_PLAN.efsFileSystemId, templates: SIM_PLAN.templates },
      planConfig: SIM_PLAN,
      resyncMs,
      inflightRefreshMs: SIM_TIMINGS.inflightRefreshMs,
      workers: SIM_TIMINGS.workers,
      ...(d.events ? { taskEvents: { api: gatedSqs(d.events.api, this.gate), call, queueUrl: d.events.queueUrl, waitSeconds: SIM_EVENTS.waitSeconds, visibilityTimeoutSeconds: SIM_EVENTS.visibilityTimeoutSeconds } } : {}),
      onTaskEvent: (result, info) => {
        if (this.gate.state !== 'dead' && result !== 'stale') log.add(name, `task event ${result}${info.taskArn ? ` ${info.taskArn.slice(-8)}` : ''}${info.reason ? `: ${info.reason.slice(0, 120)}` : ''}`);
      },
      onError: (where, err) => {
        if (this.gate.state !== 'dead') log.add(name, `error in ${where}: ${String((err as Error).message).slice(0, 160)}`);
      },
    });
  }

  /**
   * Every in-memory size of this process, as the daemon wiring holds them: the controller's
   * (`Controller.sizes`), the call guard's and rate limits' (`guard.*`) and the brake's (`brake.*`).
   */
  sizes(): Record<string, number> {
    const out: Record<string, number> = { ...this.controller.sizes() };
    for (const [k, v] of Object.entries(this.guard.sizes())) out[`guard.${k}`] = v;
    for (const [k, v] of Object.entries(this.safety.brake.sizes())) out[`brake.${k}`] = v;
    return out;
  }

  get alive(): boolean {
    return this.gate.state === 'alive';
  }

  /** Starts the loop without waiting (the first sync needs the clock to move). */
  start(onFailed: (err: unknown) => void): void {
    this.started = true;
    this.controller.start().catch((err: unknown) => {
      if (this.gate.state !== 'dead') onFailed(err);
    });
  }

  /** The process dies now: no answer comes back, nothing new goes out, memory is gone. */
  kill(): void {
    this.gate.kill();
    this.leaseUntil = 0;
    void this.controller.stop(0).catch(() => undefined);
  }
}

/** The queue as this process reaches it: every call passes its gate both ways. */
function gatedSqs(api: SqsApi, gate: ProcessGate): SqsApi {
  return {
    receiveMessages: (i, o) => gate.run(() => api.receiveMessages(i, o)),
    deleteMessages: (i, o) => gate.run(() => api.deleteMessages(i, o)),
  };
}
