/**
 * The desired-state brake: when desired state vanishes or shrinks abruptly while tasks of ours
 * run, the controller stops stopping. Launches continue; stops wait until the brake is released.
 *
 * Engages, on a full sync, when tasks of ours run and either
 * - `marker-missing`: the store's marker key is gone (FLUSHALL, a new empty Redis, a wrong
 *   prefix); or
 * - `desired-drop`: the desired task count fell, since the last accepted sync, by at least
 *   `minDrop` and by more than `dropFraction` of it.
 * - `mass-expiry`: sessions expire suddenly (README "Session lifetimes"): the expiries admitted
 *   within the last `expiryWindowMs` (one resync period) would reach `minDrop` and exceed
 *   `expiryFraction` of the desired count of the last accepted sync; or, at a full sync, that
 *   many sessions are due to expire at once. This is what a gateway outage (no touches at all)
 *   or a clock jump looks like; ordinary idle sessions expire a few at a time.
 * While engaged, stops wait; expiries wait only while it is engaged for a mass expiry. Releases itself when desired state is back (marker
 * present, no abrupt drop against the count before the brake engaged, and no mass of sessions
 * due to expire), or when an operator releases it (`reconciler brake release`): then the current
 * desired state is accepted as the new baseline, a missing marker is acknowledged until it
 * reappears, and the sessions due to expire may expire (until a sync shows no mass due again).
 */
import type { Clock } from '../../common/clock.js';
import type { StoreMarker } from '../../desired/types.js';

export interface BrakeSyncFacts {
  /** Desired task count (desiredTaskCount). */
  desired: number;
  /** Tasks of ours observed running. */
  tasks: number;
  marker: StoreMarker | undefined;
  /** Sessions due to expire at this sync (lifetime.ts dueExpiries); absent: 0. */
  expiring?: number;
}

export type BrakeReason = 'marker-missing' | 'desired-drop' | 'mass-expiry';

export type BrakeState =
  | { engaged: false; releasedBy?: 'desired-back' | 'operator'; at?: number }
  | { engaged: true; reason: BrakeReason; message: string; since: number; baseline: number | undefined };

export interface BrakeOptions {
  clock: Clock;
  /** Share of the desired count whose loss in one resync engages the brake, 0..1 (default 0.5). */
  dropFraction?: number;
  /** Fewer lost desired tasks (or expiries) than this never engage the brake (default 10). */
  minDrop?: number;
  /** Share of the desired count whose expiry within one window engages the brake, 0..1 (default 0.1). */
  expiryFraction?: number;
  /** The window expiries are counted in, ms (default 30 000: one resync period). */
  expiryWindowMs?: number;
}

export const DEFAULT_BRAKE_DROP_FRACTION = 0.5;
export const DEFAULT_BRAKE_MIN_DROP = 10;
export const DEFAULT_BRAKE_EXPIRY_FRACTION = 0.1;

export class DesiredStateBrake {
  private current: BrakeState = { engaged: false };
  /** The desired count of the last accepted sync (undefined before the first). */
  private baseline: number | undefined;
  private last: BrakeSyncFacts | undefined;
  private markerAcknowledged = false;
  /** When the expiries of the current window were admitted (epoch ms, oldest first). */
  private expiries: number[] = [];
  /** An operator accepted a mass expiry: admitted without counting until a sync shows none due. */
  private expiryAcknowledged = false;
  private readonly listeners = new Set<(s: BrakeState) => void>();
  readonly dropFraction: number;
  readonly minDrop: number;
  readonly expiryFraction: number;
  readonly expiryWindowMs: number;

  constructor(private readonly o: BrakeOptions) {
    this.dropFraction = o.dropFraction ?? DEFAULT_BRAKE_DROP_FRACTION;
    this.minDrop = o.minDrop ?? DEFAULT_BRAKE_MIN_DROP;
    this.expiryFraction = o.expiryFraction ?? DEFAULT_BRAKE_EXPIRY_FRACTION;
    this.expiryWindowMs = o.expiryWindowMs ?? 30_000;
    if (!(this.dropFraction > 0 && this.dropFraction <= 1)) throw new RangeError(`brake drop fraction must be in (0, 1], got ${this.dropFraction}`);
    if (!(this.expiryFraction > 0 && this.expiryFraction <= 1)) throw new RangeError(`brake expiry fraction must be in (0, 1], got ${this.expiryFraction}`);
  }

  /** True when `n` expiries at once are sudden against a desired count of `of`. */
  private massExpiry(n: number, of: number): boolean {
    return n >= this.minDrop && n > this.expiryFraction * of;
  }

  /**
   * Asks to expire one session now. Refused while the brake is engaged for a mass expiry; engages it (and refuses)
   * when this expiry would make the window's expiries sudden (see the class comment).
   */
  admitExpiry(): 'allow' | { wait: string } {
    const engaged = this.current;
    if (engaged.engaged && engaged.reason === 'mass-expiry') return { wait: `safety brake engaged (${engaged.reason}): ${engaged.message}` };
    // Under another brake (desired state vanished or shrank) a session still expires: its status
    // says so at once, and the stop of its task waits for that brake like every stop.
    if (engaged.engaged || this.expiryAcknowledged) return 'allow';
    const now = this.o.clock.now();
    while (this.expiries.length > 0 && this.expiries[0]! <= now - this.expiryWindowMs) this.expiries.shift();
    const n = this.expiries.length + 1;
    const of = this.baseline ?? 0;
    if (this.massExpiry(n, of)) {
      const message = `${n} sessions would expire within ${Math.round(this.expiryWindowMs / 1000)} s (more than ${Math.round(this.expiryFraction * 100)}% of ${of} desired): a gateway that stopped touching them?`;
      this.set({ engaged: true, reason: 'mass-expiry', message, since: now, baseline: this.baseline });
      return { wait: message };
    }
    this.expiries.push(now);
    return 'allow';
  }

  /**
   * For soak tests and diagnostics: `expiries` (admitted within the expiry window: <= the
   * mass-expiry threshold, since one more engages the brake) and `listeners` (fixed at wiring).
   */
  sizes(): Record<string, number> {
    return { expiries: this.expiries.length, listeners: this.listeners.size };
  }

  state(): BrakeState {
    return this.current;
  }

  engaged(): boolean {
    return this.current.engaged;
  }

  onChange(listener: (s: BrakeState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private dropOf(f: BrakeSyncFacts, from: number | undefined): string | undefined {
    if (from === undefined || f.tasks === 0) return undefined;
    const lost = from - f.desired;
    if (lost < this.minDrop || lost / Math.max(1, from) <= this.dropFraction) return undefined;
    return `desired tasks dropped from ${from} to ${f.desired} in one resync (more than ${Math.round(this.dropFraction * 100)}%) while ${f.tasks} tasks run`;
  }

  /** Feeds one full sync's facts. Call before the sync's keys are processed. */
  observe(f: BrakeSyncFacts): void {
    this.last = f;
    if (f.marker) this.markerAcknowledged = false;
    const markerMissing = !f.marker && f.tasks > 0 && !this.markerAcknowledged;
    const expiring = f.expiring ?? 0;
    const massDue = this.massExpiry(expiring, f.desired);
    if (!massDue) this.expiryAcknowledged = false;
    if (this.current.engaged) {
      if (!markerMissing && !this.dropOf(f, this.current.baseline) && !massDue) this.set({ engaged: false, releasedBy: 'desired-back', at: this.o.clock.now() });
      if (!this.current.engaged) this.baseline = f.desired;
      return;
    }
    const drop = this.dropOf(f, this.baseline);
    if (massDue && !this.expiryAcknowledged) {
      this.set({ engaged: true, reason: 'mass-expiry', message: `${expiring} of ${f.desired} desired sessions are due to expire at once (at least ${this.minDrop} and more than ${Math.round(this.expiryFraction * 100)}%): a gateway that stopped touching them?`, since: this.o.clock.now(), baseline: this.baseline ?? f.desired });
    } else if (markerMissing) {
      // With no earlier sync to compare with, the running tasks are the best guess of what was desired.
      const baseline = this.baseline ?? f.tasks;
      this.set({ engaged: true, reason: 'marker-missing', message: `the desired-state marker key is missing (store wiped?) while ${f.tasks} tasks of ours run`, since: this.o.clock.now(), baseline });
    } else if (drop) {
      this.set({ engaged: true, reason: 'desired-drop', message: drop, since: this.o.clock.now(), baseline: this.baseline });
    } else {
      this.baseline = f.desired;
    }
  }

  /** Operator release: accepts the current desired state as it is. Returns whether it was engaged. */
  release(): boolean {
    if (!this.current.engaged) return false;
    if (this.current.reason === 'mass-expiry') this.expiryAcknowledged = true;
    else this.baseline = this.last?.desired;
    if (this.last && !this.last.marker) this.markerAcknowledged = true;
    this.set({ engaged: false, releasedBy: 'operator', at: this.o.clock.now() });
    return true;
  }

  private set(s: BrakeState): void {
    this.current = s;
    for (const l of this.listeners) {
      try {
        l(s);
      } catch {
        // listeners (logs, metrics) must not break the brake
      }
    }
  }
}
