/**
 * The one retry policy of the project: capped exponential backoff with full jitter (AWS
 * Architecture Blog, "Exponential Backoff And Jitter", 2015). After `n` failures in a row the
 * next attempt waits a delay drawn uniformly from `[0, min(capMs, baseMs * 2^n))`.
 *
 * Every retry in the code takes its delay from here: the work queue's per-key backoff, the
 * hints loop, the desired and observed syncs (first sync included), Redis reconnects (and so
 * the status feed's subscriber, which reconnects with the same options), leader acquisition
 * after a Redis error, the task-event receive loop. Randomness comes from the injected `Rng`
 * (seeded in simulation) and waiting from the injected `Clock`, so a seed replays every delay.
 * `test/common/no-fixed-sleep.test.ts` checks that no loop sleeps a fixed interval instead.
 */
import type { Clock } from './clock.js';
import type { Rng } from './rng.js';

export interface RetryPolicyOptions {
  /** Ceiling of the first delay, ms (> 0). */
  baseMs: number;
  /** Largest ceiling, ms (>= baseMs). */
  capMs: number;
  rng: Rng;
}

export class RetryPolicy {
  readonly baseMs: number;
  readonly capMs: number;
  private readonly rng: Rng;

  /** @throws RangeError unless 0 < baseMs <= capMs (both finite). */
  constructor(o: RetryPolicyOptions) {
    if (!(o.baseMs > 0) || !(o.capMs >= o.baseMs) || !Number.isFinite(o.capMs)) {
      throw new RangeError(`retry policy needs 0 < baseMs <= capMs, got baseMs=${o.baseMs} capMs=${o.capMs}`);
    }
    this.baseMs = o.baseMs;
    this.capMs = o.capMs;
    this.rng = o.rng;
  }

  /** Ceiling of the jitter range after `failures` failures in a row, ms. */
  ceilingMs(failures: number): number {
    // 2^n overflows to Infinity past n = 1023; min() keeps it at the cap.
    return Math.min(this.capMs, this.baseMs * 2 ** Math.max(0, failures));
  }

  /** A delay after `failures` failures in a row: uniform in [0, ceilingMs(failures)), ms. */
  delayMs(failures: number): number {
    return this.rng.next() * this.ceilingMs(failures);
  }

  /** A counter of failures in a row for one loop, drawing its delays from this policy. */
  backoff(): Backoff {
    return new Backoff(this);
  }
}

/** The state of one retrying loop: how many failures in a row, and the delay before the next attempt. */
export class Backoff {
  private failuresValue = 0;

  constructor(readonly policy: RetryPolicy) {}

  /** Failures in a row since the last reset. */
  get failures(): number {
    return this.failuresValue;
  }

  /** Records a failure; returns the delay before the next attempt, ms. */
  next(): number {
    const delay = this.policy.delayMs(this.failuresValue);
    this.failuresValue++;
    return delay;
  }

  /** Records a success: the next failure starts from `baseMs` again. */
  reset(): void {
    this.failuresValue = 0;
  }
}

/**
 * Runs `attempt` until it succeeds, waiting `backoff.next()` on `clock` after each failure
 * (`onError` hears every failure). Resolves with the first success (the backoff is reset);
 * rejects only when `signal` aborts, with the last error (or the abort reason).
 */
export async function retryUntilSuccess<T>(
  attempt: () => Promise<T>,
  o: { backoff: Backoff; clock: Clock; signal: AbortSignal; onError?: (err: unknown) => void },
): Promise<T> {
  for (;;) {
    try {
      const value = await attempt();
      o.backoff.reset();
      return value;
    } catch (err) {
      if (o.signal.aborted) throw err;
      o.onError?.(err);
      await o.clock.sleep(o.backoff.next(), o.signal);
    }
  }
}
