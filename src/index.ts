/**
 * Package root: the gateway's client library and the desired-state types it shares with the
 * controller. `import { connectSessionClient } from 'ecs-session-reconciler'`.
 */
export { SessionClient, connectSessionClient, DEFAULT_WAIT_TIMEOUT_MS, DEFAULT_RECHECK_MS } from './desired/client.js';
export type { ConnectOptions, ReadyStatus, SessionClientOptions, WaitOptions, WaitTuning } from './desired/client.js';
export {
  DesiredError,
  FencedError,
  InvalidSpecError,
  OversizeError,
  RedisUnavailableError,
  SessionFailedError,
  UnknownTemplateError,
  WaitAbortedError,
  WriteConflictError,
  NotReplicatedError,
  SessionNotFoundError,
  WaitTimeoutError,
  ClientClosedError,
  SessionExpiredError,
  isSessionExpiredError,
  isNotReplicatedError,
  isSessionNotFoundError,
  isWaitTimeoutError,
  isClientClosedError,
  isFencedError,
  isInvalidSpecError,
  isOversizeError,
  isRedisUnavailableError,
  isSessionFailedError,
  isUnknownTemplateError,
  isWaitAbortedError,
  isWriteConflictError,
} from './desired/errors.js';
export type { DesiredErrorCode } from './desired/errors.js';
export {
  SCHEMA_VERSION,
  SESSION_ID_MAX_LENGTH,
  SESSION_ID_PATTERN,
  LIFETIME_SECONDS_MAX,
  SessionSpecInputSchema,
  SessionSpecSchema,
  SessionStatusSchema,
  WarmPoolSpecSchema,
  findCondition,
  isReady,
} from './desired/schema.js';
export type {
  Condition,
  ConditionStatus,
  Endpoint,
  KnownConditionType,
  LastError,
  LaunchIntent,
  Lifetime,
  Persistence,
  SessionPhase,
  SessionSpec,
  SessionSpecInput,
  SessionStatus,
  WarmPoolSpec,
} from './desired/schema.js';
export type { InvalidRecord, ListOptions, SessionEntry, SessionPage, SpecWriteResult, TouchResult } from './desired/types.js';
export { createRedisConnection, redisConfigFromEnv } from './desired/redis-connection.js';
export type { RedisConnectionConfig } from './desired/redis-connection.js';
