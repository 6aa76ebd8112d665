import type { Clock, TimerHandle } from '../../common/clock.js';
import { MinHeap } from '../../controller/queue/min-heap.js';

/**
 * Items that fall due at `at` (epoch ms), handed to `onDue` in time order (ties: insertion
 * order) when the clock reaches them, with a single clock timer for the earliest, however many
 * items wait (a VirtualClock scans its timers linearly, so one timer per item would not scale).
 */
export class DueHeap<T extends { at: number }> {
  private readonly heap = new MinHeap<{ item: T; seq: number }>((a, b) => a.item.at < b.item.at || (a.item.at === b.item.at && a.seq < b.seq));
  private timer: { handle: TimerHandle; at: number } | undefined;
  private seq = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (item: T) => void,
  ) {}

  get size(): number {
    return this.heap.size;
  }

  push(item: T): void {
    this.heap.push({ item, seq: this.seq++ });
    this.arm();
  }

  clear(): void {
    this.heap.clear();
    if (this.timer) this.clock.clearTimer(this.timer.handle);
    this.timer = undefined;
  }

  private arm(): void {
    const top = this.heap.peek();
    if (!top || (this.timer && this.timer.at <= top.item.at)) return;
    if (this.timer) this.clock.clearTimer(this.timer.handle);
    const at = top.item.at;
    this.timer = { at, handle: this.clock.setTimer(() => this.fire(), at - this.clock.now()) };
  }

  private fire(): void {
    this.timer = undefined;
    const now = this.clock.now();
    for (let e = this.heap.peek(); e && e.item.at <= now; e = this.heap.peek()) {
      this.heap.pop();
      this.onDue(e.item);
    }
    this.arm();
  }
}
