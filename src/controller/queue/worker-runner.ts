import PQueue from 'p-queue';
import type { RateLimitingQueue } from './rate-limiting-queue.js';
import type { ShutdownReport } from './work-queue.js';
import type { Parking } from './parking.js';

/**
 * What a handler returns (controller-runtime `Result`): nothing = done, forget the backoff;
 * `requeueAfter` = look again after that many ms (backoff reset); `requeue` = retry with backoff.
 * Throwing = retry with backoff, unless the error says `retryable === false` (terminal):
 * then the key is forgotten and the next change or resync brings it back.
 */
export type ReconcileResult = void | undefined | { requeue: true } | { requeueAfter: number };

/** The `result` label of a processed key, for metrics. */
export type ResultLabel = 'success' | 'requeue' | 'requeue_after' | 'error' | 'terminal_error';

export interface HandlerContext {
  /** Aborted when shutdown's drain deadline passes; pass it on to every call. */
  signal: AbortSignal;
}

export type KeyHandler<K> = (key: K, ctx: HandlerContext) => Promise<ReconcileResult>;

export interface RunWorkersOptions<K> {
  /** Called with every outcome; errors carry the thrown value. */
  onResult?: (key: K, label: ResultLabel, err?: unknown) => void;
  /** Overrides the terminal-error rule (default: `err.retryable === false` is terminal). */
  isRetryable?: (err: unknown) => boolean;
  /** Workers parked on a rate limit lend their slot: capacity is `concurrency + parked` (capped). */
  parking?: Parking;
  /**
   * Upper bound of parked workers whose slots are lent (default: no bound). A parked worker is a
   * pending promise holding one key, cheap; bounding it would let a burst of launches occupy every
   * slot again.
   */
  maxParked?: number;
}

export interface WorkerPool {
  /** Resolves when the dispatcher has stopped and in-flight handlers have settled. */
  readonly finished: Promise<void>;
  /** Number of handlers running now. */
  running(): number;
  /**
   * Stops taking keys, lets in-flight handlers finish for up to `drainTimeoutMs`, then aborts
   * their signal. Returns the queue's report of what was left.
   */
  shutdown(drainTimeoutMs: number): Promise<ShutdownReport>;
}

function defaultIsRetryable(err: unknown): boolean {
  return !(typeof err === 'object' && err !== null && (err as { retryable?: unknown }).retryable === false);
}

/**
 * Runs `handler` over the queue's keys with at most `concurrency` at once (p-queue holds the
 * running handlers). A key is taken from the queue only when a slot is free, so keys never
 * sit "processing" while merely waiting for a worker. The loop owns requeue and backoff reset.
 */
export function runWorkers<K>(
  queue: RateLimitingQueue<K>,
  concurrency: number,
  handler: KeyHandler<K>,
  opts: RunWorkersOptions<K> = {},
): WorkerPool {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be an integer >= 1, got ${concurrency}`);
  const pq = new PQueue({ concurrency });
  const abort = new AbortController();
  const isRetryable = opts.isRetryable ?? defaultIsRetryable;
  const report = opts.onResult ?? (() => undefined);

  const processOne = async (key: K): Promise<void> => {
    try {
      const result = await handler(key, { signal: abort.signal });
      if (result && 'requeueAfter' in result && result.requeueAfter > 0) {
        queue.forget(key);
        queue.addAfter(key, result.requeueAfter);
        report(key, 'requeue_after');
      } else if (result && 'requeue' in result && result.requeue) {
        queue.addRateLimited(key);
        report(key, 'requeue');
      } else {
        queue.forget(key);
        report(key, 'success');
      }
    } catch (err) {
      if (isRetryable(err)) {
        queue.addRateLimited(key);
        report(key, 'error', err);
      } else {
        queue.forget(key);
        report(key, 'terminal_error', err);
      }
    } finally {
      queue.done(key);
    }
  };

  const maxParked = opts.maxParked ?? Number.POSITIVE_INFINITY;
  const capacity = (): number => concurrency + Math.min(maxParked, opts.parking?.count() ?? 0);
  let wake: (() => void) | undefined;
  const stopWatching = opts.parking?.onChange(() => {
    pq.concurrency = capacity();
    wake?.();
  });
  const slotFree = (): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      pq.once('next', () => resolve());
    });

  const dispatch = async (): Promise<void> => {
    for (;;) {
      while (pq.pending + pq.size >= capacity()) await slotFree();
      wake = undefined;
      // tryGet first: no promise per key while work is queued (throughput), get() when idle.
      const key = queue.tryGet() ?? (await queue.get());
      if (key === undefined) break;
      void pq.add(() => processOne(key));
    }
    await pq.onIdle();
    stopWatching?.();
  };

  const finished = dispatch();
  return {
    finished,
    running: () => pq.pending,
    async shutdown(drainTimeoutMs: number): Promise<ShutdownReport> {
      const result = await queue.shutdown({ drainTimeoutMs });
      if (!result.drained) abort.abort(new Error(`work queue ${queue.name}: drain deadline of ${drainTimeoutMs} ms passed`));
      return result;
    },
  };
}
