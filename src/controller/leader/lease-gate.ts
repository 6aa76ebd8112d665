/**
 * A GuardedCall decorator: mutating AWS calls are made only by the leader, and only while its
 * lease surely outlasts the call. A call's budget covers everything the guard does (waiting for
 * tokens included, then the call is aborted), so `remainingLeaseMs >= budget` at entry means the
 * call ends before the lease could expire in Redis and another replica take over.
 *
 * Reads are never gated: a follower keeps its observed state warm.
 */
import type { GuardedCall, GuardedCallRequest } from '../execute/context.js';

/** The AWS operations that change something (and so need a live lease). */
export const MUTATING_OPERATIONS: ReadonlySet<string> = new Set([
  'RunTask', 'StopTask', 'TagResource', 'RegisterTaskDefinition', 'CreateAccessPoint', 'DeleteAccessPoint',
]);

/**
 * A mutating call was refused because this replica is not the leader or its lease is about to
 * end. Not a failure of the dependency: the key is requeued after `retryAfterMs`.
 */
export class LeaseExpiringError extends Error {
  readonly code = 'LEASE_EXPIRING';
  constructor(
    readonly operation: string,
    readonly remainingLeaseMs: number,
    readonly budgetMs: number,
    readonly retryAfterMs: number,
  ) {
    super(
      remainingLeaseMs <= 0
        ? `${operation} refused: this replica is not the leader`
        : `${operation} refused: lease ends in ${remainingLeaseMs} ms, shorter than the call budget of ${budgetMs} ms`,
    );
    this.name = 'LeaseExpiringError';
  }
}

export const isLeaseExpiringError = (e: unknown): e is LeaseExpiringError =>
  typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 'LEASE_EXPIRING';

export interface LeaseGateOptions {
  /** Remaining lease, ms (0 when not the leader). */
  remainingLeaseMs: () => number;
  /** The budget the guard gives `operation`, ms (the longest the call can take). */
  budgetOf: (operation: string) => number;
  /** Retry hint for refused calls, ms (the election's retry period). */
  retryAfterMs: number;
  /** Called for every refused call (metrics, logs). */
  onRefused?: (err: LeaseExpiringError, req: GuardedCallRequest) => void;
}

export function leaseGatedCall(call: GuardedCall, o: LeaseGateOptions): GuardedCall {
  return (req, fn) => {
    if (MUTATING_OPERATIONS.has(req.operation)) {
      const remaining = o.remainingLeaseMs();
      const budget = o.budgetOf(req.operation);
      if (remaining < budget) {
        const err = new LeaseExpiringError(req.operation, remaining, budget, o.retryAfterMs);
        o.onRefused?.(err, req);
        return Promise.reject(err);
      }
    }
    return call(req, fn);
  };
}
