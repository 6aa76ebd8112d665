/**
 * Typed errors of the desired-state layer. Each has a stable `code` and an `is...` check that
 * works across module copies (it checks `code`, not only `instanceof`).
 */

export type DesiredErrorCode =
  | 'INVALID_SPEC'
  | 'OVERSIZE'
  | 'UNKNOWN_TEMPLATE'
  | 'REDIS_UNAVAILABLE'
  | 'FENCED'
  | 'SESSION_FAILED'
  | 'WAIT_ABORTED'
  | 'WRITE_CONFLICT'
  | 'STORE_ERROR'
  | 'NOT_REPLICATED'
  | 'SESSION_NOT_FOUND'
  | 'WAIT_TIMEOUT'
  | 'CLIENT_CLOSED'
  | 'SESSION_EXPIRED';

export class DesiredError extends Error {
  readonly code: DesiredErrorCode;
  constructor(code: DesiredErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

function hasCode(err: unknown, code: DesiredErrorCode): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

/** A spec field failed validation; `field` is a dotted path such as `env.AWS_REGION`. */
export class InvalidSpecError extends DesiredError {
  constructor(
    readonly field: string,
    readonly why: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_SPEC', `invalid spec: ${field || '(root)'}: ${why}`, options);
  }
}
export const isInvalidSpecError = (e: unknown): e is InvalidSpecError => hasCode(e, 'INVALID_SPEC');

/** A value is larger than its limit, in `unit` (bytes, chars or entries). */
export class OversizeError extends DesiredError {
  constructor(
    readonly field: string,
    readonly size: number,
    readonly limit: number,
    readonly unit: 'bytes' | 'chars' | 'entries' = 'bytes',
  ) {
    super('OVERSIZE', `${field || '(root)'} is ${size} ${unit}, limit ${limit}`);
  }
}
export const isOversizeError = (e: unknown): e is OversizeError => hasCode(e, 'OVERSIZE');

/** The template is not in the allow-list the client was configured with. */
export class UnknownTemplateError extends DesiredError {
  constructor(
    readonly template: string,
    readonly allowed: readonly string[],
  ) {
    super('UNKNOWN_TEMPLATE', `unknown template "${template}"; allowed: ${allowed.join(', ') || '(none)'}`);
  }
}
export const isUnknownTemplateError = (e: unknown): e is UnknownTemplateError => hasCode(e, 'UNKNOWN_TEMPLATE');

/** Redis could not be reached or did not answer in time; the operation may be retried. */
export class RedisUnavailableError extends DesiredError {
  constructor(
    readonly operation: string,
    options: { cause: unknown },
  ) {
    super('REDIS_UNAVAILABLE', `redis unavailable during ${operation}: ${(options.cause as Error)?.message ?? String(options.cause)}`, options);
  }
}
export const isRedisUnavailableError = (e: unknown): e is RedisUnavailableError => hasCode(e, 'REDIS_UNAVAILABLE');

/**
 * A write's fencing token is not current: lower than the leader epoch (a newer term began), or
 * the store lost its epoch (`epoch` is 'missing': wiped or failed over with lost writes) and no
 * term can prove it is current until a leader acquires again. This writer must not act.
 */
export class FencedError extends DesiredError {
  constructor(
    readonly token: number,
    readonly epoch: string,
    readonly operation: string,
  ) {
    super(
      'FENCED',
      epoch === 'missing'
        ? `${operation} rejected: the store has no leader epoch (wiped or failed over with lost writes); fencing token ${token} cannot be proven current`
        : `${operation} rejected: fencing token ${token} is older than leader epoch ${epoch}`,
    );
  }
}
export const isFencedError = (e: unknown): e is FencedError => hasCode(e, 'FENCED');

/** `waitFor` saw the session reach phase Failed. `status` is the status that failed it. */
export class SessionFailedError extends DesiredError {
  constructor(
    readonly sessionId: string,
    readonly status: unknown,
    detail: string,
  ) {
    super('SESSION_FAILED', `session ${sessionId} failed: ${detail}`);
  }
}
export const isSessionFailedError = (e: unknown): e is SessionFailedError => hasCode(e, 'SESSION_FAILED');

/** `waitFor` was aborted by its signal; `cause` is the signal's reason. */
export class WaitAbortedError extends DesiredError {
  constructor(
    readonly sessionId: string,
    options: { cause: unknown },
  ) {
    super('WAIT_ABORTED', `waiting for session ${sessionId} aborted`, options);
  }
}
export const isWaitAbortedError = (e: unknown): e is WaitAbortedError => hasCode(e, 'WAIT_ABORTED');

/** A compare-and-set spec write kept losing to concurrent writers. */
export class WriteConflictError extends DesiredError {
  constructor(readonly key: string, attempts: number) {
    super('WRITE_CONFLICT', `write to ${key} lost to concurrent writers ${attempts} times`);
  }
}
export const isWriteConflictError = (e: unknown): e is WriteConflictError => hasCode(e, 'WRITE_CONFLICT');

/**
 * A write was applied on the master but fewer replicas than required acknowledged it in time
 * (REDIS_WAIT_REPLICAS / REDIS_WAIT_TIMEOUT_MS): a failover now could lose it. Spec writes are
 * idempotent, so the caller may simply retry; `waitForReady` reports the session as lost if the
 * write did vanish.
 */
export class NotReplicatedError extends DesiredError {
  constructor(
    readonly operation: string,
    readonly acked: number,
    readonly required: number,
    readonly timeoutMs: number,
  ) {
    super('NOT_REPLICATED', `${operation}: written on the master, but ${acked} of ${required} required replicas acknowledged within ${timeoutMs} ms; a failover could lose it (retry, or check with getSession)`);
  }
}
export const isNotReplicatedError = (e: unknown): e is NotReplicatedError => hasCode(e, 'NOT_REPLICATED');

/**
 * The session waited for has no live spec: `missing` (never written, or purged), `deleted` (a
 * tombstone), or `vanished` (it existed when the wait began and is gone now: Redis lost it, e.g.
 * a failover that lost writes or a flush). Write it again with ensureSession to start over.
 */
export class SessionNotFoundError extends DesiredError {
  constructor(
    readonly sessionId: string,
    readonly reason: 'missing' | 'deleted' | 'vanished',
  ) {
    const why = { missing: 'has no spec (never written, or purged)', deleted: 'is deleted', vanished: 'vanished from Redis while waiting (lost by a failover or a flush); write it again' }[reason];
    super('SESSION_NOT_FOUND', `session ${sessionId} ${why}`);
  }
}
export const isSessionNotFoundError = (e: unknown): e is SessionNotFoundError => hasCode(e, 'SESSION_NOT_FOUND');

/** `waitFor` gave up after `timeoutMs` (its default bound, or the one passed) without an answer. */
export class WaitTimeoutError extends DesiredError {
  constructor(
    readonly sessionId: string,
    readonly timeoutMs: number,
    readonly lastPhase: string | undefined,
  ) {
    super('WAIT_TIMEOUT', `waiting for session ${sessionId} timed out after ${timeoutMs} ms (last phase: ${lastPhase ?? 'no status yet'})`);
  }
}
export const isWaitTimeoutError = (e: unknown): e is WaitTimeoutError => hasCode(e, 'WAIT_TIMEOUT');

/** The client was closed; it opens no new connection. Create a new client to go on. */
export class ClientClosedError extends DesiredError {
  constructor(readonly operation: string) {
    super('CLIENT_CLOSED', `${operation}: the session client is closed`);
  }
}
export const isClientClosedError = (e: unknown): e is ClientClosedError => hasCode(e, 'CLIENT_CLOSED');

/**
 * The session's life ended by its lifetime (status phase Expired, reason `IdleTimeout` or
 * `MaxLifetimeExceeded`): `touchSession` never revives it, and `waitFor` rejects with this.
 * `ensureSession` starts a new life (a new task; the user's files on EFS are kept).
 * `expiresAt`: when the bound passed (epoch ms), when known.
 */
export class SessionExpiredError extends DesiredError {
  constructor(
    readonly sessionId: string,
    readonly expiresAt: number | undefined,
    readonly reason?: string,
  ) {
    const when = expiresAt !== undefined ? ` at ${new Date(expiresAt).toISOString()}` : '';
    super('SESSION_EXPIRED', `session ${sessionId} expired${reason ? ` (${reason})` : ''}${when}; ensureSession starts it again as a new life`);
  }
}
export const isSessionExpiredError = (e: unknown): e is SessionExpiredError => hasCode(e, 'SESSION_EXPIRED');
