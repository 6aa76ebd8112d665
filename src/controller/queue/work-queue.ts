import type { Clock, TimerHandle } from '../../common/clock.js';
import { noopQueueMetrics, type QueueMetricsSink } from './metrics.js';
import { higherPriority, PriorityFifo, type QueuePriority } from './priority-fifo.js';

export interface AddOptions {
  /** Default `changed`; the periodic resync passes `resync`. */
  priority?: QueuePriority;
}

export interface WorkQueueOptions {
  clock: Clock;
  /** Label for metrics and errors. */
  name?: string;
  metrics?: QueueMetricsSink;
  /**
   * After this long (ms) a `resync` key competes with `changed` keys by age. Default 5000:
   * a full resync pass is cheap to delay by seconds, but must not wait behind a change storm.
   */
  agingMs?: number;
}

/** What `shutdown` left undone; keys are listed so the caller can log or hand them over. */
export interface ShutdownReport {
  /** True when every in-flight key called done before the drain deadline. */
  drained: boolean;
  /** Keys still being processed when the deadline passed. */
  inFlight: unknown[];
  /** Keys queued (or re-added while in flight) that were never started. */
  queued: unknown[];
  /** Keys waiting on a delay or a backoff (delaying queue and above). */
  delayed: unknown[];
  /** Virtual or real ms spent waiting for in-flight work. */
  waitedMs: number;
}

/**
 * The base layer (client-go `Type`): a deduplicating queue of keys.
 *
 * Rules:
 * - a key is pending at most once; adding a pending key merges (keeps the higher priority);
 * - a key handed out by `get` is *processing* until `done`; it is never handed out again
 *   before `done`, so no two workers ever hold the same key;
 * - a key added while processing is remembered and queued once more at `done` (adds merge);
 * - after `shutdown` starts, adds are ignored and `get` returns undefined: no new work.
 */
export class WorkQueue<K = string> {
  protected readonly clock: Clock;
  protected readonly metrics: QueueMetricsSink;
  readonly name: string;
  private readonly pending: PriorityFifo<K>;
  /** Key -> when the current worker got it. */
  private readonly processing = new Map<K, number>();
  /** Keys added while processing, with the priority and time of their first such add. */
  private readonly dirtyWhileProcessing = new Map<K, { priority: QueuePriority; addedAt: number }>();
  private readonly waiters: Array<(key: K | undefined) => void> = [];
  private stopping = false;
  private drainWaiter: (() => void) | undefined;

  constructor(opts: WorkQueueOptions) {
    this.clock = opts.clock;
    this.metrics = opts.metrics ?? noopQueueMetrics;
    this.name = opts.name ?? 'work';
    this.pending = new PriorityFifo<K>(opts.agingMs ?? 5000);
  }

  /** Queues `key` (or merges with its pending or in-flight occurrence). */
  add(key: K, opts: AddOptions = {}): void {
    if (this.stopping) return;
    const priority = opts.priority ?? 'changed';
    this.metrics.add(this.name);
    if (this.processing.has(key)) {
      const prior = this.dirtyWhileProcessing.get(key);
      this.dirtyWhileProcessing.set(key, prior
        ? { priority: higherPriority(prior.priority, priority), addedAt: prior.addedAt }
        : { priority, addedAt: this.clock.now() });
      return;
    }
    this.enqueue(key, priority, this.clock.now());
  }

  /** The next key by priority, waiting when none is pending; undefined once shutdown starts. */
  get(): Promise<K | undefined> {
    const key = this.tryGet();
    if (key !== undefined || this.stopping) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The next key, or undefined without waiting. */
  tryGet(): K | undefined {
    if (this.stopping) return undefined;
    const now = this.clock.now();
    const next = this.pending.pop(now);
    if (!next) return undefined;
    this.processing.set(next.key, now);
    this.metrics.depth(this.name, this.pending.size);
    this.metrics.queueDuration(this.name, now - next.addedAt);
    return next.key;
  }

  /** Marks the worker's hold on `key` finished; queues it again if it was added meanwhile. */
  done(key: K): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return;
    this.processing.delete(key);
    this.metrics.workDuration(this.name, this.clock.now() - startedAt);
    const dirty = this.dirtyWhileProcessing.get(key);
    if (dirty && !this.stopping) {
      this.dirtyWhileProcessing.delete(key);
      this.enqueue(key, dirty.priority, dirty.addedAt);
    }
    if (this.stopping && this.processing.size === 0) this.drainWaiter?.();
  }

  /**
   * Entries of the queue's maps and lists, for soak tests and diagnostics. Bounds: `pending`,
   * `processing`, `dirtyWhileProcessing` <= distinct keys (one each at most); `pendingEntries` <=
   * 2 x distinct keys (a key upgraded from resync to changed leaves one stale entry); `waiters` <=
   * workers. Layers above add theirs.
   */
  sizes(): Record<string, number> {
    return {
      pending: this.pending.size,
      pendingEntries: this.pending.entries(),
      processing: this.processing.size,
      dirtyWhileProcessing: this.dirtyWhileProcessing.size,
      waiters: this.waiters.length,
    };
  }

  /** Keys pending (not processing, not delayed). */
  len(): number {
    return this.pending.size;
  }

  /** Keys currently held by workers. */
  inFlight(): number {
    return this.processing.size;
  }

  isProcessing(key: K): boolean {
    return this.processing.has(key);
  }

  isPending(key: K): boolean {
    return this.pending.has(key);
  }

  shuttingDown(): boolean {
    return this.stopping;
  }

  /** Reports unfinished work (sum of in-flight ages and the oldest) to the metrics sink. */
  reportUnfinishedWork(): { totalMs: number; longestRunningMs: number } {
    const now = this.clock.now();
    let totalMs = 0;
    let longestRunningMs = 0;
    for (const startedAt of this.processing.values()) {
      totalMs += now - startedAt;
      longestRunningMs = Math.max(longestRunningMs, now - startedAt);
    }
    this.metrics.unfinishedWork(this.name, totalMs, longestRunningMs);
    return { totalMs, longestRunningMs };
  }

  /**
   * Stops handing out work, then waits up to `drainTimeoutMs` (on the clock) for in-flight
   * keys to call done. Resolves with what was left; never rejects.
   */
  async shutdown(opts: { drainTimeoutMs?: number } = {}): Promise<ShutdownReport> {
    const started = this.clock.now();
    this.stopping = true;
    for (const w of this.waiters.splice(0)) w(undefined);
    this.onShutdown();
    const queued = [...this.pending.keys(), ...this.dirtyWhileProcessing.keys()];
    this.pending.clear();
    this.dirtyWhileProcessing.clear();
    if (this.processing.size > 0) await this.waitForDrain(opts.drainTimeoutMs ?? 30_000);
    return {
      drained: this.processing.size === 0,
      inFlight: [...this.processing.keys()],
      queued,
      delayed: this.delayedKeys(),
      waitedMs: this.clock.now() - started,
    };
  }

  /** Layers above release their own timers here. */
  protected onShutdown(): void {}

  /** Layers above report their delayed keys here. */
  protected delayedKeys(): unknown[] {
    return [];
  }

  private enqueue(key: K, priority: QueuePriority, addedAt: number): void {
    this.pending.push(key, priority, addedAt);
    this.metrics.depth(this.name, this.pending.size);
    if (this.waiters.length > 0) {
      const next = this.tryGet();
      if (next !== undefined) (this.waiters.shift() as (key: K | undefined) => void)(next);
    }
  }

  private waitForDrain(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer: TimerHandle = this.clock.setTimer(() => this.drainWaiter?.(), timeoutMs);
      this.drainWaiter = () => {
        this.clock.clearTimer(timer);
        this.drainWaiter = undefined;
        resolve();
      };
    });
  }
}
