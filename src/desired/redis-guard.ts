/**
 * Maps Redis client failures to typed errors: a server reply error (WRONGTYPE, NOSCRIPT...)
 * becomes a DesiredError('STORE_ERROR'); anything else from the client (connection refused or
 * closed, command timeout, retries exhausted) becomes RedisUnavailableError. Typed errors
 * thrown by our own code pass through unchanged.
 */
import { DesiredError, RedisUnavailableError } from './errors.js';

export function toDesiredError(operation: string, err: unknown): DesiredError {
  if (err instanceof DesiredError) return err;
  if (err instanceof Error && err.name === 'ReplyError') {
    return new DesiredError('STORE_ERROR', `redis rejected ${operation}: ${err.message}`, { cause: err });
  }
  return new RedisUnavailableError(operation, { cause: err });
}

/** Runs `fn`, rethrowing failures as typed errors naming `operation`. */
export async function guard<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDesiredError(operation, err);
  }
}
