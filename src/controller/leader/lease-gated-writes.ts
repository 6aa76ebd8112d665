/**
 * The store-side twin of lease-gate.ts: the controller's Redis writes (statuses, purges, warm
 * claims and releases, stop reservations, pool statuses) are sent only while this process's own
 * view of its lease is live. Fencing in Redis refuses a stale term's token, but it can only
 * compare with the epoch the store still holds: after a failover that lost the newest term's
 * epoch (no replica acknowledgement), an old leader waking from a pause would pass it. Its own
 * clock already knows its lease ran out, so it does not send.
 *
 * Reads are never gated. A refused write throws LeaseExpiringError (the key is retried later,
 * as a refused AWS call is).
 */
import { LeaseExpiringError } from './lease-gate.js';

/** The controller-side write methods of the desired store (DesiredStore, StatusWriter, WarmStore). */
export const STORE_WRITE_METHODS: ReadonlySet<string> = new Set(['writeStatus', 'purgeSession', 'claimWarmTask', 'releaseWarmClaim', 'reserveForStop', 'writePoolStatus']);

export interface LeaseGatedWritesOptions {
  /** Remaining lease in this process's own view, ms (0 or less: not the leader). */
  remainingLeaseMs: () => number;
  /** Retry hint for refused writes, ms (the election's retry period). */
  retryAfterMs: number;
  /** Called for every refused write (metrics, logs). */
  onRefused?: (err: LeaseExpiringError) => void;
}

/** `store` with its write methods (STORE_WRITE_METHODS) refused while the lease is not live. */
export function leaseGatedWrites<T extends object>(store: T, o: LeaseGatedWritesOptions): T {
  return new Proxy(store, {
    get(target, key, receiver) {
      const v = Reflect.get(target, key, receiver) as unknown;
      if (typeof v !== 'function') return v;
      if (typeof key !== 'string' || !STORE_WRITE_METHODS.has(key)) return (v as (...a: unknown[]) => unknown).bind(target);
      return (...args: unknown[]) => {
        const remaining = o.remainingLeaseMs();
        if (remaining <= 0) {
          const err = new LeaseExpiringError(key, remaining, 0, o.retryAfterMs);
          o.onRefused?.(err);
          return Promise.reject(err);
        }
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
