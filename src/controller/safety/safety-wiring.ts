/**
 * The production safety parts of one controller process, built and hooked up in one place so
 * that `reconciler run` (leader/high-availability.ts) and the deterministic simulation run the
 * same wiring: the desired-state brake fed by every full sync, the stop budget, and the
 * StopGate the stop executor consults (Redis reachable, brake released, a budget token), which
 * is also the ExpiryGate a session's expiry passes (Redis reachable, the brake admits it).
 */
import type { Clock } from '../../common/clock.js';
import type { ControllerOptions } from '../controller.js';
import { DesiredStateBrake } from './desired-state-brake.js';
import { SafetyStopGate, type StopWaitReason } from './safety-stop-gate.js';
import { StopBudget } from './stop-budget.js';

/** The configuration values the safety parts read (names as in ReconcilerConfig; see env-vars.ts). */
export interface SafetyConfig {
  /** Share of desired tasks whose loss in one resync engages the brake, (0, 1]. */
  brakeDropFraction: number;
  /** A smaller drop (in desired tasks) never engages the brake. */
  brakeMinDrop: number;
  /** Stop budget: StopTask calls per minute (also the burst). */
  stopsPerMinute: number;
  /** Full resync period, s: a stop held by the brake or by Redis is retried after min(5 s, this); also the mass-expiry window. */
  resyncSeconds: number;
  /** Share of desired tasks whose expiry within one resync period engages the brake, (0, 1] (default 0.1). */
  brakeExpiryFraction?: number;
}

export interface SafetyWiringOptions {
  clock: Clock;
  config: SafetyConfig;
  /** False while Redis is unreachable (leadership unknown): every stop waits. Default: always reachable. */
  redisReachable?: () => boolean;
  /** Called for every deferred stop (logs, metrics). */
  onDeferred?: (reason: StopWaitReason, taskArn: string, why: string) => void;
}

/** The safety parts of one process, and the controller hooks that feed them. */
export class SafetyWiring {
  readonly brake: DesiredStateBrake;
  readonly budget: StopBudget;
  readonly stopGate: SafetyStopGate;

  constructor(o: SafetyWiringOptions) {
    this.brake = new DesiredStateBrake({
      clock: o.clock,
      dropFraction: o.config.brakeDropFraction,
      minDrop: o.config.brakeMinDrop,
      ...(o.config.brakeExpiryFraction !== undefined ? { expiryFraction: o.config.brakeExpiryFraction } : {}),
      expiryWindowMs: o.config.resyncSeconds * 1000,
    });
    this.budget = new StopBudget(o.clock, o.config.stopsPerMinute);
    this.stopGate = new SafetyStopGate({
      brake: this.brake,
      budget: this.budget,
      ...(o.redisReachable ? { redisReachable: o.redisReachable } : {}),
      retryAfterMs: Math.min(5000, o.config.resyncSeconds * 1000),
      ...(o.onDeferred ? { onDeferred: o.onDeferred } : {}),
    });
  }

  /**
   * Controller options that feed the brake from every full sync (before its keys are processed)
   * and the gate from every executor event, then call `user`'s hooks; plus the stop gate itself.
   */
  controllerOptions(user: Pick<ControllerOptions, 'onSync' | 'onEvent'> = {}): Pick<ControllerOptions, 'onSync' | 'onEvent' | 'stopGate' | 'expiryGate'> {
    return {
      stopGate: this.stopGate,
      expiryGate: this.stopGate,
      onSync: (info) => {
        this.brake.observe({ desired: info.desiredTasks, tasks: info.tasks, marker: info.marker, expiring: info.expiring });
        user.onSync?.(info);
      },
      onEvent: (e) => {
        this.stopGate.observeEvent(e);
        user.onEvent?.(e);
      },
    };
  }
}
