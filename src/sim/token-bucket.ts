import type { Clock } from '../common/clock.js';

/** Size and refill of a token bucket: `burst` tokens at most, `refillPerSec` tokens added per second. */
export interface BucketLimit {
  burst: number;
  refillPerSec: number;
}

/**
 * A token bucket on an injected clock. It starts full; tokens refill continuously at
 * `refillPerSec` (fractional tokens accumulate) up to `burst`. `tryTake(n)` takes n tokens
 * all-or-nothing. State is computed lazily from the clock, so no timers are needed and it
 * is exact on a VirtualClock.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly clock: Clock,
    readonly limit: BucketLimit,
  ) {
    if (!(limit.burst >= 0) || !(limit.refillPerSec >= 0)) {
      throw new Error(`TokenBucket: burst and refillPerSec must be >= 0 (got ${limit.burst}, ${limit.refillPerSec})`);
    }
    this.tokens = limit.burst;
    this.updatedAt = clock.now();
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsedMs = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.limit.burst, this.tokens + (elapsedMs * this.limit.refillPerSec) / 1000);
    this.updatedAt = now;
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Takes `n` tokens when all are available and returns true; otherwise takes none and returns false. */
  tryTake(n = 1): boolean {
    this.refill();
    // A small epsilon absorbs floating-point drift from fractional refills.
    if (this.tokens + 1e-9 < n) return false;
    this.tokens = Math.max(0, this.tokens - n);
    return true;
  }

  /** Milliseconds until `n` tokens are available (0 when they are now; Infinity when they never will be). */
  msUntil(n = 1): number {
    this.refill();
    if (this.tokens + 1e-9 >= n) return 0;
    if (n > this.limit.burst || this.limit.refillPerSec === 0) return Infinity;
    return Math.ceil(((n - this.tokens) * 1000) / this.limit.refillPerSec);
  }
}
