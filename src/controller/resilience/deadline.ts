import type { Clock } from '../../common/clock.js';

/** Raised (as an abort reason) when a deadline or step budget runs out. */
export class DeadlineExceededError extends Error {
  constructor(readonly step: string, readonly budgetMs: number, readonly deadlineAt: number) {
    super(`${step}: deadline exceeded after ${budgetMs} ms`);
    this.name = 'DeadlineExceededError';
  }
}

/** An AbortSignal that fires at a moment on the clock; `dispose` releases its timer. */
export interface ScopedSignal {
  readonly signal: AbortSignal;
  /** Ms this scope was given (min of step budget and time remaining). */
  readonly budgetMs: number;
  dispose(): void;
}

/**
 * An absolute point in time (ms on the injected clock) by which an action must be done.
 * Each step of the action runs within `min(step budget, remaining)` via `scope`.
 */
export class Deadline {
  constructor(readonly clock: Clock, readonly at: number, readonly parentSignal?: AbortSignal) {}

  /** A deadline `ms` from now on `clock`. */
  static in(clock: Clock, ms: number, parentSignal?: AbortSignal): Deadline {
    return new Deadline(clock, clock.now() + ms, parentSignal);
  }

  /** Ms left; 0 when passed. */
  remainingMs(): number {
    return Math.max(0, this.at - this.clock.now());
  }

  expired(): boolean {
    return this.remainingMs() === 0;
  }

  /** The budget a step gets: `min(stepBudgetMs, remaining)`. */
  budgetFor(stepBudgetMs: number): number {
    return Math.min(stepBudgetMs, this.remainingMs());
  }

  /**
   * A signal for one step that aborts with `DeadlineExceededError` when the step's budget (capped
   * by this deadline) passes, or with the parent's reason when the parent signal aborts.
   */
  scope(step: string, stepBudgetMs: number = Number.POSITIVE_INFINITY): ScopedSignal {
    return timeoutSignal(this.clock, step, this.budgetFor(stepBudgetMs), this.parentSignal);
  }
}

/** A signal that aborts after `budgetMs` on `clock` or when `parent` aborts, whichever first. */
export function timeoutSignal(clock: Clock, step: string, budgetMs: number, parent?: AbortSignal): ScopedSignal {
  const ac = new AbortController();
  const deadlineAt = clock.now() + budgetMs;
  const onParent = (): void => ac.abort(parent?.reason);
  if (parent?.aborted) ac.abort(parent.reason);
  else parent?.addEventListener('abort', onParent, { once: true });
  const timer = ac.signal.aborted ? undefined
    : budgetMs <= 0 ? (ac.abort(new DeadlineExceededError(step, budgetMs, deadlineAt)), undefined)
    : Number.isFinite(budgetMs) ? clock.setTimer(() => ac.abort(new DeadlineExceededError(step, budgetMs, deadlineAt)), budgetMs)
    : undefined;
  return {
    signal: ac.signal,
    budgetMs,
    dispose: () => {
      if (timer) clock.clearTimer(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}
