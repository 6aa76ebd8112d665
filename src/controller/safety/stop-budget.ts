/**
 * The stop budget: at most `perMinute` StopTask calls a minute (a token bucket of that size,
 * refilled continuously), so a bad plan cannot wipe the fleet in one resync. A stop over budget
 * is not dropped: it waits (`retryAfterMs` = until the next token) and is counted.
 */
import type { Clock } from '../../common/clock.js';

export type BudgetDecision = 'allow' | { wait: string; retryAfterMs: number };

export class StopBudget {
  private tokens: number;
  private updatedAt: number;
  private readonly perMs: number;

  constructor(
    private readonly clock: Clock,
    /** Stops allowed per minute (also the burst). */
    readonly perMinute: number,
  ) {
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError(`stops per minute must be an integer >= 1, got ${perMinute}`);
    this.tokens = perMinute;
    this.updatedAt = clock.now();
    this.perMs = perMinute / 60_000;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.perMinute, this.tokens + (now - this.updatedAt) * this.perMs);
    this.updatedAt = now;
  }

  /** Stops still allowed right now (whole tokens). */
  available(): number {
    this.refill();
    return Math.floor(this.tokens);
  }

  /** Takes one stop from the budget, or says how long to wait for the next one. */
  take(): BudgetDecision {
    this.refill();
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 'allow';
    }
    const retryAfterMs = Math.max(1, Math.ceil((1 - this.tokens) / this.perMs));
    return { wait: `stop budget of ${this.perMinute}/min spent`, retryAfterMs };
  }
}
