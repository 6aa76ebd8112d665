/**
 * Deterministic idempotency tokens and content hashes. The same inputs always give the same
 * token, so a controller that crashed after recording an intent re-sends the same token and
 * AWS returns the same resource instead of a second one.
 *
 * Limits: ECS RunTask `clientToken` is up to 64 ASCII characters; EFS CreateAccessPoint
 * `ClientToken` is 1..64 characters. Tokens here are readable when short, hashed otherwise.
 */
import { createHash } from 'node:crypto';

export const CLIENT_TOKEN_MAX = 64;
const SAFE = /^[A-Za-z0-9._:-]+$/;

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/**
 * `prefix.part1.part2...` when it fits in 64 safe ASCII characters; else
 * `prefix-<hash>` with a 48-hex-char (192-bit) sha256 prefix over the unambiguous encoding of all
 * parts. Parts are length-prefixed in the hash input so ('a.b','c') and ('a','b.c') differ;
 * a part containing the '.' separator is always hashed for the same reason.
 */
function token(prefix: string, parts: readonly string[]): string {
  const readable = [prefix, ...parts].join('.');
  const ambiguous = parts.some((p) => p.includes('.') || p.length === 0);
  if (readable.length <= CLIENT_TOKEN_MAX && SAFE.test(readable) && !ambiguous) return readable;
  const encoded = [prefix, ...parts].map((p) => `${p.length}:${p}`).join('|');
  return `${prefix}-${sha256Hex(encoded).slice(0, 48)}`;
}

/**
 * RunTask clientToken for a session's launch of one incarnation of one life (`uid`, the spec's
 * per-life identity; absent for records older than uids). A session id reused after a delete is
 * a new life with new tokens, so ECS's 24 h token memory never hands it the old life's tasks.
 * A store loss also starts a new life; the old life's live task is then adopted, not duplicated
 * (plan-session.ts: a fresh life with no state of its own adopts a live task of the same user
 * and content by tagging it with its uid).
 */
export function runTaskTokenForSession(sessionId: string, incarnation: number, uid?: string): string {
  if (!Number.isSafeInteger(incarnation) || incarnation < 0) {
    throw new RangeError(`incarnation must be a non-negative integer, got ${incarnation}`);
  }
  return token('s', uid === undefined ? [sessionId, String(incarnation)] : [sessionId, uid, String(incarnation)]);
}

/** RunTask clientToken for one warm-pool batch (the batch intent id is recorded before launching). */
export function runTaskTokenForWarmBatch(pool: string, batchIntentId: string): string {
  return token('w', [pool, batchIntentId]);
}

/**
 * EFS CreateAccessPoint ClientToken for a user's access point on a file system at `rootPath`.
 * The path is part of the token, so a changed user -> path mapping never replays the token of an
 * access point with the old path (EFS would answer with that one).
 */
export function accessPointToken(fileSystemId: string, userId: string, rootPath: string): string {
  return token('ap', [fileSystemId, userId, rootPath]);
}

/**
 * JSON with object keys sorted at every depth; `undefined` members are dropped (as JSON does),
 * so optional-but-absent and missing inputs hash the same.
 */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const src = v as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(src).sort()) {
      if (src[k] !== undefined) out[k] = sortKeys(src[k]);
    }
    return out;
  }
  return v;
}

export const CONTENT_HASH_LENGTH = 24;

/**
 * Content hash of task-definition inputs: sha256 of stable JSON, 24 hex chars (96 bits).
 * Stored in the `esr:spec-hash` tag so an existing revision with the same hash is reused.
 */
export function contentHash(inputs: unknown): string {
  return sha256Hex(stableJson(inputs)).slice(0, CONTENT_HASH_LENGTH);
}
