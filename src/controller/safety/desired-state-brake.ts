/**
 * The desired-state brake: when desired state vanishes or shrinks abruptly while tasks of ours
 * run, the controller stops stopping. Launches continue; stops wait until the brake is released.
 *
 * Engages, on a full sync, when tasks of ours run and either
 * - `marker-missing`: the store's marker key is gone (FLUSHALL, a new empty Redis, a wrong
 *   prefix); or
 * - `desired-drop`: the desired task count fell, since the last accepted sync, by at least
 *   `minDrop` and by more than `dropFraction` of it.
 * Releases itself when desired state is back (marker present and no abrupt drop against the
 * count before the brake engaged), or when an operator releases it (`reconciler brake release`):
 * then the current desired state is accepted as the new baseline, and a missing marker is
 * acknowledged until it reappears.
 */
import type { Clock } from '../../common/clock.js';
import type { StoreMarker } from '../../desired/types.js';

export interface BrakeSyncFacts {
  /** Desired task count (desiredTaskCount). */
  desired: number;
  /** Tasks of ours observed running. */
  tasks: number;
  marker: StoreMarker | undefined;
}

export type BrakeReason = 'marker-missing' | 'desired-drop';

export type BrakeState =
  | { engaged: false; releasedBy?: 'desired-back' | 'operator'; at?: number }
  | { engaged: true; reason: BrakeReason; message: string; since: number; baseline: number | undefined };

export interface BrakeOptions {
  clock: Clock;
  /** Share of the desired count whose loss in one resync engages the brake, 0..1 (default 0.5). */
  dropFraction?: number;
  /** Fewer lost desired tasks than this never engage the brake (default 10). */
  minDrop?: number;
}

export const DEFAULT_BRAKE_DROP_FRACTION = 0.5;
export const DEFAULT_BRAKE_MIN_DROP = 10;

export class DesiredStateBrake {
  private current: BrakeState = { engaged: false };
  /** The desired count of the last accepted sync (undefined before the first). */
  private baseline: number | undefined;
  private last: BrakeSyncFacts | undefined;
  private markerAcknowledged = false;
  private readonly listeners = new Set<(s: BrakeState) => void>();
  readonly dropFraction: number;
  readonly minDrop: number;

  constructor(private readonly o: BrakeOptions) {
    this.dropFraction = o.dropFraction ?? DEFAULT_BRAKE_DROP_FRACTION;
    this.minDrop = o.minDrop ?? DEFAULT_BRAKE_MIN_DROP;
    if (!(this.dropFraction > 0 && this.dropFraction <= 1)) throw new RangeError(`brake drop fraction must be in (0, 1], got ${this.dropFraction}`);
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
    if (this.current.engaged) {
      if (!markerMissing && !this.dropOf(f, this.current.baseline)) this.set({ engaged: false, releasedBy: 'desired-back', at: this.o.clock.now() });
      if (!this.current.engaged) this.baseline = f.desired;
      return;
    }
    const drop = this.dropOf(f, this.baseline);
    if (markerMissing) {
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
    this.baseline = this.last?.desired;
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
