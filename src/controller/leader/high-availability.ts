/**
 * Assembles high availability and safety around one controller (the composition root calls
 * this once): leader election with fencing, the lease gate on mutating AWS calls, the stop gate
 * (Redis reachable -> desired-state brake -> stop budget), the brake's operator release, and the
 * controller hooks that feed them. Everything here is observable through callbacks (`log`,
 * `probe`, `brake.onChange`, `elector.onChange`) so metrics and readiness plug in from outside.
 */
import type { Clock } from '../../common/clock.js';
import type { ReconcilerConfig } from '../../config/load.js';
import { isFencedError } from '../../desired/errors.js';
import type { RedisLike } from '../../desired/lua.js';
import type { Controller, ControllerOptions } from '../controller.js';
import type { GuardedCall } from '../execute/context.js';
import { BrakeReleaseWatcher } from '../safety/brake-release.js';
import { DeferralLog } from '../safety/deferral-log.js';
import type { DesiredStateBrake } from '../safety/desired-state-brake.js';
import type { SafetyStopGate } from '../safety/safety-stop-gate.js';
import { SafetyWiring } from '../safety/safety-wiring.js';
import type { StopBudget } from '../safety/stop-budget.js';
import { LeaderElector } from './leader-elector.js';
import { leadershipReadiness, soleLeaderProbe, type LeadershipProbe } from './leadership-probe.js';
import { leaseGatedCall } from './lease-gate.js';
import { leaseGatedWrites } from './lease-gated-writes.js';

/** The logger surface used here (pino's). */
export interface HaLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug?(obj: object, msg: string): void;
}

export interface HighAvailabilityArgs {
  config: ReconcilerConfig;
  redis: RedisLike;
  clock: Clock;
  /** The guarded call the executors would use; mutations get gated by the lease. */
  call: GuardedCall;
  /** The guard's budget for an operation, ms. */
  budgetOf: (operation: string) => number;
  /** Take part in leader election (only `reconciler run`); off: act alone with `fencingToken`. */
  leaderElection: boolean;
  fencingToken?: () => number;
  log?: HaLog;
}

type Hooks = Pick<ControllerOptions, 'onSync' | 'onEvent' | 'onResult'>;

export class HighAvailability {
  readonly elector: LeaderElector | undefined;
  readonly probe: LeadershipProbe;
  readonly brake: DesiredStateBrake;
  readonly budget: StopBudget;
  readonly stopGate: SafetyStopGate;
  readonly releaseWatcher: BrakeReleaseWatcher;
  /** The brake, the stop budget and the stop gate, wired as the simulation wires them too. */
  readonly safety: SafetyWiring;
  /** Executors' call: mutations refused unless the lease outlasts them. */
  readonly call: GuardedCall;
  /** Writes rejected by fencing (a stale leader's), counted. */
  fencedWrites = 0;
  /** Mutating calls refused by the lease gate, counted. */
  leaseRefusals = 0;
  private shuttingDown = false;

  constructor(private readonly a: HighAvailabilityArgs) {
    const { config, clock, log } = a;
    this.elector = a.leaderElection
      ? new LeaderElector({
          redis: a.redis,
          prefix: config.redisPrefix,
          clock,
          timings: { leaseMs: config.leaderLeaseMs, renewDeadlineMs: config.leaderRenewDeadlineMs, retryMs: config.leaderRetryMs },
          onError: (where, err) => log?.warn({ where, err: (err as Error).message }, `leader election: ${where} failed`),
        })
      : undefined;
    const elector = this.elector;
    this.probe = elector ?? soleLeaderProbe(a.fencingToken ?? (() => 1));
    const deferrals = log ? new DeferralLog({ clock, log }) : undefined;
    this.safety = new SafetyWiring({
      clock,
      config,
      ...(elector ? { redisReachable: () => elector.leadershipKnown() } : {}),
      onDeferred: (reason, taskArn, why) => deferrals?.note(reason, taskArn, why),
    });
    this.brake = this.safety.brake;
    this.budget = this.safety.budget;
    this.stopGate = this.safety.stopGate;
    this.call = elector
      ? leaseGatedCall(a.call, {
          remainingLeaseMs: () => elector.remainingLeaseMs(),
          budgetOf: a.budgetOf,
          retryAfterMs: config.leaderRetryMs,
          onRefused: () => void this.leaseRefusals++,
        })
      : a.call;
    this.releaseWatcher = new BrakeReleaseWatcher({
      redis: a.redis,
      prefix: config.redisPrefix,
      clock,
      brake: this.brake,
      replica: elector?.token ?? `pid:${process.pid}`,
      shouldPublish: () => this.probe.isLeader(),
      onRelease: (rec) => log?.warn({ by: rec?.by }, 'safety brake released by operator'),
      onError: (err) => log?.warn({ err: (err as Error).message }, 'brake release watch failed'),
    });
    this.brake.onChange((s) =>
      s.engaged ? log?.error({ brake: 'desired-state', reason: s.reason }, `safety brake engaged, stops paused: ${s.message}`) : log?.warn({ brake: 'desired-state', releasedBy: s.releasedBy }, 'safety brake released, stops resume'),
    );
    elector?.onChange((c) => (c.leader ? log?.info : log?.warn)?.call(log, { epoch: c.epoch, reason: c.reason, holder: c.holder }, c.leader ? `became leader (epoch ${c.epoch})` : `lost leadership (${c.reason})`));
    // A new leader publishes its brake state at once: it may have changed while this replica followed.
    elector?.onChange((c) => c.leader && void this.releaseWatcher.republish());
  }

  /**
   * `store` with its controller writes sent only while this replica's own lease view is live
   * (lease-gated-writes.ts); unchanged without leader election.
   */
  gateWrites<T extends object>(store: T): T {
    const elector = this.elector;
    if (!elector) return store;
    return leaseGatedWrites(store, { remainingLeaseMs: () => elector.remainingLeaseMs(), retryAfterMs: this.a.config.leaderRetryMs, onRefused: () => void this.leaseRefusals++ });
  }

  /** Controller options: leadership mode, fencing token, the stop gate, and hooks wrapped around `user`'s. */
  controllerOptions(user: Partial<ControllerOptions> = {}): Partial<ControllerOptions> {
    const elector = this.elector;
    const safety = this.safety.controllerOptions(user);
    const hooks: Hooks = {
      onSync: safety.onSync!,
      onEvent: safety.onEvent!,
      onResult: (key, label, err) => {
        if (isFencedError(err)) {
          this.fencedWrites++;
          void this.elector?.tryOnce(); // a fenced leader learns at once that its term ended (or that the store lost its epoch)
          this.a.log?.warn({ key, fencedWrites: this.fencedWrites, err: (err as Error).message }, 'stale write rejected by fencing');
        }
        user.onResult?.(key, label, err);
      },
    };
    return {
      ...(elector ? { isLeader: () => elector.isLeader() && !this.shuttingDown, fencingToken: () => elector.fencingToken() } : { fencingToken: this.probe.fencingToken }),
      stopGate: safety.stopGate,
      expiryGate: safety.expiryGate,
      ...hooks,
    };
  }

  /** Starts the election (first attempt awaited) and the brake's release watch; a takeover triggers a full sync. */
  async start(controller: Controller): Promise<void> {
    this.elector?.onChange((c) => {
      if (c.leader && controller.state === 'running') void controller.takeOver().catch((err: unknown) => this.a.log?.error({ err }, 'takeover resync failed'));
    });
    this.releaseWatcher.start();
    await this.elector?.start();
  }

  /** Shutdown step 1: report unready and take no new keys (in-flight ones finish under the lease). */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** Readiness check (`/readyz` plugs it in as `leadership`): leadership known and not shutting down. */
  readiness(): { ok: boolean; message: string } {
    if (this.shuttingDown) return { ok: false, message: 'shutting down' };
    return leadershipReadiness(this.probe);
  }

  /** Shutdown last step: stops the release watch and releases the lease (token-checked) so a follower takes over at once. */
  async stop(): Promise<void> {
    this.shuttingDown = true;
    this.releaseWatcher.stop();
    await this.elector?.stop();
  }
}
