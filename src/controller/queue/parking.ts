/**
 * Workers parked on a rate limit. A reconcile that waits for rate-limit tokens holds its key
 * (so no other worker takes it) but does no work; while it is parked the worker pool lends its
 * slot to another key, so status-only reconciles (a task turned RUNNING) are not stuck behind a
 * burst of launches waiting on ECS's buckets. The bucket's FIFO order and queue positions stay.
 */
export class Parking {
  private parked = 0;
  private readonly listeners = new Set<() => void>();

  /** Marks one worker parked; call the returned function exactly once when it resumes. */
  park(): () => void {
    this.parked++;
    this.emit();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.parked--;
      this.emit();
    };
  }

  count(): number {
    return this.parked;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }
}
