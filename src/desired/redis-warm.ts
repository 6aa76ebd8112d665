/** The Redis side of WarmStore: fenced Lua scripts under the store's hash tag. */
import { FencedError, InvalidSpecError } from './errors.js';
import { guard } from './redis-guard.js';
import { orWrongType } from './wrong-type.js';
import type { KeyLayout } from './keys.js';
import type { ScriptedRedis } from './lua.js';
import { SessionStatusSchema } from './schema.js';
import { RESERVATION_TTL_MS, WarmClaimSchema, WarmPoolStatusSchema, type ClaimCandidate, type ClaimResult, type WarmClaim, type WarmPoolStatus } from './warm-schema.js';

export async function claimWarmTask(
  redis: ScriptedRedis,
  k: KeyLayout,
  sessionId: string,
  claim: Omit<WarmClaim, 'sessionId'>,
  candidates: readonly ClaimCandidate[],
  fencingToken: number,
): Promise<ClaimResult> {
  if (candidates.length === 0) return { outcome: 'taken' };
  const claimJson = JSON.stringify(WarmClaimSchema.parse({ ...claim, sessionId }));
  const pairs: string[] = [];
  for (const c of candidates) {
    const parsed = SessionStatusSchema.safeParse(c.status);
    if (!parsed.success) throw new InvalidSpecError('status', parsed.error.issues.map((i) => i.message).join('; '));
    pairs.push(c.taskArn, JSON.stringify(parsed.data));
  }
  return guard(`claimWarmTask ${sessionId}`, async () => {
    const reply = await redis.esrClaimWarm(k.leaderEpoch, k.sessionSpec(sessionId), k.sessionStatus(sessionId), k.warmClaims, k.warmStopping, fencingToken, k.statusChannel(sessionId), claimJson, claim.at, RESERVATION_TTL_MS, ...pairs);
    if (reply[0] === 'FENCED') throw new FencedError(fencingToken, reply[1] ?? '?', `claimWarmTask ${sessionId}`);
    if (reply[0] === 'GONE') return { outcome: 'session-gone' };
    if (reply[0] === 'OK') return { outcome: 'claimed', taskArn: reply[1]! };
    return { outcome: 'taken' };
  }, redis);
}

async function fencedWrite(redis: ScriptedRedis, k: KeyLayout, key: string, mode: 'set' | 'hdel', value: string, token: number, what: string): Promise<void> {
  await guard(what, async () => {
    const reply = await redis.esrFencedWrite(k.leaderEpoch, key, token, mode, value);
    if (reply[0] === 'FENCED') throw new FencedError(token, reply[1] ?? '?', what);
  }, redis);
}

export async function reserveForStop(redis: ScriptedRedis, k: KeyLayout, taskArn: string, at: number, token: number): Promise<'reserved' | 'claimed'> {
  return guard(`reserveForStop ${taskArn}`, async () => {
    const reply = await redis.esrReserveStop(k.leaderEpoch, k.warmClaims, k.warmStopping, token, taskArn, at, RESERVATION_TTL_MS);
    if (reply[0] === 'FENCED') throw new FencedError(token, reply[1] ?? '?', `reserveForStop ${taskArn}`);
    return reply[0] === 'CLAIMED' ? 'claimed' : 'reserved';
  });
}

export function releaseWarmClaim(redis: ScriptedRedis, k: KeyLayout, taskArn: string, token: number): Promise<void> {
  return fencedWrite(redis, k, k.warmClaims, 'hdel', taskArn, token, `releaseWarmClaim ${taskArn}`);
}

/**
 * Every warm claim. A claims key of the wrong type is reported (`onStoreProblem`) and read as no
 * claims: every claim and stop reservation still runs its Lua check on that key, which fails, so
 * nothing is taken or stopped on the strength of the missing claims.
 */
export async function warmClaims(redis: ScriptedRedis, k: KeyLayout, onInvalid: (arn: string, message: string) => void, onStoreProblem: (key: string, err: Error) => void = () => undefined): Promise<Map<string, WarmClaim>> {
  const raw = await guard('warmClaims', () => orWrongType(redis.hgetall(k.warmClaims), (err): Record<string, string> => (onStoreProblem(k.warmClaims, err), {})), redis);
  const out = new Map<string, WarmClaim>();
  for (const [arn, json] of Object.entries(raw)) {
    try {
      const parsed = WarmClaimSchema.safeParse(JSON.parse(json));
      if (parsed.success) out.set(arn, parsed.data);
      else onInvalid(arn, parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
    } catch (err) {
      onInvalid(arn, `claim is not JSON: ${(err as Error).message}`);
    }
  }
  return out;
}

/**
 * A pool's status (its batch intents). A key of the wrong type is reported and read as none; the
 * controller's next write of it (SET) replaces it.
 */
export async function readPoolStatus(redis: ScriptedRedis, k: KeyLayout, name: string, onStoreProblem: (key: string, err: Error) => void = () => undefined): Promise<WarmPoolStatus | undefined> {
  const key = k.poolStatus(name);
  const raw = await guard(`readPoolStatus ${name}`, () => orWrongType(redis.get(key), (err) => (onStoreProblem(key, err), null)), redis);
  if (raw === null) return undefined;
  try {
    const parsed = WarmPoolStatusSchema.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function writePoolStatus(redis: ScriptedRedis, k: KeyLayout, name: string, status: WarmPoolStatus, token: number): Promise<void> {
  return fencedWrite(redis, k, k.poolStatus(name), 'set', JSON.stringify(WarmPoolStatusSchema.parse(status)), token, `writePoolStatus ${name}`);
}
