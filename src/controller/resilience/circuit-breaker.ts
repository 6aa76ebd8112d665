import {
  BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen,
  type CircuitBreakerPolicy, type IBackoff, type IBackoffFactory, type IHalfOpenAfterBackoffContext,
} from 'cockatiel';
import type { Clock } from '../../common/clock.js';
import { classify, isDependencyFault } from '../../observed/aws-errors.js';
import { CircuitOpenError } from './circuit-open-error.js';

/** The breaker's state as a union (cockatiel's enum, named). */
export type BreakerState = 'closed' | 'open' | 'halfOpen' | 'isolated';

export interface BreakerOptions {
  /** Dependency name: `ecs`, `efs`. */
  name: string;
  clock: Clock;
  /** Consecutive real faults that open the circuit. Default 5. */
  threshold?: number;
  /** Cooldown before a half-open probe, ms. Default 10_000. */
  halfOpenAfterMs?: number;
  /** Which failures count. Default: transient and timeout (5xx, network, deadlines) only. */
  isFault?: (err: unknown) => boolean;
}

type Listener<T> = (value: T) => void;

/**
 * Why the gate: cockatiel 3.2's CircuitBreakerPolicy reads `Date.now()` for "has the cooldown
 * passed" and offers no clock option, which would make breakers untestable on virtual time and
 * wrong in simulation. It does ask its `halfOpenAfter` backoff for `duration` on every call
 * while open (`Date.now() - openedAt < backoff.duration`). This backoff answers that question
 * from the injected clock: +Infinity (stay open) until the cooldown has passed on our clock,
 * then -Infinity (probe now). Cockatiel keeps the state machine, the ConsecutiveBreaker, the
 * half-open probe and the events; only time comes from us. test/controller/resilience pins
 * this behaviour, so a cockatiel upgrade that changes it fails loudly.
 */
class ClockGate implements IBackoff<IHalfOpenAfterBackoffContext> {
  readonly openedAt: number;

  constructor(private readonly clock: Clock, readonly cooldownMs: number, private readonly factory: ClockGateFactory) {
    this.openedAt = clock.now();
  }

  get duration(): number {
    return this.remainingMs() > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
  }

  remainingMs(): number {
    return this.openedAt + this.cooldownMs - this.clock.now();
  }

  /** Cockatiel asks for the next gate when a half-open probe fails and the circuit reopens. */
  next(): IBackoff<IHalfOpenAfterBackoffContext> {
    return this.factory.next();
  }
}

class ClockGateFactory implements IBackoffFactory<IHalfOpenAfterBackoffContext> {
  last: ClockGate | undefined;

  constructor(private readonly clock: Clock, private readonly cooldownMs: number) {}

  next(): ClockGate {
    this.last = new ClockGate(this.clock, this.cooldownMs, this);
    return this.last;
  }
}

const STATE_NAMES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'halfOpen',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * A circuit breaker for one dependency. Only real faults count (see `isDependencyFault`):
 * throttling, not-found and validation errors pass through without touching it. While open,
 * and while a half-open probe is in flight, calls fail fast with `CircuitOpenError`.
 */
export class DependencyBreaker {
  readonly name: string;
  private readonly clock: Clock;
  private readonly gates: ClockGateFactory;
  private readonly policy: CircuitBreakerPolicy;
  private readonly halfOpenAfterMs: number;
  private readonly changeListeners: Array<Listener<BreakerState>> = [];

  constructor(opts: BreakerOptions) {
    this.name = opts.name;
    this.clock = opts.clock;
    this.halfOpenAfterMs = opts.halfOpenAfterMs ?? 10_000;
    const isFault = opts.isFault ?? ((err: unknown) => isDependencyFault(classify(err)));
    this.gates = new ClockGateFactory(this.clock, this.halfOpenAfterMs);
    this.policy = circuitBreaker(handleWhen((err) => isFault(err)), {
      halfOpenAfter: this.gates,
      breaker: new ConsecutiveBreaker(opts.threshold ?? 5),
    });
    this.policy.onStateChange((s) => {
      const state = STATE_NAMES[s];
      for (const l of this.changeListeners) l(state);
    });
  }

  /** Fired when the circuit opens, with the failure that opened it. */
  get onBreak(): CircuitBreakerPolicy['onBreak'] {
    return this.policy.onBreak;
  }

  /** Fired when the circuit closes after a successful probe. */
  get onReset(): CircuitBreakerPolicy['onReset'] {
    return this.policy.onReset;
  }

  /** Fired when a half-open probe starts. */
  get onHalfOpen(): CircuitBreakerPolicy['onHalfOpen'] {
    return this.policy.onHalfOpen;
  }

  /** Fired on every state change with the new state. Returns an unsubscribe function. */
  onStateChange(listener: Listener<BreakerState>): () => void {
    this.changeListeners.push(listener);
    return () => {
      const i = this.changeListeners.indexOf(listener);
      if (i >= 0) this.changeListeners.splice(i, 1);
    };
  }

  state(): BreakerState {
    const s = STATE_NAMES[this.policy.state];
    // Cockatiel moves to half-open lazily on the next call; report what that call would see.
    if (s === 'open' && this.retryAfterMs() === 0) return 'halfOpen';
    return s;
  }

  /** Ms until a probe is allowed; 0 when calls may go through. */
  retryAfterMs(): number {
    const s = this.policy.state;
    if (s === CircuitState.Open) return Math.max(0, this.gates.last?.remainingMs() ?? 0);
    if (s === CircuitState.HalfOpen) return this.halfOpenAfterMs;
    return 0;
  }

  /**
   * Records an outcome learned after the call returned (a task started by a successful RunTask
   * that stopped before RUNNING is a fault; one that ran is a success), as if a call had ended
   * so. Counted only while closed: while open or probing, the probe decides.
   */
  record(outcome: { ok: true } | { ok: false; error: Error }): void {
    if (this.policy.state !== CircuitState.Closed) return;
    const run = outcome.ok ? () => Promise.resolve() : () => Promise.reject(outcome.error);
    this.policy.execute(run).catch(() => undefined);
  }

  /**
   * Runs `fn` through the breaker. Rejects with `CircuitOpenError` (carrying `retryAfterMs`)
   * without calling `fn` when open or while another call is the half-open probe.
   */
  async execute<T>(fn: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal, ctx?: { operation?: string; key?: string }): Promise<T> {
    if (this.policy.state === CircuitState.HalfOpen) {
      throw new CircuitOpenError(this.name, this.halfOpenAfterMs, { service: this.name, ...ctx });
    }
    try {
      return await this.policy.execute(({ signal: s }) => fn(s), signal);
    } catch (err) {
      if (err instanceof BrokenCircuitError) {
        throw new CircuitOpenError(this.name, this.retryAfterMs(), { service: this.name, ...ctx }, err);
      }
      throw err;
    }
  }
}
