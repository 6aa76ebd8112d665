export { ReconcilerMetrics, CONTROLLER_NAME, QUEUE_NAME, LEASE_NAME, type ReconcilerMetricsOptions } from './reconciler-metrics.js';
export { tapDesiredSnapshots } from './desired-tap.js';
export { isConverged, unconvergedSince, computeSummary, type ScrapeSource, type ScrapeSummary } from './scrape-source.js';
export { OUTCOME_LABELS, AWS_OPERATIONS } from './call-outcome-sink.js';
export type { WarmClaimResult, BreakerStateLabel } from './esr-metrics.js';
