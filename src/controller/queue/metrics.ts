/**
 * Hooks through which a metrics decorator observes a work queue (modelled on client-go's
 * workqueue metrics). All durations are milliseconds on the queue's Clock. The queue calls
 * these synchronously on its hot path, so implementations must be cheap and never throw.
 */
export interface QueueMetricsSink {
  /** A key was added (including merged adds of a key already queued). */
  add(queue: string): void;
  /** The number of keys waiting to be processed (not counting in-flight or delayed keys). */
  depth(queue: string, depth: number): void;
  /** Time a key waited between being queued and being handed to a worker. */
  queueDuration(queue: string, ms: number): void;
  /** Time a worker held a key (get -> done). */
  workDuration(queue: string, ms: number): void;
  /** A key was requeued through the rate limiter (a retry). */
  retry(queue: string): void;
  /**
   * Work in progress that has not called done yet: total age of all in-flight keys and the
   * age of the oldest one. Emitted when `reportUnfinishedWork()` is called (e.g. on scrape).
   */
  unfinishedWork(queue: string, totalMs: number, longestRunningMs: number): void;
}

/** The default sink: discards everything. */
export const noopQueueMetrics: QueueMetricsSink = {
  add: () => undefined,
  depth: () => undefined,
  queueDuration: () => undefined,
  workDuration: () => undefined,
  retry: () => undefined,
  unfinishedWork: () => undefined,
};
