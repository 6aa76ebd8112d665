/**
 * The StopGate the stop executor consults (ownership is checked there, always, before this):
 * a stop may happen now only when
 *   1. Redis is reachable (we know who leads: no destructive action on a stale view),
 *   2. the desired-state brake is released,
 *   3. the stop budget has a token left (taken only when 1 and 2 allow).
 * A refused stop waits (StopDeferredError -> requeueAfter) and is counted by reason.
 *
 * It is also the ExpiryGate: a session may expire only when 1 holds and the brake admits it
 * (released, and this expiry not sudden: DesiredStateBrake.admitExpiry). The stop that follows
 * an expiry passes all three like any other stop.
 */
import type { ExecutorEvent, ExpiryGate, StopGate } from '../execute/context.js';
import type { Action } from '../plan/actions.js';
import type { DesiredStateBrake } from './desired-state-brake.js';
import type { StopBudget } from './stop-budget.js';

export type StopWaitReason = 'redis' | 'brake' | 'budget';

/** Counters for metrics and tests; monotonic. */
export interface SafetyCounters {
  stopsAllowed: number;
  stopsDeferred: Record<StopWaitReason, number>;
  /** Stops refused because the task lacks our owner tag (from executor events). */
  stopsRefusedNotOwned: number;
}

export interface SafetyStopGateOptions {
  brake: DesiredStateBrake;
  budget: StopBudget;
  /** False while Redis is unreachable (e.g. the elector's leadershipKnown). Default: always true. */
  redisReachable?: () => boolean;
  /** Wait before retrying a stop held by the brake or an unreachable Redis, ms (default 5000). */
  retryAfterMs?: number;
  /** Called for every deferred stop (metrics, logs). */
  onDeferred?: (reason: StopWaitReason, taskArn: string, why: string) => void;
}

export class SafetyStopGate implements StopGate, ExpiryGate {
  readonly counters: SafetyCounters = { stopsAllowed: 0, stopsDeferred: { redis: 0, brake: 0, budget: 0 }, stopsRefusedNotOwned: 0 };
  private readonly retryAfterMs: number;

  constructor(private readonly o: SafetyStopGateOptions) {
    this.retryAfterMs = o.retryAfterMs ?? 5000;
  }

  check(action: Action & { type: 'stopTask' }): 'allow' | { wait: string; retryAfterMs: number } {
    if (this.o.redisReachable && !this.o.redisReachable()) return this.defer('redis', action.taskArn, 'Redis is unreachable: no destructive action', this.retryAfterMs);
    const brake = this.o.brake.state();
    if (brake.engaged) return this.defer('brake', action.taskArn, `desired-state brake engaged (${brake.reason}): ${brake.message}`, this.retryAfterMs);
    const budget = this.o.budget.take();
    if (budget !== 'allow') return this.defer('budget', action.taskArn, budget.wait, budget.retryAfterMs);
    this.counters.stopsAllowed++;
    return 'allow';
  }

  checkExpiry(sessionId: string): 'allow' | { wait: string; retryAfterMs: number } {
    if (this.o.redisReachable && !this.o.redisReachable()) return this.defer('redis', `session ${sessionId}`, 'Redis is unreachable: no session expires', this.retryAfterMs);
    const admitted = this.o.brake.admitExpiry();
    if (admitted !== 'allow') return this.defer('brake', `session ${sessionId}`, admitted.wait, this.retryAfterMs);
    return 'allow';
  }

  /** Feed executor events here to count ownership refusals (the executor refuses them itself). */
  observeEvent(e: ExecutorEvent): void {
    if (e.action === 'stopTask' && e.outcome === 'refused') this.counters.stopsRefusedNotOwned++;
  }

  private defer(reason: StopWaitReason, taskArn: string, why: string, retryAfterMs: number): { wait: string; retryAfterMs: number } {
    this.counters.stopsDeferred[reason]++;
    this.o.onDeferred?.(reason, taskArn, why);
    return { wait: why, retryAfterMs };
  }
}
