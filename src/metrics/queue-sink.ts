/**
 * The work queue's metrics decorator: a `QueueMetricsSink` writing client-go's workqueue
 * series. The queue reports milliseconds; Prometheus gets seconds. The time a worker held a key
 * is also the reconcile time (`controller_runtime_reconcile_time_seconds`): the worker runner
 * holds a key exactly for one reconcile.
 */
import type { QueueMetricsSink } from '../controller/queue/metrics.js';
import type { ControllerRuntimeMetrics } from './controller-runtime-metrics.js';

export function queueMetricsSink(m: ControllerRuntimeMetrics, controller: string): QueueMetricsSink {
  return {
    add: (name) => m.adds.inc({ name }),
    depth: (name, depth) => m.depth.set({ name }, depth),
    queueDuration: (name, ms) => m.queueDuration.observe({ name }, ms / 1000),
    workDuration: (name, ms) => {
      m.workDuration.observe({ name }, ms / 1000);
      m.reconcileTime.observe({ controller }, ms / 1000);
    },
    retry: (name) => m.retries.inc({ name }),
    unfinishedWork: (name, totalMs, longestMs) => {
      m.unfinishedWork.set({ name }, totalMs / 1000);
      m.longestRunning.set({ name }, longestMs / 1000);
    },
  };
}
