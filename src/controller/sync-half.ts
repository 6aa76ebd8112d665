/**
 * One half of the full resync: the desired state (Redis) or the observed state (ECS/EFS). The
 * halves read, fail and retry independently, so an outage of one dependency neither stops the
 * other's reads nor multiplies them:
 *
 * - `run()` reads now (concurrent callers share one read). A failed read schedules its own
 *   retry after a backoff of the project's retry policy (full jitter) while the half is armed;
 *   retries continue until one succeeds, and a success resets the backoff.
 * - While a retry is pending, the periodic resync leaves the half alone (`runUnlessRetrying`)
 *   and the hints loop waits for that retry (`fresh`): during an outage the dependency sees
 *   only the backoff's attempts.
 */
import type { Clock, TimerHandle } from '../common/clock.js';
import type { Backoff, RetryPolicy } from '../common/retry-policy.js';

export interface SyncHalfOptions {
  /** `desired` or `observed`: names errors. */
  name: string;
  /** Reads the half and applies it to the cache; rejects when the dependency failed. */
  read: () => Promise<void>;
  /** After every successful read (enqueue keys, feed the brake). */
  onSuccess: () => void;
  /** Every failed read. */
  onError: (err: unknown) => void;
  clock: Clock;
  policy: RetryPolicy;
}

export class SyncHalf {
  private inflight: Promise<void> | undefined;
  private retryTimer: TimerHandle | undefined;
  private readonly backoff: Backoff;
  private armed = false;
  private readonly waiters = new Set<() => void>();
  /** A read has succeeded at least once. */
  succeeded = false;
  /** Reads attempted (successful or not). */
  attempts = 0;
  /** When the last read succeeded (clock ms); undefined before the first success. */
  lastSuccessAt: number | undefined;
  /**
   * When the last successful read began (clock ms): what it applied is at least this fresh.
   * A read that began before an event may not show it even when it ends after (a lost answer's
   * effect, a change made while the read's pages were in flight); only one begun after it does.
   */
  lastSuccessBeganAt: number | undefined;
  /** When the current run of failures began (clock ms); undefined while the last read succeeded. */
  failingSince: number | undefined;
  /** The last failed read's error message (cleared by a success). */
  lastError: string | undefined;

  constructor(private readonly o: SyncHalfOptions) {
    this.backoff = o.policy.backoff();
  }

  /** Failed reads in a row since the last success. */
  get failures(): number {
    return this.backoff.failures;
  }

  /** True while a retry after a failure is pending. */
  get retrying(): boolean {
    return this.retryTimer !== undefined;
  }

  /** From now on a failed read schedules its retry (the controller runs). */
  arm(): void {
    this.armed = true;
  }

  /** Cancels a pending retry; no new ones are scheduled. */
  stop(): void {
    this.armed = false;
    if (this.retryTimer) this.o.clock.clearTimer(this.retryTimer);
    this.retryTimer = undefined;
  }

  /** One read now, shared with one in flight; rejects with its error. */
  run(): Promise<void> {
    if (!this.inflight) {
      this.attempts++;
      const beganAt = this.o.clock.now();
      this.inflight = this.o
        .read()
        .then(
          () => {
            this.backoff.reset();
            this.succeeded = true;
            this.lastSuccessAt = this.o.clock.now();
            this.lastSuccessBeganAt = beganAt;
            this.failingSince = undefined;
            this.lastError = undefined;
            if (this.retryTimer) this.o.clock.clearTimer(this.retryTimer);
            this.retryTimer = undefined;
            this.o.onSuccess();
            for (const w of [...this.waiters]) w();
          },
          (err: unknown) => {
            this.failingSince ??= this.o.clock.now();
            this.lastError = err instanceof Error ? err.message : String(err);
            this.o.onError(err);
            this.scheduleRetry();
            throw err;
          },
        )
        .finally(() => {
          this.inflight = undefined;
        });
    }
    return this.inflight;
  }

  /** A read now, unless a retry is pending (its backoff decides when the dependency is asked again). */
  runUnlessRetrying(): Promise<void> {
    return this.retrying ? Promise.reject(new Error(`${this.o.name} read skipped: retrying after a failure`)) : this.run();
  }

  /**
   * Resolves after a successful read that began after this call: a read now when no retry is
   * pending (rejects when it fails), else the pending retry's (or a later one's) success.
   * Rejects when `signal` aborts.
   */
  fresh(signal: AbortSignal): Promise<void> {
    if (!this.retrying) return this.run();
    return this.nextSuccess(signal);
  }

  /** Resolves at the first success (at once when one happened); rejects when `signal` aborts. */
  whenSucceeded(signal: AbortSignal): Promise<void> {
    return this.succeeded ? Promise.resolve() : this.nextSuccess(signal);
  }

  private nextSuccess(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      const done = (): void => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.waiters.delete(done);
        reject(signal.reason);
      };
      this.waiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private scheduleRetry(): void {
    if (!this.armed || this.retryTimer) return;
    this.retryTimer = this.o.clock.setTimer(() => {
      this.retryTimer = undefined;
      this.run().catch(() => undefined); // reported by onError; the next retry is scheduled
    }, this.backoff.next());
  }
}
