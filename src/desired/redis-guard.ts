/**
 * Maps Redis client failures to typed errors: a server reply error (WRONGTYPE, NOSCRIPT...)
 * becomes a DesiredError('STORE_ERROR'); anything else from the client (connection refused or
 * closed, command timeout, retries exhausted) becomes RedisUnavailableError. Typed errors
 * thrown by our own code pass through unchanged. With the connection given, the message names
 * the Redis it points at and the last connection error (redis-target.ts).
 */
import { DesiredError, RedisUnavailableError } from './errors.js';
import type { RedisLike } from './lua.js';
import { describeConnectionState } from './redis-target.js';

export function toDesiredError(operation: string, err: unknown, conn?: RedisLike): DesiredError {
  if (err instanceof DesiredError) return err;
  if (err instanceof Error && err.name === 'ReplyError') {
    const remedy = err.message.startsWith('WRONGTYPE')
      ? '; a key under the store prefix holds another data type than this library writes there (another program wrote it): the controller names it (metric esr_invalid_desired_records_total{reason="wrong-type"}, alert EsrStoreKeyWrongType); delete that key'
      : '';
    return new DesiredError('STORE_ERROR', `redis rejected ${operation}${describeConnectionState(conn)}: ${err.message}${remedy}`, { cause: err });
  }
  return new RedisUnavailableError(`${operation}${describeConnectionState(conn)}`, { cause: err });
}

/** Runs `fn`, rethrowing failures as typed errors naming `operation` (and `conn`'s target). */
export async function guard<T>(operation: string, fn: () => Promise<T>, conn?: RedisLike): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDesiredError(operation, err, conn);
  }
}
