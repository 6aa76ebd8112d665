/**
 * The fencing rule shared by every store (Redis Lua and the in-memory store): which writer
 * tokens a leader epoch accepts. See docs/fencing.md.
 */

/**
 * The token of a controller that runs without leader election (`RECONCILER_LEADER_ELECTION=false`,
 * tests). Elected epochs are microseconds of the Redis clock (lease-scripts.ts), so they are always far above it.
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

/**
 * The epoch a store keeps after accepting a write with `token`: the higher of the two. Epochs
 * only grow, and a token above the stored epoch belongs to a term the store has forgotten (a
 * failover lost the epoch key's last write, yet the term's holder still runs): storing it
 * fences the older terms again at once, instead of letting a stale leader's token pass until
 * the current leader acquires again. An absent epoch stays absent (`isFencedOff` refuses
 * elected tokens then; only the unelected token writes).
 */
export function raisedEpoch(token: number, epoch: number | undefined): number | undefined {
  return epoch === undefined ? undefined : Math.max(epoch, token);
}
