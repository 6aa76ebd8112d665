/**
 * The one place that decides what an AWS (ECS, EFS) failure means for the controller.
 *
 * Rules:
 * - `throttled`: the account's token bucket at AWS is empty. Retry later (queue backoff) and
 *   slow our own bucket down; never counts against a circuit breaker.
 * - `notFound`: the thing is gone (task, access point, cluster). A fact, not a fault: the
 *   caller decides (stop of a missing task is success). Not retried, not a breaker fault.
 * - `conflict`: a `clientToken` reused with different parameters (ECS `ConflictException`,
 *   EFS `IdempotentParameterMismatch`). A bug or a changed spec; not retried as-is.
 * - `alreadyExists`: EFS `AccessPointAlreadyExists` (carries `AccessPointId`): the idempotent
 *   create already happened; callers treat it as success.
 * - `transient`: a real fault on the far side or the network (5xx, `$fault: server`, connection
 *   errors, SDK `$retryable`). Retried with backoff; counts against the breaker.
 * - `timeout`: our deadline (or the SDK request timeout) expired. Retried; counts against the breaker.
 * - `aborted`: the caller cancelled (e.g. shutdown). Not retried, not a fault.
 * - `circuitOpen`: rejected locally by an open breaker. Retried after `retryAfterMs`.
 * - `quotaExceeded`: a service quota or resource limit is reached (EFS `AccessPointLimitExceeded`,
 *   HTTP 403: at most 10,000 access points per file system unless raised, per
 *   https://docs.aws.amazon.com/efs/latest/ug/create-access-point.html; ECS/other
 *   `LimitExceededException`, `ServiceQuotaExceededException`). No blind retry: the answer
 *   changes only when something is freed or the quota is raised, so the caller records the
 *   refusal, reports it in the status, and asks again once after a recheck interval.
 * - `accessDenied`: IAM said no (`AccessDeniedException`, expired or unknown credentials). No
 *   blind retry; the status names it.
 * - `invalidRequest`: the request itself is wrong (validation, other 4xx client errors). Fails
 *   the step; retrying the same request cannot change the answer.
 * - `terminal`: programming errors (TypeError and the like). Never retried.
 *
 * `KIND_POLICY` below is the table of each kind's reaction and status reason.
 */

export type AwsErrorKind =
  | 'throttled'
  | 'notFound'
  | 'conflict'
  | 'alreadyExists'
  | 'transient'
  | 'timeout'
  | 'aborted'
  | 'circuitOpen'
  | 'quotaExceeded'
  | 'accessDenied'
  | 'invalidRequest'
  | 'terminal';

/**
 * What the controller does about a failure of a kind:
 * - `retryWithBackoff`: the work queue retries the key with capped, jittered per-key backoff;
 * - `noBlindRetry`: the refusal is recorded and reported; one new attempt after a recheck interval;
 * - `fail`: the step fails; the status says why;
 * - `handledByCaller`: a fact, not a fault (not found, already exists, cancelled).
 */
export type AwsErrorReaction = 'retryWithBackoff' | 'noBlindRetry' | 'fail' | 'handledByCaller';

/** Each kind's reaction and the `reason` a status condition carries for it (quota errors carry the AWS code instead, see statusReasonOf). */
export const KIND_POLICY: Readonly<Record<AwsErrorKind, { reaction: AwsErrorReaction; reason: string }>> = {
  throttled: { reaction: 'retryWithBackoff', reason: 'Throttled' },
  transient: { reaction: 'retryWithBackoff', reason: 'AwsUnavailable' },
  timeout: { reaction: 'retryWithBackoff', reason: 'AwsTimeout' },
  circuitOpen: { reaction: 'retryWithBackoff', reason: 'Unavailable' },
  notFound: { reaction: 'handledByCaller', reason: 'NotFound' },
  alreadyExists: { reaction: 'handledByCaller', reason: 'AlreadyExists' },
  aborted: { reaction: 'handledByCaller', reason: 'Aborted' },
  quotaExceeded: { reaction: 'noBlindRetry', reason: 'QuotaExceeded' },
  accessDenied: { reaction: 'noBlindRetry', reason: 'AccessDenied' },
  conflict: { reaction: 'fail', reason: 'Conflict' },
  invalidRequest: { reaction: 'fail', reason: 'InvalidRequest' },
  terminal: { reaction: 'fail', reason: 'InternalError' },
};

/** Where a failed call was going; carried by every typed error for logs and status. */
export interface AwsCallContext {
  service: 'ecs' | 'efs' | string;
  operation: string;
  key?: string;
}

const THROTTLE_NAMES = new Set([
  'ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException',
  'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown',
  'ProvisionedThroughputExceededException', 'PriorRequestNotComplete', 'BandwidthLimitExceeded',
]);
const NOT_FOUND_NAMES = new Set([
  'ResourceNotFoundException', 'ClusterNotFoundException', 'ServiceNotFoundException',
  'TaskSetNotFoundException', 'TargetNotFoundException', 'NamespaceNotFoundException',
  'AccessPointNotFound', 'FileSystemNotFound', 'MountTargetNotFound', 'PolicyNotFound',
]);
const CONFLICT_NAMES = new Set(['ConflictException', 'IdempotentParameterMismatch', 'IdempotentParameterMismatchException']);
const QUOTA_NAMES = new Set([
  'AccessPointLimitExceeded', 'FileSystemLimitExceeded', 'NetworkInterfaceLimitExceeded', 'SecurityGroupLimitExceeded',
  'LimitExceededException', 'ServiceQuotaExceededException', 'ThroughputLimitExceeded', 'TooManyTagsException',
]);
const ACCESS_DENIED_NAMES = new Set([
  'AccessDeniedException', 'AccessDenied', 'UnauthorizedOperation', 'UnrecognizedClientException',
  'InvalidClientTokenId', 'ExpiredTokenException', 'ExpiredToken', 'InvalidSignatureException', 'MissingAuthenticationToken',
]);
const ALREADY_EXISTS_NAMES = new Set(['AccessPointAlreadyExists', 'FileSystemAlreadyExists']);
const TRANSIENT_NAMES = new Set([
  'ServerException', 'InternalServerError', 'InternalServerErrorException', 'InternalFailure',
  'ServiceUnavailable', 'ServiceUnavailableException', 'RequestTimeout', 'RequestTimeoutException',
  'IncorrectFileSystemLifeCycleState', 'UpdateInProgressException',
]);
/** ECS reports missing tasks as a ClientException / InvalidParameterException with this kind of text. */
const NOT_FOUND_MESSAGE = /not found|does not exist|could not be found|no such|is missing/i;
const NOT_FOUND_MESSAGE_NAMES = new Set(['ClientException', 'InvalidParameterException', 'ValidationException']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH',
  'ENETUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT',
]);
const PROGRAMMING_ERRORS = new Set(['TypeError', 'RangeError', 'ReferenceError', 'SyntaxError']);

interface ErrorShape {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  cause?: unknown;
}

function shape(err: unknown): ErrorShape {
  return typeof err === 'object' && err !== null ? (err as ErrorShape) : {};
}

/** Classifies any thrown value. Typed errors from this module keep their kind. */
export function classify(err: unknown): AwsErrorKind {
  if (err instanceof AwsCallError) return err.kind;
  const e = shape(err);
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;

  if (THROTTLE_NAMES.has(name) || THROTTLE_NAMES.has(code) || status === 429) return 'throttled';
  if (name === 'AbortError' || code === 'ABORT_ERR') return 'aborted';
  if (name === 'TimeoutError' || name === 'DeadlineExceededError') return 'timeout';
  if (NOT_FOUND_NAMES.has(name)) return 'notFound';
  if (NOT_FOUND_MESSAGE_NAMES.has(name) && NOT_FOUND_MESSAGE.test(message)) return 'notFound';
  if (CONFLICT_NAMES.has(name)) return 'conflict';
  if (ALREADY_EXISTS_NAMES.has(name)) return 'alreadyExists';
  // Before the status rules: AccessPointLimitExceeded is an HTTP 403, not an access denial.
  if (QUOTA_NAMES.has(name) || QUOTA_NAMES.has(code)) return 'quotaExceeded';
  if (ACCESS_DENIED_NAMES.has(name) || ACCESS_DENIED_NAMES.has(code)) return 'accessDenied';
  if (TRANSIENT_NAMES.has(name)) return 'transient';
  if (NETWORK_CODES.has(code) || /socket hang up|ECONNRESET|ECONNREFUSED/i.test(message)) return 'transient';
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) return 'transient';
  if (typeof e.$retryable === 'object' && e.$retryable !== null) return 'transient';
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) return 'invalidRequest';
  if (PROGRAMMING_ERRORS.has(name)) return 'terminal';
  // A wrapped error (e.g. from a helper) is judged by its cause.
  if (e.cause !== undefined && e.cause !== err) return classify(e.cause);
  // Unknown, non-AWS failures (no status, no fault) are most often network trouble below the SDK;
  // the level-triggered loop makes retrying them cheap and safe.
  return 'transient';
}

/** Kinds the work queue retries with per-key backoff (KIND_POLICY reaction `retryWithBackoff`). */
export function isRetryableKind(kind: AwsErrorKind): boolean {
  return KIND_POLICY[kind].reaction === 'retryWithBackoff';
}

/**
 * The `reason` a status condition gives for a failure: the AWS error code for quota errors
 * (e.g. `AccessPointLimitExceeded`, so the gateway sees which limit), else the kind's reason
 * from KIND_POLICY.
 */
export function statusReasonOf(err: unknown): string {
  const kind = classify(err);
  if (kind === 'quotaExceeded') {
    const code = awsCodeOf(err);
    if (code) return code;
  }
  return KIND_POLICY[kind].reason;
}

/** The AWS error name (code) of a failure, looking through typed wrappers; undefined when not from AWS. */
export function awsCodeOf(err: unknown): string | undefined {
  if (err instanceof AwsCallError) return err.awsCode ?? awsCodeOf(err.cause);
  const e = shape(err);
  return typeof e.name === 'string' && e.$metadata ? e.name : undefined;
}

/** Kinds that count as a fault of the dependency for its circuit breaker. */
export function isDependencyFault(kind: AwsErrorKind): boolean {
  return kind === 'transient' || kind === 'timeout';
}

/** Base of the typed errors: the kind, where the call was going, and the original error as `cause`. */
export class AwsCallError extends Error {
  readonly kind: AwsErrorKind;
  readonly service: string;
  readonly operation: string;
  readonly key: string | undefined;
  /** The AWS error name (code), when the failure came from AWS. */
  readonly awsCode: string | undefined;
  readonly httpStatusCode: number | undefined;

  constructor(kind: AwsErrorKind, ctx: AwsCallContext, message: string, cause?: unknown) {
    super(`${ctx.service}:${ctx.operation}${ctx.key ? ` [${ctx.key}]` : ''} ${kind}: ${message}`, { cause });
    this.name = new.target.name;
    this.kind = kind;
    this.service = ctx.service;
    this.operation = ctx.operation;
    this.key = ctx.key;
    const s = shape(cause);
    this.awsCode = typeof s.name === 'string' && s.$metadata ? s.name : undefined;
    this.httpStatusCode = typeof s.$metadata?.httpStatusCode === 'number' ? s.$metadata.httpStatusCode : undefined;
  }

  get retryable(): boolean {
    return isRetryableKind(this.kind);
  }
}

export class ThrottledError extends AwsCallError {}
export class NotFoundError extends AwsCallError {}
export class ConflictError extends AwsCallError {}
/** The resource exists already; `existingId` is e.g. the EFS AccessPointId from the error. */
export class AlreadyExistsError extends AwsCallError {
  readonly existingId: string | undefined;
  constructor(ctx: AwsCallContext, message: string, cause?: unknown) {
    super('alreadyExists', ctx, message, cause);
    const id = (cause as { AccessPointId?: unknown; FileSystemId?: unknown } | undefined) ?? {};
    this.existingId = typeof id.AccessPointId === 'string' ? id.AccessPointId : typeof id.FileSystemId === 'string' ? id.FileSystemId : undefined;
  }
}
export class TransientError extends AwsCallError {}
/** The call's deadline (or step budget) expired; `budgetMs` is what it was given. */
export class CallTimeoutError extends AwsCallError {
  readonly budgetMs: number | undefined;
  constructor(ctx: AwsCallContext, message: string, cause?: unknown, budgetMs?: number) {
    super('timeout', ctx, message, cause);
    this.budgetMs = budgetMs;
  }
}
export class AbortedError extends AwsCallError {}
export class TerminalError extends AwsCallError {}
/** A quota or resource limit refused the request (e.g. EFS AccessPointLimitExceeded); `awsCode` names it. */
export class QuotaExceededError extends AwsCallError {}
export class AccessDeniedError extends AwsCallError {}
export class InvalidRequestError extends AwsCallError {}

/** Wraps any failure in the typed error for its kind (idempotent for typed errors). */
export function toAwsCallError(err: unknown, ctx: AwsCallContext, kind: AwsErrorKind = classify(err)): AwsCallError {
  if (err instanceof AwsCallError) return err;
  const msg = err instanceof Error ? err.message || err.name : String(err);
  switch (kind) {
    case 'throttled': return new ThrottledError(kind, ctx, msg, err);
    case 'notFound': return new NotFoundError(kind, ctx, msg, err);
    case 'conflict': return new ConflictError(kind, ctx, msg, err);
    case 'alreadyExists': return new AlreadyExistsError(ctx, msg, err);
    case 'transient': return new TransientError(kind, ctx, msg, err);
    case 'timeout': return new CallTimeoutError(ctx, msg, err);
    case 'aborted': return new AbortedError(kind, ctx, msg, err);
    case 'quotaExceeded': return new QuotaExceededError(kind, ctx, msg, err);
    case 'accessDenied': return new AccessDeniedError(kind, ctx, msg, err);
    case 'invalidRequest': return new InvalidRequestError(kind, ctx, msg, err);
    case 'circuitOpen':
    case 'terminal':
      return new TerminalError(kind, ctx, msg, err);
  }
}

export const isThrottled = (err: unknown): boolean => classify(err) === 'throttled';
export const isNotFound = (err: unknown): boolean => classify(err) === 'notFound';
export const isConflict = (err: unknown): boolean => classify(err) === 'conflict';
export const isAlreadyExists = (err: unknown): boolean => classify(err) === 'alreadyExists';
export const isTransient = (err: unknown): boolean => classify(err) === 'transient';
export const isTimeout = (err: unknown): boolean => classify(err) === 'timeout';
export const isAborted = (err: unknown): boolean => classify(err) === 'aborted';
/** The request cannot succeed as sent: invalid, denied, over a quota, or a programming error. */
export const isTerminal = (err: unknown): boolean => {
  const kind = classify(err);
  return kind === 'terminal' || kind === 'invalidRequest' || kind === 'accessDenied' || kind === 'quotaExceeded';
};
export const isQuotaExceeded = (err: unknown): boolean => classify(err) === 'quotaExceeded';
export const isAccessDenied = (err: unknown): boolean => classify(err) === 'accessDenied';
export const isInvalidRequest = (err: unknown): boolean => classify(err) === 'invalidRequest';
export const isCircuitOpenKind = (err: unknown): boolean => classify(err) === 'circuitOpen';
