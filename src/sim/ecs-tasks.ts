import type { Clock } from '../common/clock.js';
import type { Rng } from '../common/rng.js';
import { stoppedAtOf, type TaskRecord } from './task-lifecycle.js';

/**
 * The task store: every task not yet expired, in creation order (ListTasks pages follow it).
 * A STOPPED task vanishes `retentionMs` after it stopped; `purge` applies that and is called
 * before every read, so expiry needs no timers.
 */
export class TaskStore {
  private readonly tasks = new Map<string, TaskRecord & { seq: number }>();
  private seq = 0;
  /** The instant and retention of the last purge: a purge repeated at the same instant finds nothing new. */
  private purged: { at: number; keep: number } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly retentionMs: () => number,
  ) {}

  add(task: TaskRecord): void {
    this.tasks.set(task.id, { ...task, seq: ++this.seq });
  }

  /**
   * Drops tasks whose retention after STOPPED has passed. Runs once per clock instant: with a
   * positive retention nothing stopped at or after the last purge can expire at that instant
   * (so many reads at one virtual instant cost one pass, not one pass each).
   */
  purge(): void {
    const now = this.clock.now();
    const keep = this.retentionMs();
    if (keep > 0 && this.purged?.at === now && this.purged.keep === keep) return;
    this.purged = { at: now, keep };
    for (const [id, t] of this.tasks) {
      const stoppedAt = stoppedAtOf(t, now);
      if (stoppedAt !== undefined && stoppedAt + keep <= now) this.tasks.delete(id);
    }
  }

  get(id: string): (TaskRecord & { seq: number }) | undefined {
    this.purge();
    return this.tasks.get(id);
  }

  /** Every live task, oldest first. */
  list(): Array<TaskRecord & { seq: number }> {
    this.purge();
    return [...this.tasks.values()];
  }

  /** Tasks held now, STOPPED ones within their retention included (without purging first). */
  size(): number {
    return this.tasks.size;
  }

  delete(id: string): void {
    this.tasks.delete(id);
  }

  clear(): void {
    this.tasks.clear();
  }
}

/** Draws a duration in [min, max] ms. */
export function drawMs(rng: Rng, r: { min: number; max: number }): number {
  return Math.round(r.min + rng.next() * (r.max - r.min));
}
