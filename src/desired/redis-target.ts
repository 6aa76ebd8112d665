/**
 * What a connection points at and why it last failed, so errors can say which Redis and why
 * (`redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1`) instead of a bare
 * "Connection is closed". createRedisConnection registers every connection it opens.
 */
import type { RedisLike } from './lua.js';

export interface ConnectionTarget {
  /** e.g. `redis://10.0.0.5:6379`, `sentinel master "m" via a:26379,b:26379`, `cluster redis://a:7000,...`. */
  target: string;
  /** The last connection-level error (refused, reset, TLS, auth), if any. */
  lastError?: Error;
}

const targets = new WeakMap<object, ConnectionTarget>();

/** Registers `conn`'s target and returns the record its error listener updates. */
export function setConnectionTarget(conn: RedisLike, target: string): ConnectionTarget {
  const state: ConnectionTarget = { target };
  targets.set(conn, state);
  return state;
}

/** The registered target of `conn`, if it was opened by createRedisConnection. */
export function connectionTarget(conn: RedisLike | undefined): ConnectionTarget | undefined {
  return conn ? targets.get(conn) : undefined;
}

/** ` (redis://host:port; last connection error: ECONNREFUSED ...)`, or '' when unknown. */
export function describeConnectionState(conn: RedisLike | undefined): string {
  const t = connectionTarget(conn);
  if (!t) return '';
  const last = t.lastError ? `; last connection error: ${(t.lastError as { code?: string }).code ? `${(t.lastError as { code?: string }).code} ` : ''}${t.lastError.message}` : '';
  return ` (${t.target}${last})`;
}
