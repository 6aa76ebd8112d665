import type { Clock, TimerHandle } from '../../common/clock.js';
import { DEFAULT_POOL_YIELD_MS, goesBefore, insertByRank, nextRequestSeq, rankOf, type RequestOrder } from '../queue/request-order.js';

/** How a bucket reacts to AWS throttling (AIMD: multiplicative decrease, additive increase). */
export interface AdaptiveOptions {
  /** Refill rate is multiplied by this on each ThrottlingException (0 < f < 1). */
  decreaseFactor: number;
  /** The refill rate never drops below this fraction of the configured rate. */
  minRateFraction: number;
  /** Each success adds this fraction of the configured rate back, up to the configured rate. */
  recoveryFractionPerSuccess: number;
}

export const DEFAULT_ADAPTIVE: AdaptiveOptions = { decreaseFactor: 0.5, minRateFraction: 0.05, recoveryFractionPerSuccess: 0.02 };

export interface TokenBucketOptions {
  clock: Clock;
  name: string;
  /** Bucket capacity: calls allowed at once (AWS "burst"). */
  burst: number;
  /** Refill in tokens per second (AWS "sustained rate"). */
  ratePerSec: number;
  adaptive?: AdaptiveOptions;
  /** Head start of session requests over pool requests, ms (queue/request-order.ts). */
  poolYieldMs?: number;
}

/** How to wait: cancellation, the key to report positions for, and the place in line. */
export interface AcquireOptions {
  signal?: AbortSignal;
  key?: string;
  /** Default: a session request made now. */
  order?: RequestOrder;
}

/** Where a waiter stands: `position` is 1-based; `estimatedWaitMs` at the current refill rate. */
export interface WaitPosition {
  position: number;
  estimatedWaitMs: number;
}

interface Waiter {
  tokens: number;
  /** Lower is served first (request-order.ts); ties by `seq`. */
  rank: number;
  seq: number;
  key: string | undefined;
  resolve: () => void;
  reject: (reason: unknown) => void;
  cleanup: () => void;
}

/** Raised when a request can never be served (more tokens than the bucket holds). */
export class TokenRequestTooLargeError extends RangeError {
  constructor(readonly bucket: string, readonly tokens: number, readonly burst: number) {
    super(`rate limit ${bucket}: asked for ${tokens} tokens but the bucket holds at most ${burst}`);
    this.name = 'TokenRequestTooLargeError';
  }
}

/**
 * A token bucket on the injected clock, with its waiters in line by request order (sessions
 * first, each class FIFO by request time: queue/request-order.ts). The head of the line is
 * served first even when a smaller request behind it would fit, so a waiter's position means
 * something and big requests (a warm batch) are not starved by small ones.
 *
 * Guarantee: over any window of `t` seconds at most `burst + ratePerSec * t` tokens are handed
 * out (refill never exceeds the configured rate; adaptive changes only lower it).
 */
export class TokenBucket {
  readonly name: string;
  readonly burst: number;
  readonly configuredRatePerSec: number;
  private readonly clock: Clock;
  private readonly adaptive: AdaptiveOptions;
  private rate: number;
  private tokens: number;
  private last: number;
  private readonly waiters: Waiter[] = [];
  private timer: TimerHandle | undefined;
  private readonly poolYieldMs: number;

  constructor(opts: TokenBucketOptions) {
    if (!(opts.burst >= 1) || !(opts.ratePerSec > 0)) {
      throw new RangeError(`rate limit ${opts.name}: need burst >= 1 and ratePerSec > 0, got burst=${opts.burst} ratePerSec=${opts.ratePerSec}`);
    }
    this.clock = opts.clock;
    this.name = opts.name;
    this.burst = opts.burst;
    this.configuredRatePerSec = opts.ratePerSec;
    this.rate = opts.ratePerSec;
    this.adaptive = opts.adaptive ?? DEFAULT_ADAPTIVE;
    this.tokens = opts.burst;
    this.last = this.clock.now();
    this.poolYieldMs = opts.poolYieldMs ?? DEFAULT_POOL_YIELD_MS;
  }

  /** The refill rate now (tokens/s); below the configured rate after throttling. */
  get ratePerSec(): number {
    return this.rate;
  }

  /** Tokens available now (fractional). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Number of callers waiting. */
  waiting(): number {
    return this.waiters.length;
  }

  /** Takes `tokens` if available now and nobody is queued ahead; never waits. */
  tryTake(tokens = 1): boolean {
    this.refill();
    if (this.waiters.length > 0 || this.tokens < tokens) return false;
    this.tokens -= tokens;
    return true;
  }

  /**
   * Waits (on the clock, in request order) until `tokens` are available and takes them. Rejects
   * with the signal's reason when it aborts first. `key` names the waiter for `positionOf`; a
   * request ranked before every waiter takes free tokens at once.
   */
  acquire(tokens = 1, opts: AcquireOptions = {}): Promise<void> {
    if (tokens > this.burst) return Promise.reject(new TokenRequestTooLargeError(this.name, tokens, this.burst));
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    const order = opts.order ?? { class: 'session', requestedAt: this.clock.now() };
    const place = { rank: rankOf(order, this.poolYieldMs), seq: order.seq ?? nextRequestSeq() };
    const head = this.waiters[0];
    this.refill();
    if ((!head || goesBefore(place, head)) && this.tokens >= tokens) {
      this.tokens -= tokens;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const signal = opts.signal;
      const onAbort = (): void => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason);
        this.arm();
      };
      const waiter: Waiter = { tokens, ...place, key: opts.key, resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) };
      signal?.addEventListener('abort', onAbort, { once: true });
      // A waiter ranked before the head changes what the timer waits for.
      if (insertByRank(this.waiters, waiter) === 0) this.rearm();
      else this.arm();
    });
  }

  /** Position of the first waiter with `key`, and its estimated wait at the current rate. */
  positionOf(key: string): WaitPosition | undefined {
    this.refill();
    let needed = -this.tokens;
    for (let i = 0; i < this.waiters.length; i++) {
      const w = this.waiters[i] as Waiter;
      needed += w.tokens;
      if (w.key === key) return { position: i + 1, estimatedWaitMs: Math.max(0, Math.ceil((needed / this.rate) * 1000)) };
    }
    return undefined;
  }

  /** AWS said ThrottlingException: the real bucket is empty and our rate is too high. */
  onThrottled(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    this.rate = Math.max(this.configuredRatePerSec * this.adaptive.minRateFraction, this.rate * this.adaptive.decreaseFactor);
    this.rearm();
  }

  /** A call went through: recover the refill rate a little. */
  onSuccess(): void {
    if (this.rate >= this.configuredRatePerSec) return;
    this.refill();
    this.rate = Math.min(this.configuredRatePerSec, this.rate + this.configuredRatePerSec * this.adaptive.recoveryFractionPerSuccess);
    this.rearm();
  }

  private refill(): void {
    const now = this.clock.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
  }

  private rearm(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.arm();
  }

  /** Serves waiters that can be served now and sets one timer for the next. */
  private arm(): void {
    if (this.timer) return;
    this.refill();
    while (this.waiters.length > 0 && this.tokens >= (this.waiters[0] as Waiter).tokens) {
      const w = this.waiters.shift() as Waiter;
      this.tokens -= w.tokens;
      w.cleanup();
      w.resolve();
    }
    const head = this.waiters[0];
    if (!head) return;
    // +1 ms absorbs float rounding so the timer never fires a hair early and spins.
    const delay = Math.ceil(((head.tokens - this.tokens) / this.rate) * 1000);
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.arm();
    }, Math.max(1, delay));
  }
}
