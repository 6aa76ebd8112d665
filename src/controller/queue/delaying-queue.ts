import type { TimerHandle } from '../../common/clock.js';
import { MinHeap } from './min-heap.js';
import { higherPriority, type QueuePriority } from './priority-fifo.js';
import { WorkQueue, type AddOptions, type WorkQueueOptions } from './work-queue.js';

interface Waiting<K> {
  key: K;
  readyAt: number;
  priority: QueuePriority;
}

/**
 * The second layer (client-go `DelayingInterface`): `addAfter` holds a key until a moment on
 * the clock, then adds it. Rules: a key waits at most once; a second `addAfter` keeps the
 * earlier ready time and the higher priority; delays <= 0 add at once. One clock timer is
 * armed, for the earliest ready time.
 */
export class DelayingQueue<K = string> extends WorkQueue<K> {
  private readonly waiting = new Map<K, Waiting<K>>();
  private readonly heap = new MinHeap<Waiting<K>>((a, b) => a.readyAt < b.readyAt);
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;

  constructor(opts: WorkQueueOptions) {
    super(opts);
  }

  /** Adds `key` after `delayMs` milliseconds on the clock. */
  addAfter(key: K, delayMs: number, opts: AddOptions = {}): void {
    if (this.shuttingDown()) return;
    const priority = opts.priority ?? 'changed';
    if (!(delayMs > 0)) {
      this.add(key, { priority });
      return;
    }
    const readyAt = this.clock.now() + delayMs;
    const existing = this.waiting.get(key);
    if (existing && existing.readyAt <= readyAt) {
      existing.priority = higherPriority(existing.priority, priority);
      return;
    }
    const entry: Waiting<K> = { key, readyAt, priority: existing ? higherPriority(existing.priority, priority) : priority };
    this.waiting.set(key, entry);
    this.heap.push(entry);
    this.arm();
  }

  /**
   * Adds `delayed` (keys waiting on a delay: <= distinct keys) and `delayHeap` (heap entries,
   * superseded ones included until they surface: <= addAfter calls within the longest delay).
   */
  override sizes(): Record<string, number> {
    return { ...super.sizes(), delayed: this.waiting.size, delayHeap: this.heap.size };
  }

  /** Keys waiting on a delay. */
  delayedLen(): number {
    return this.waiting.size;
  }

  /** When `key` becomes ready (ms on the clock), if it is waiting. */
  readyAt(key: K): number | undefined {
    return this.waiting.get(key)?.readyAt;
  }

  protected override onShutdown(): void {
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  protected override delayedKeys(): unknown[] {
    const keys = [...this.waiting.keys()];
    this.waiting.clear();
    this.heap.clear();
    return keys;
  }

  private arm(): void {
    const head = this.peekLive();
    if (!head) return;
    if (this.timer && this.timerAt <= head.readyAt) return;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timerAt = head.readyAt;
    this.timer = this.clock.setTimer(() => this.fire(), head.readyAt - this.clock.now());
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    for (;;) {
      const head = this.peekLive();
      if (!head || head.readyAt > now) break;
      this.heap.pop();
      this.waiting.delete(head.key);
      this.add(head.key, { priority: head.priority });
    }
    this.arm();
  }

  /** The earliest entry that is still the key's current wait (superseded ones are dropped). */
  private peekLive(): Waiting<K> | undefined {
    for (;;) {
      const head = this.heap.peek();
      if (!head) return undefined;
      if (this.waiting.get(head.key) === head) return head;
      this.heap.pop();
    }
  }
}
