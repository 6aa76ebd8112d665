export { TokenBucket, TokenRequestTooLargeError, DEFAULT_ADAPTIVE, type AdaptiveOptions, type TokenBucketOptions, type WaitPosition } from './token-bucket.js';
export { RateLimiterRegistry, type RateLimitPosition } from './rate-limiter-registry.js';
export { rateLimitsConfigSchema, parseRateLimitsConfig, defaultBucketsFor, DEFAULT_BUCKETS, FARGATE_RUN_TASK_BUCKET, EC2_RUN_TASK_BUCKET, DEFAULT_FALLBACK_BUCKET, type RateLimitsConfig, type BucketConfig } from './rate-limits-config.js';
export { DependencyBreaker, type BreakerOptions, type BreakerState } from './circuit-breaker.js';
export { CircuitOpenError, isCircuitOpen } from './circuit-open-error.js';
export { Deadline, DeadlineExceededError, timeoutSignal, type ScopedSignal } from './deadline.js';
export { timeoutsConfigSchema, stepBudgetsSchema, validateTimeoutBudgets, loadTimeoutsConfig, TimeoutBudgetError, DEFAULT_MARGIN_FACTOR, type TimeoutsConfig } from './timeouts-config.js';
export { AwsCallGuard, type GuardedCall, type QueuePosition, type AwsCallGuardOptions } from './call-guard.js';
export { noopCallOutcomeSink, type CallOutcome, type CallOutcomeEvent, type CallOutcomeSink } from './call-outcome.js';
