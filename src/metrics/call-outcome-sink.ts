/**
 * The AWS call guard's metrics decorator: every guarded call's outcome and duration. Wraps an
 * inner sink (events, logs) so several observers share the one hook.
 */
import type { CallOutcome, CallOutcomeEvent, CallOutcomeSink } from '../controller/resilience/call-outcome.js';
import type { EsrMetrics } from './esr-metrics.js';

/** Outcome label values (snake_case, as Prometheus labels usually are). */
export const OUTCOME_LABELS: Record<CallOutcome, string> = {
  ok: 'ok',
  throttled: 'throttled',
  error: 'error',
  timeout: 'timeout',
  rejectedByBreaker: 'rejected_by_breaker',
  aborted: 'aborted',
};

/** The AWS operations the controller calls, by service (series are created at 0 for these). */
export const AWS_OPERATIONS: Readonly<Record<'ecs' | 'efs', readonly string[]>> = {
  ecs: ['ListTasks', 'DescribeTasks', 'RunTask', 'StopTask', 'TagResource', 'RegisterTaskDefinition', 'DescribeTaskDefinition', 'ListTaskDefinitions'],
  efs: ['CreateAccessPoint', 'DescribeAccessPoints', 'DeleteAccessPoint'],
};

export function initialiseAwsSeries(m: EsrMetrics): void {
  for (const [service, ops] of Object.entries(AWS_OPERATIONS)) {
    for (const operation of ops) {
      for (const outcome of Object.values(OUTCOME_LABELS)) m.awsRequests.inc({ service, operation, outcome }, 0);
      m.awsDuration.zero({ service, operation });
      m.awsRateLimitWait.zero({ service, operation });
    }
  }
}

export function callOutcomeMetricsSink(m: EsrMetrics, inner?: CallOutcomeSink): CallOutcomeSink {
  return {
    record(e: CallOutcomeEvent): void {
      const labels = { service: e.service, operation: e.operation };
      m.awsRequests.inc({ ...labels, outcome: OUTCOME_LABELS[e.outcome] });
      if (e.outcome !== 'rejectedByBreaker' && e.outcome !== 'aborted' && e.durationMs > 0) m.awsDuration.observe(labels, e.durationMs / 1000);
      if (e.waitedMs > 0) m.awsRateLimitWait.observe(labels, e.waitedMs / 1000);
      inner?.record(e);
    },
  };
}
