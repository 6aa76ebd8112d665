/**
 * Decides how long a key waits before its next attempt (client-go `RateLimiter`).
 * Implementations are per-key stateful; `forget` resets a key after success.
 */
export interface RateLimiter<K = string> {
  /** Delay in ms before `key` may be retried; records one more failure for it. */
  when(key: K): number;
  /** Clears the key's failure history (call on success). */
  forget(key: K): void;
  /** Failures recorded for `key` since the last forget. */
  numRequeues(key: K): number;
  /** Keys with per-key state now (for soak tests and diagnostics); bounded by the keys that failed since their last forget. */
  trackedKeys?(): number;
}
