/**
 * Time goes through a Clock so that the whole controller can run on virtual time
 * (deterministic simulation, unit tests without real sleeps) or on the wall clock.
 *
 * Units: every time value is in milliseconds; `now()` is milliseconds since the Unix epoch.
 */
export interface TimerHandle {
  readonly id: number;
}

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once after `delayMs` (clamped to >= 0). */
  setTimer(fn: () => void, delayMs: number): TimerHandle;
  /** Cancels a timer; cancelling a fired or unknown timer is a no-op. */
  clearTimer(handle: TimerHandle): void;
  /** Resolves after `delayMs`; rejects with the signal's reason when `signal` aborts first. */
  sleep(delayMs: number, signal?: AbortSignal): Promise<void>;
}

/** Shared sleep built on setTimer/clearTimer so both clocks abort identically. */
function sleepOn(clock: Clock, delayMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clock.clearTimer(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimer(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, delayMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The wall clock. Timers are unref'd so they never keep a process alive on their own. */
export class RealClock implements Clock {
  private nextId = 1;
  private readonly timers = new Map<number, NodeJS.Timeout>();

  now(): number {
    return Date.now();
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    const t = setTimeout(() => {
      this.timers.delete(id);
      fn();
    }, Math.max(0, delayMs));
    t.unref();
    this.timers.set(id, t);
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    const t = this.timers.get(handle.id);
    if (t) {
      clearTimeout(t);
      this.timers.delete(handle.id);
    }
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }
}

interface VirtualTimer {
  id: number;
  at: number;
  seq: number;
  fn: () => void;
}

/** Lets every pending promise continuation run (one macrotask turn drains all microtasks). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Virtual time: nothing happens until `advance`/`runUntil` moves the clock. Timers due at
 * the same instant fire in the order they were set. After each timer fires, pending
 * promise continuations run before the next timer, so async code observes a consistent
 * order. Deterministic for a given sequence of calls.
 */
export class VirtualClock implements Clock {
  private current: number;
  private nextId = 1;
  private seq = 0;
  private readonly timers = new Map<number, VirtualTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  setTimer(fn: () => void, delayMs: number): TimerHandle {
    const id = this.nextId++;
    // Whole milliseconds, like Date.now(): fractional delays round up.
    this.timers.set(id, { id, at: this.current + Math.max(0, Math.ceil(delayMs)), seq: this.seq++, fn });
    return { id };
  }

  clearTimer(handle: TimerHandle): void {
    this.timers.delete(handle.id);
  }

  sleep(delayMs: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, delayMs, signal);
  }

  /** Number of timers not yet fired. */
  pendingTimers(): number {
    return this.timers.size;
  }

  /** The due time of the earliest pending timer, or undefined when none is pending. */
  nextDueAt(): number | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers.values()) if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best?.at;
  }

  private takeNextDue(limit: number): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const t of this.timers.values()) {
      if (t.at > limit) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    if (best) this.timers.delete(best.id);
    return best;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, in order. */
  async advance(ms: number): Promise<void> {
    await this.runUntil(this.current + Math.max(0, ms));
  }

  /** Moves time to `targetMs`, firing due timers in order and draining microtasks between them. */
  async runUntil(targetMs: number): Promise<void> {
    targetMs = Math.ceil(targetMs);
    await flushMicrotasks();
    for (;;) {
      const t = this.takeNextDue(targetMs);
      if (!t) break;
      this.current = Math.max(this.current, t.at);
      t.fn();
      await flushMicrotasks();
    }
    this.current = Math.max(this.current, targetMs);
    await flushMicrotasks();
  }

  /**
   * Advances until `done()` is true, checking after every timer; returns the virtual time spent.
   * Throws when `maxMs` of virtual time passes first, so a stuck system fails loudly.
   */
  async advanceUntil(done: () => boolean, maxMs: number): Promise<number> {
    const start = this.current;
    const limit = start + maxMs;
    await flushMicrotasks();
    while (!done()) {
      const next = this.nextDueAt();
      if (next === undefined || next > limit) {
        throw new Error(`VirtualClock.advanceUntil: condition not met after ${this.current - start} ms of virtual time`);
      }
      await this.runUntil(next);
    }
    return this.current - start;
  }
}
