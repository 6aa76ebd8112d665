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
  /**
   * The retention of the last purge and the earliest moment a task can expire after it: the
   * first expiry among the tasks it saw stopped, and at most `keep` after the purge (a stop made
   * later reaches STOPPED later still). Before that moment a purge finds nothing.
   */
  private purged: { keep: number; nextAt: number } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly retentionMs: () => number,
  ) {}

  add(task: TaskRecord): void {
    this.tasks.set(task.id, { ...task, seq: ++this.seq });
  }

  /**
   * Drops tasks whose retention after STOPPED has passed. With a positive retention it walks the
   * tasks only once the earliest possible expiry has come (see `purged`), so the many reads of a
   * busy simulation cost one pass per expiry, not one pass each.
   */
  purge(): void {
    const now = this.clock.now();
    const keep = this.retentionMs();
    if (keep > 0 && this.purged?.keep === keep && now < this.purged.nextAt) return;
    let nextAt = now + keep;
    for (const [id, t] of this.tasks) {
      const stoppedAt = stoppedAtOf(t, now);
      if (stoppedAt === undefined) continue;
      if (stoppedAt + keep <= now) this.tasks.delete(id);
      else nextAt = Math.min(nextAt, stoppedAt + keep);
    }
    this.purged = { keep, nextAt };
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
