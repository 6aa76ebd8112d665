import type { Clock } from '../../common/clock.js';
import type { Rng } from '../../common/rng.js';
import type { SimAccount } from '../arns.js';
import { drawMs } from '../ecs-tasks.js';
import type { TaskEventFaults } from '../faults.js';
import { transitionTimes, type TaskRecord } from '../task-lifecycle.js';
import { taskView } from '../task-view.js';
import { DueHeap } from './due-heap.js';
import { taskStateChangeEvent } from './task-event-envelope.js';

export interface TaskEventEmitterDeps {
  clock: Clock;
  /** Its own RNG, so turning events on does not change the draws of tasks and faults. */
  rng: Rng;
  account: SimAccount;
  /** The delivery faults in force (read at each event). */
  faults: () => TaskEventFaults;
  /** Puts one message body into the target queue. */
  deliver: (body: string) => void;
}

/** What happened to the events so far. */
export interface TaskEventCounts {
  emitted: number;
  delivered: number;
  lost: number;
  duplicated: number;
  delayedForReorder: number;
}

interface Tracked {
  task: TaskRecord;
  lastVersion: number;
  nextAt: number | undefined;
}

/**
 * Plays EventBridge for the simulator: watches every task it is told about and, at each status
 * change (computed from the task's timestamps, see task-lifecycle.ts), builds an "ECS Task State
 * Change" event and delivers it to the queue after the configured delay, possibly duplicated,
 * held back (reordered) or lost. One clock timer for the next status change and one for the
 * next delivery, whatever the number of tasks (virtual clocks scan their timers linearly).
 */
export class TaskEventEmitter {
  private readonly tracked = new Map<string, Tracked>();
  /** The next status change of each tracked task (stale entries are skipped). */
  private readonly changes: DueHeap<{ at: number; arn: string }>;
  private readonly deliveries: DueHeap<{ at: number; body: string }>;
  readonly counts: TaskEventCounts = { emitted: 0, delivered: 0, lost: 0, duplicated: 0, delayedForReorder: 0 };

  constructor(private readonly d: TaskEventEmitterDeps) {
    this.changes = new DueHeap(d.clock, (e) => {
      const t = this.tracked.get(e.arn);
      if (t && t.nextAt === e.at) this.check(t);
    });
    this.deliveries = new DueHeap(d.clock, (e) => {
      this.counts.delivered++;
      this.d.deliver(e.body);
    });
  }

  /** A task was created or asked to stop: emit what changed now and watch for the next change. */
  taskChanged(task: TaskRecord): void {
    let t = this.tracked.get(task.arn);
    if (!t) this.tracked.set(task.arn, (t = { task, lastVersion: 0, nextAt: undefined }));
    t.task = task;
    this.check(t);
  }

  /** Forgets every task and undelivered event (simulator reset). */
  reset(): void {
    this.tracked.clear();
    this.changes.clear();
    this.deliveries.clear();
  }

  /** Events emitted but not yet delivered. */
  /** Tasks followed (until STOPPED) and events waiting to be delivered (soak tests). */
  sizes(): Record<string, number> {
    return { tracked: this.tracked.size, deliveries: this.deliveries.size };
  }

  pending(): number {
    return this.deliveries.size;
  }

  private check(t: Tracked): void {
    const now = this.d.clock.now();
    const version = taskView(t.task, now, false).version ?? 0;
    if (version > t.lastVersion) {
      t.lastVersion = version;
      this.emit(t.task, now);
    }
    const next = transitionTimes(t.task).find((at) => at > now);
    t.nextAt = next;
    if (next === undefined) this.tracked.delete(t.task.arn);
    else this.changes.push({ at: next, arn: t.task.arn });
  }

  private emit(task: TaskRecord, now: number): void {
    this.counts.emitted++;
    const f = this.d.faults();
    const rng = this.d.rng;
    if (f.lossRate > 0 && rng.next() < f.lossRate) {
      this.counts.lost++;
      return;
    }
    const body = JSON.stringify(taskStateChangeEvent(task, now, this.d.account, rng));
    const copies = f.duplicateRate > 0 && rng.next() < f.duplicateRate ? 2 : 1;
    if (copies > 1) this.counts.duplicated++;
    for (let i = 0; i < copies; i++) {
      let delay = drawMs(rng, f.delayMs);
      if (f.reorderRate > 0 && rng.next() < f.reorderRate) {
        delay += drawMs(rng, f.reorderDelayMs);
        this.counts.delayedForReorder++;
      }
      this.deliveries.push({ at: now + delay, body });
    }
  }
}
