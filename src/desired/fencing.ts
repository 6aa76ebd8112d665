/**
 * The fencing rule shared by every store (Redis Lua and the in-memory store): which writer
 * tokens a leader epoch accepts. See docs/fencing.md.
 */

/**
 * The token of a controller that runs without leader election (`RECONCILER_LEADER_ELECTION=false`,
 * tests). Elected epochs are milliseconds of the Redis clock, so they are always far above it.
 */
export const UNELECTED_TOKEN = 1;

/**
 * Whether a write with `token` is fenced off by the stored `epoch` (undefined: no epoch stored).
 * Older tokens are fenced; so is any elected token while the store has lost its epoch.
 */
export function isFencedOff(token: number, epoch: number | undefined): boolean {
  if (!Number.isFinite(token)) return true;
  if (epoch === undefined) return token > UNELECTED_TOKEN;
  return !Number.isFinite(epoch) || token < epoch;
}
