import { describe, expect, it } from 'vitest';
import {
  AccessDeniedError, AlreadyExistsError, classify, InvalidRequestError, isAccessDenied, isInvalidRequest, isQuotaExceeded,
  KIND_POLICY, QuotaExceededError, statusReasonOf, isAborted, isAlreadyExists, isConflict, isDependencyFault, isNotFound, isRetryableKind,
  isTerminal, isThrottled, isTimeout, isTransient, toAwsCallError, type AwsErrorKind,
} from '../../src/observed/aws-errors.js';

const sdk = (name: string, status: number, message = name, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, ...extra });
const net = (code: string, message = code) => Object.assign(new Error(message), { code });

const table: Array<[string, unknown, AwsErrorKind]> = [
  ['ECS ThrottlingException', sdk('ThrottlingException', 400, 'Rate exceeded'), 'throttled'],
  ['HTTP 429', sdk('TooManyRequests', 429), 'throttled'],
  ['EFS ThrottlingException', sdk('ThrottlingException', 429), 'throttled'],
  ['ECS missing task (InvalidParameterException)', sdk('InvalidParameterException', 400, 'The referenced task was not found.'), 'notFound'],
  ['ECS missing task (ClientException)', sdk('ClientException', 400, 'Task not found.'), 'notFound'],
  ['ECS ClusterNotFoundException', sdk('ClusterNotFoundException', 400), 'notFound'],
  ['EFS AccessPointNotFound', sdk('AccessPointNotFound', 404), 'notFound'],
  ['ECS ConflictException (clientToken reuse)', sdk('ConflictException', 400), 'conflict'],
  ['EFS IdempotentParameterMismatch', sdk('IdempotentParameterMismatch', 400), 'conflict'],
  ['EFS AccessPointAlreadyExists', sdk('AccessPointAlreadyExists', 409, 'exists', { AccessPointId: 'fsap-123' }), 'alreadyExists'],
  ['ECS ServerException', sdk('ServerException', 500), 'transient'],
  ['HTTP 503', sdk('ServiceUnavailable', 503), 'transient'],
  ['ECONNREFUSED', net('ECONNREFUSED'), 'transient'],
  ['ECONNRESET', net('ECONNRESET'), 'transient'],
  ['ETIMEDOUT', net('ETIMEDOUT'), 'transient'],
  ['socket hang up', new Error('socket hang up'), 'transient'],
  ['SDK $retryable', Object.assign(new Error('x'), { $retryable: { throttling: false } }), 'transient'],
  ['AbortError', Object.assign(new Error('Request aborted'), { name: 'AbortError' }), 'aborted'],
  ['TimeoutError', Object.assign(new Error('timed out'), { name: 'TimeoutError' }), 'timeout'],
  ['ECS InvalidParameterException (validation)', sdk('InvalidParameterException', 400, 'count must be <= 10'), 'invalidRequest'],
  ['AccessDeniedException', sdk('AccessDeniedException', 403), 'accessDenied'],
  ['expired credentials', sdk('ExpiredTokenException', 400), 'accessDenied'],
  ['ECS ClientException (other)', sdk('ClientException', 400, 'bad request'), 'invalidRequest'],
  ['unnamed HTTP 403', sdk('Forbidden', 403), 'invalidRequest'],
  ['EFS AccessPointLimitExceeded (HTTP 403)', sdk('AccessPointLimitExceeded', 403, 'File system already has 10000 access points.', { ErrorCode: 'AccessPointLimitExceeded' }), 'quotaExceeded'],
  ['EFS FileSystemLimitExceeded', sdk('FileSystemLimitExceeded', 403), 'quotaExceeded'],
  ['LimitExceededException', sdk('LimitExceededException', 400), 'quotaExceeded'],
  ['TypeError (bug)', new TypeError('x is undefined'), 'terminal'],
  ['wrapped cause', new Error('outer', { cause: sdk('ThrottlingException', 400) }), 'throttled'],
];

describe('classify', () => {
  it.each(table)('%s -> %s', (_name, err, kind) => {
    expect(classify(err)).toBe(kind);
  });

  it('check functions agree with classify', () => {
    expect(isThrottled(sdk('ThrottlingException', 400))).toBe(true);
    expect(isNotFound(sdk('AccessPointNotFound', 404))).toBe(true);
    expect(isConflict(sdk('ConflictException', 400))).toBe(true);
    expect(isAlreadyExists(sdk('AccessPointAlreadyExists', 409))).toBe(true);
    expect(isTransient(net('ECONNRESET'))).toBe(true);
    expect(isTimeout(Object.assign(new Error(), { name: 'TimeoutError' }))).toBe(true);
    expect(isAborted(Object.assign(new Error(), { name: 'AbortError' }))).toBe(true);
    expect(isTerminal(sdk('ValidationException', 400, 'bad'))).toBe(true);
    expect(isThrottled(sdk('ServerException', 500))).toBe(false);
  });

  it('only transient faults and timeouts count for breakers; terminal, notFound, conflict are not retried', () => {
    expect((['transient', 'timeout'] as AwsErrorKind[]).every(isDependencyFault)).toBe(true);
    expect((['throttled', 'notFound', 'conflict', 'terminal', 'aborted'] as AwsErrorKind[]).some(isDependencyFault)).toBe(false);
    expect((['terminal', 'notFound', 'conflict', 'alreadyExists', 'aborted'] as AwsErrorKind[]).some(isRetryableKind)).toBe(false);
    expect((['throttled', 'transient', 'timeout', 'circuitOpen'] as AwsErrorKind[]).every(isRetryableKind)).toBe(true);
  });

  it('quota, access denied and invalid requests are never retried by the queue, never count for breakers', () => {
    const kinds: AwsErrorKind[] = ['quotaExceeded', 'accessDenied', 'invalidRequest'];
    expect(kinds.some(isRetryableKind)).toBe(false);
    expect(kinds.some(isDependencyFault)).toBe(false);
    expect(kinds.map((k) => KIND_POLICY[k].reaction)).toEqual(['noBlindRetry', 'noBlindRetry', 'fail']);
    expect(isQuotaExceeded(sdk('AccessPointLimitExceeded', 403))).toBe(true);
    expect(isAccessDenied(sdk('AccessDeniedException', 403))).toBe(true);
    expect(isInvalidRequest(sdk('ValidationException', 400, 'bad'))).toBe(true);
    expect(isTerminal(sdk('AccessPointLimitExceeded', 403))).toBe(true);
  });

  it('every kind has a reaction and a status reason; quota errors report the AWS code', () => {
    for (const [kind, policy] of Object.entries(KIND_POLICY)) {
      expect(policy.reason, kind).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(['retryWithBackoff', 'noBlindRetry', 'fail', 'handledByCaller'], kind).toContain(policy.reaction);
    }
    const limit = sdk('AccessPointLimitExceeded', 403);
    expect(statusReasonOf(limit)).toBe('AccessPointLimitExceeded');
    expect(statusReasonOf(toAwsCallError(limit, { service: 'efs', operation: 'CreateAccessPoint' }))).toBe('AccessPointLimitExceeded');
    expect(statusReasonOf(Object.assign(new Error('quota'), { name: 'LimitExceededException' }))).toBe('QuotaExceeded');
    expect(statusReasonOf(sdk('AccessDeniedException', 403))).toBe('AccessDenied');
    expect(statusReasonOf(sdk('ThrottlingException', 400))).toBe('Throttled');
    expect(statusReasonOf(sdk('ValidationException', 400, 'bad'))).toBe('InvalidRequest');
  });

  it('wraps each new kind in its typed error, not retryable', () => {
    const ctx = { service: 'efs', operation: 'CreateAccessPoint' };
    const quota = toAwsCallError(sdk('AccessPointLimitExceeded', 403), ctx);
    expect(quota).toBeInstanceOf(QuotaExceededError);
    expect(quota.awsCode).toBe('AccessPointLimitExceeded');
    expect(quota.httpStatusCode).toBe(403);
    expect(quota.retryable).toBe(false);
    expect(toAwsCallError(sdk('AccessDeniedException', 403), ctx)).toBeInstanceOf(AccessDeniedError);
    expect(toAwsCallError(sdk('ValidationException', 400, 'bad'), ctx)).toBeInstanceOf(InvalidRequestError);
  });
});

describe('typed errors', () => {
  it('carry kind, context, AWS code, status and the original as cause', () => {
    const original = sdk('ServerException', 500, 'internal');
    const e = toAwsCallError(original, { service: 'ecs', operation: 'RunTask', key: 'sess-1' });
    expect(e).toMatchObject({ kind: 'transient', service: 'ecs', operation: 'RunTask', key: 'sess-1', awsCode: 'ServerException', httpStatusCode: 500, retryable: true });
    expect(e.cause).toBe(original);
    expect(e.message).toBe('ecs:RunTask [sess-1] transient: internal');
    expect(classify(e)).toBe('transient');
    expect(toAwsCallError(e, { service: 'x', operation: 'y' })).toBe(e);
  });

  it('AlreadyExistsError exposes the existing AccessPointId; terminal errors are not retryable', () => {
    const e = toAwsCallError(sdk('AccessPointAlreadyExists', 409, 'exists', { AccessPointId: 'fsap-0abc' }), { service: 'efs', operation: 'CreateAccessPoint' });
    expect(e).toBeInstanceOf(AlreadyExistsError);
    expect((e as AlreadyExistsError).existingId).toBe('fsap-0abc');
    expect(toAwsCallError(sdk('AccessDeniedException', 403), { service: 'ecs', operation: 'RunTask' }).retryable).toBe(false);
  });
});
