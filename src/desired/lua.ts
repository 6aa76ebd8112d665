/**
 * Lua scripts: every multi-key write is one script, so it is atomic on a single Redis,
 * Sentinel or Cluster (all keys share one hash tag). Scripts are registered with ioredis
 * `defineCommand` (EVALSHA with EVAL fallback).
 */
import type { Cluster, Redis } from 'ioredis';
import { UNELECTED_TOKEN } from './fencing.js';

/**
 * Compare-and-set of a spec record + index + change hint + store marker, atomically.
 * KEYS: 1 record, 2 index (zset), 3 hints stream, 4 hint seq counter, 5 meta.
 * ARGV: 1 'new' (must not exist) or 'cas' (must equal ARGV 2), 2 expected current bytes,
 *       3 new bytes, 4 id, 5 generation, 6 hint kind ('session'|'pool'),
 *       7 stream MAXLEN (approximate), 8 marker JSON.
 * Returns 1 when written, 0 when the current value was not the expected one (retry).
 */
const CAS_SPEC = `
local cur = redis.call('GET', KEYS[1])
if ARGV[1] == 'new' then
  if cur then return 0 end
elseif cur ~= ARGV[2] then
  return 0
end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], 0, ARGV[4])
local seq = redis.call('INCR', KEYS[4])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'k', ARGV[6], 'id', ARGV[4], 'g', ARGV[5], 'q', seq)
redis.call('SET', KEYS[5], ARGV[8], 'NX')
return 1
`;

/**
 * The fencing check every controller write starts with. KEYS[1] is the leader epoch, ARGV[1]
 * the writer's fencing token. Fenced (returns {'FENCED', <epoch or 'missing'>}) when:
 * - the token is older than the epoch (a newer term began; epochs never repeat, so an equal
 *   token is the current term's own);
 * - the epoch key is missing and the token is an elected one (> UNELECTED_TOKEN): the store lost
 *   its epoch (FLUSHALL, a failover that lost writes), so no term can prove it is current until
 *   a leader acquires again;
 * - the epoch or the token is not a number (fail safe).
 * An accepted token above the stored epoch raises it (fencing.ts raisedEpoch): a term the store
 * forgot fences the older ones again with its first write.
 */
const FENCE = `local raw = redis.call('GET', KEYS[1])
local token = tonumber(ARGV[1])
local epoch = 0
if raw then epoch = tonumber(raw) end
if epoch == nil or token == nil or token < epoch or ((not raw) and token > ${UNELECTED_TOKEN}) then
  return {'FENCED', raw or 'missing'}
end
if raw and token > epoch then redis.call('SET', KEYS[1], ARGV[1]) end
`;

/**
 * Fenced status write + publication.
 * KEYS: 1 leader epoch, 2 spec record, 3 status record, 4 activity record.
 * ARGV: 1 fencing token, 2 status JSON, 3 status channel, 4 basis generation ('' = unconditional),
 *       5 activity bound ('' = none; an expiry: the last activity its decision saw),
 *       6 basis life: the spec uid ('' = unchecked).
 * Returns {'OK'}, {'GONE'} (no spec record: purged), {'CONFLICT', <generation>} (the spec is
 * not at the basis generation, or is another life: the status describes another record), {'RENEWED', <activity>}
 * (a touch after the bound: the expiry is void) or {'FENCED', <epoch>} (the FENCE rules above).
 */
const WRITE_STATUS = `
${FENCE}local specRaw = redis.call('GET', KEYS[2])
if not specRaw then return {'GONE'} end
if ARGV[4] ~= nil and ARGV[4] ~= '' then
  local ok, spec = pcall(cjson.decode, specRaw)
  local g = (ok and type(spec) == 'table') and tostring(spec['generation']) or '-1'
  if g ~= ARGV[4] then return {'CONFLICT', g} end
  if ARGV[6] ~= nil and ARGV[6] ~= '' and spec['uid'] ~= ARGV[6] then return {'CONFLICT', g} end
end
if ARGV[5] ~= nil and ARGV[5] ~= '' then
  local at = tonumber(redis.call('GET', KEYS[4]) or '0') or 0
  if at > tonumber(ARGV[5]) then return {'RENEWED', tostring(at)} end
end
redis.call('SET', KEYS[3], ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[2])
return {'OK'}
`;

/**
 * Records activity (touchSession): extend-only, one SET, no generation bump, no hint.
 * KEYS: 1 spec record, 2 status record, 3 activity record. ARGV: 1 now (epoch ms), or '' for
 * the server's clock (TIME): one clock for every gateway, whatever its host's says.
 * Returns {'OK', <activity now stored>}, {'MISSING'} (no spec, or unreadable), {'DELETED'}
 * (a tombstone) or {'EXPIRED', <expiresAt or ''>} (status Expired for the spec's generation:
 * a touch never revives; ensureSession starts a new life).
 */
const TOUCH_SESSION = `
local specRaw = redis.call('GET', KEYS[1])
if not specRaw then return {'MISSING'} end
local ok, spec = pcall(cjson.decode, specRaw)
if not ok or type(spec) ~= 'table' then return {'MISSING'} end
if spec['deleted'] == true then return {'DELETED'} end
local statusRaw = redis.call('GET', KEYS[2])
if statusRaw then
  local ok2, st = pcall(cjson.decode, statusRaw)
  if ok2 and type(st) == 'table' and st['phase'] == 'Expired' and tostring(st['observedGeneration']) == tostring(spec['generation']) then
    return {'EXPIRED', st['expiresAt'] and tostring(st['expiresAt']) or ''}
  end
end
local cur = tonumber(redis.call('GET', KEYS[3]) or '0') or 0
local now
if ARGV[1] == '' then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
else
  now = tonumber(ARGV[1])
end
if now > cur then
  redis.call('SET', KEYS[3], string.format('%d', now))
  cur = now
end
return {'OK', string.format('%d', cur)}
`;

/**
 * Fenced purge of a tombstoned session: removes spec, status, activity and index entry only
 * when the spec is still the tombstone of the given generation.
 * KEYS: 1 leader epoch, 2 spec, 3 status, 4 index, 5 activity.
 * ARGV: 1 fencing token, 2 generation, 3 id, 4 status channel.
 * Returns {'OK'}, {'KEPT'} or {'FENCED', <epoch>}.
 */
const PURGE_SESSION = `
${FENCE}local specRaw = redis.call('GET', KEYS[2])
if not specRaw then return {'KEPT'} end
local ok, spec = pcall(cjson.decode, specRaw)
if not ok or type(spec) ~= 'table' or spec['deleted'] ~= true or tostring(spec['generation']) ~= ARGV[2] then
  return {'KEPT'}
end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[5])
redis.call('ZREM', KEYS[4], ARGV[3])
redis.call('PUBLISH', ARGV[4], '')
return {'OK'}
`;

/**
 * Warm claim: takes the first candidate task not claimed yet and writes that session status.
 * KEYS: 1 leader epoch, 2 spec record, 3 status record, 4 claims hash, 5 stop reservations (zset).
 * ARGV: 1 fencing token, 2 status channel, 3 claim JSON, 4 now (epoch ms), 5 reservation TTL
 * ms, then pairs (task ARN, status JSON). A task reserved for a stop (younger than the TTL) is
 * never taken. A candidate already claimed for the same session and incarnation is this claim's
 * own earlier effect (a retry after a lost reply): it is answered as claimed and nothing is
 * written again (the status may have moved on since).
 * Returns {'OK', arn}, {'TAKEN'}, {'GONE'} or {'FENCED', <epoch>}.
 */
const CLAIM_WARM = `
${FENCE}if redis.call('EXISTS', KEYS[2]) == 0 then return {'GONE'} end
local mine = cjson.decode(ARGV[3])
for i = 6, #ARGV, 2 do
  local held = redis.call('HGET', KEYS[4], ARGV[i])
  if held then
    local ok, c = pcall(cjson.decode, held)
    if ok and type(c) == 'table' and c.sessionId == mine.sessionId and c.incarnation == mine.incarnation then return {'OK', ARGV[i]} end
  end
end
for i = 6, #ARGV, 2 do
  local reserved = redis.call('ZSCORE', KEYS[5], ARGV[i])
  if (not reserved or tonumber(reserved) < tonumber(ARGV[4]) - tonumber(ARGV[5])) and redis.call('HSETNX', KEYS[4], ARGV[i], ARGV[3]) == 1 then
    redis.call('SET', KEYS[3], ARGV[i + 1])
    redis.call('PUBLISH', ARGV[2], ARGV[i + 1])
    return {'OK', ARGV[i]}
  end
end
return {'TAKEN'}
`;

/**
 * Stop reservation of a warm task (the precondition of a warm stop, at the action).
 * KEYS: 1 leader epoch, 2 claims hash, 3 stop reservations (zset).
 * ARGV: 1 fencing token, 2 task ARN, 3 now (epoch ms), 4 reservation TTL ms.
 * Returns {'OK'} (reserved), {'CLAIMED'} or {'FENCED', <epoch>}. Lapsed reservations are pruned
 * on the way, so the set holds at most the stops of the last TTL.
 */
const RESERVE_STOP = `
${FENCE}redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', '(' .. (tonumber(ARGV[3]) - tonumber(ARGV[4])))
if redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then return {'CLAIMED'} end
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
return {'OK'}
`;

/**
 * Fenced plain write: SET (ARGV[2] non-empty) or HDEL (KEYS[2] hash, field ARGV[3]).
 * KEYS: 1 leader epoch, 2 target key. ARGV: 1 fencing token, 2 mode 'set'|'hdel', 3 value or field.
 * Returns {'OK'} or {'FENCED', <epoch>}.
 */
const FENCED_WRITE = `
${FENCE}if ARGV[2] == 'set' then redis.call('SET', KEYS[2], ARGV[3]) else redis.call('HDEL', KEYS[2], ARGV[3]) end
return {'OK'}
`;

/**
 * A refresh request: a session change hint without a spec change, rate-limited per session.
 * KEYS: 1 spec record, 2 refresh gate, 3 hints stream, 4 hint seq counter.
 * ARGV: 1 id, 2 gate lifetime (ms), 3 stream MAXLEN (approximate).
 * Returns 1 (hint written), 0 (a refresh within the gate lifetime: dropped), -1 (no spec record).
 */
const REFRESH_SESSION = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if not redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[2]) then return 0 end
local seq = redis.call('INCR', KEYS[4])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[3], '*', 'k', 'session', 'id', ARGV[1], 'g', 0, 'q', seq)
return 1
`;

type Arg = string | Buffer | number;

/** The scripts as typed methods on a connection. */
export interface DesiredScripts {
  esrCasSpec(k1: string, k2: string, k3: string, k4: string, k5: string, ...argv: Arg[]): Promise<number>;
  esrWriteStatus(k1: string, k2: string, k3: string, k4: string, ...argv: Arg[]): Promise<string[]>;
  esrTouchSession(k1: string, k2: string, k3: string, ...argv: Arg[]): Promise<string[]>;
  esrPurgeSession(k1: string, k2: string, k3: string, k4: string, k5: string, ...argv: Arg[]): Promise<string[]>;
  esrClaimWarm(k1: string, k2: string, k3: string, k4: string, k5: string, ...argv: Arg[]): Promise<string[]>;
  esrReserveStop(k1: string, k2: string, k3: string, ...argv: Arg[]): Promise<string[]>;
  esrFencedWrite(k1: string, k2: string, ...argv: Arg[]): Promise<string[]>;
  esrRefreshSession(k1: string, k2: string, k3: string, k4: string, ...argv: Arg[]): Promise<number>;
}

export type RedisLike = Redis | Cluster;
export type ScriptedRedis = RedisLike & DesiredScripts;

/** Registers the scripts on `redis` (idempotent) and returns it typed with them. */
export function withScripts(redis: RedisLike): ScriptedRedis {
  const r = redis as ScriptedRedis;
  if (typeof r.esrRefreshSession !== 'function') redis.defineCommand('esrRefreshSession', { numberOfKeys: 4, lua: REFRESH_SESSION });
  if (typeof r.esrCasSpec !== 'function') {
    redis.defineCommand('esrCasSpec', { numberOfKeys: 5, lua: CAS_SPEC });
    redis.defineCommand('esrWriteStatus', { numberOfKeys: 4, lua: WRITE_STATUS });
    redis.defineCommand('esrTouchSession', { numberOfKeys: 3, lua: TOUCH_SESSION });
    redis.defineCommand('esrPurgeSession', { numberOfKeys: 5, lua: PURGE_SESSION });
    redis.defineCommand('esrClaimWarm', { numberOfKeys: 5, lua: CLAIM_WARM });
    redis.defineCommand('esrReserveStop', { numberOfKeys: 3, lua: RESERVE_STOP });
    redis.defineCommand('esrFencedWrite', { numberOfKeys: 2, lua: FENCED_WRITE });
  }
  return r;
}
