/**
 * The leader lease in Redis: one key holding the holder's random token with a PX expiry, and
 * the fencing epoch key the status-writer Lua already checks (`{prefix}:leader:epoch`). Both
 * share the store's hash tag, so each script touches one slot (single Redis, Sentinel, Cluster).
 *
 * Rules:
 * - acquire: succeeds when the lease is free or already ours; every success starts a new term
 *   whose epoch, set in the same script, is the largest of: the stored epoch + 1, `minEpoch`
 *   (the highest epoch this replica has seen + 1), and the Redis server's clock in microseconds
 *   (`TIME`; about 1.8e15 now, exact in a Lua double and a JS number until 2255). The clock part is what keeps epochs increasing when the epoch key itself is lost
 *   (FLUSHALL, a failover that loses writes): a term begun later gets a larger number than any
 *   term begun before, whatever the store remembers. See docs/fencing.md for the argument and
 *   its one assumption (Redis servers' clocks agree to within the failover time).
 * - renew: only while the lease holds our token AND the epoch is still our term's.
 * - release: deletes the lease only when it holds our token.
 */
import { keyLayout } from '../../desired/keys.js';
import type { RedisLike } from '../../desired/lua.js';

/**
 * KEYS: 1 lease, 2 epoch. ARGV: 1 token, 2 lease ms, 3 minEpoch.
 * Returns {1, epoch} when acquired, {0, holder, pttl ms, epoch (-1 when unreadable)} otherwise.
 * An unreadable stored epoch (not a number) is replaced: the clock part alone is still above it.
 */
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then
  local e = tonumber(redis.call('GET', KEYS[2]) or '0') or -1
  return {0, cur, redis.call('PTTL', KEYS[1]), e}
end
local t = redis.call('TIME')
local epoch = tonumber(t[1]) * 1000000 + tonumber(t[2])
local stored = tonumber(redis.call('GET', KEYS[2]) or '0')
if stored and stored + 1 > epoch then epoch = stored + 1 end
local min = tonumber(ARGV[3])
if min and min > epoch then epoch = min end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], string.format('%.0f', epoch))
return {1, epoch}
`;

/**
 * KEYS: 1 lease, 2 epoch. ARGV: 1 token, 2 lease ms, 3 our epoch.
 * Returns 1 renewed, 0 the lease is not ours, -1 the epoch moved on (another term began).
 */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('GET', KEYS[2]) ~= ARGV[3] then return -1 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

/** KEYS: 1 lease. ARGV: 1 token. Returns 1 released, 0 not ours. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0
`;

type Arg = string | number;

export interface LeaseScripts {
  esrLeaseAcquire(lease: string, epoch: string, ...argv: Arg[]): Promise<Array<number | string>>;
  esrLeaseRenew(lease: string, epoch: string, ...argv: Arg[]): Promise<number>;
  esrLeaseRelease(lease: string, ...argv: Arg[]): Promise<number>;
}

/** Registers the lease scripts on `redis` (idempotent) and returns it typed with them. */
export function withLeaseScripts(redis: RedisLike): RedisLike & LeaseScripts {
  const r = redis as RedisLike & LeaseScripts;
  if (typeof r.esrLeaseAcquire !== 'function') {
    redis.defineCommand('esrLeaseAcquire', { numberOfKeys: 2, lua: ACQUIRE });
    redis.defineCommand('esrLeaseRenew', { numberOfKeys: 2, lua: RENEW });
    redis.defineCommand('esrLeaseRelease', { numberOfKeys: 1, lua: RELEASE });
  }
  return r;
}

/** Key names under the store's hash tag `{prefix}`; the epoch key is the one keys.ts names. */
export function leaseKeys(prefix: string): { lease: string; epoch: string } {
  const layout = keyLayout(prefix);
  return { lease: `{${layout.prefix}}:leader:lease`, epoch: layout.leaderEpoch };
}
