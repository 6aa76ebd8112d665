/**
 * Follows the change-hint stream with XREAD BLOCK from a remembered cursor, on a dedicated
 * connection (a blocking read would stall every other command on a shared one).
 *
 * Resync rules (the iteration yields `{type:'resync'}` and ends):
 * - `gap`: the next hint's `seq` is not cursor.seq + 1 (the stream was trimmed past the cursor,
 *   or the store was wiped and restarted its counter);
 * - `reconnect`: the dedicated connection is not the one the follower began on (it reconnected,
 *   or a Cluster moved the slot to another node): a failover may have lost writes. Detected the
 *   same way on every topology: the follower names its connection with a name unique to this
 *   follow (CLIENT SETNAME) and sends CLIENT GETNAME in the same pipeline as every XREAD; a new
 *   connection has no name;
 * - `error`: XREAD failed (no answer within the command timeout, measured stall-safe:
 *   common/stall-safe-timeout.ts; connection closed for good).
 * Aborting `signal` ends the iteration at once, even while a read is still pending.
 */
import { randomUUID } from 'node:crypto';
import { Cluster, type Redis } from 'ioredis';
import type { KeyLayout } from './keys.js';
import type { RedisLike } from './lua.js';
import type { FollowOptions, Hint, HintCursor, HintEvent } from './types.js';
import { stallSafeTimeout } from '../common/stall-safe-timeout.js';

export const DEFAULT_BLOCK_MS = 5000;
/** Most hints fetched per XREAD. */
export const HINT_BATCH = 1000;

type XReadReply = Array<[string, Array<[string, string[]]>]> | null;

function field(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

/** Parses one stream entry; undefined when it is not a hint this code wrote. */
export function parseHint(fields: string[]): { hint: Hint; seq: number } | undefined {
  const k = field(fields, 'k');
  const id = field(fields, 'id');
  const g = Number(field(fields, 'g'));
  const q = Number(field(fields, 'q'));
  if ((k !== 'session' && k !== 'pool') || id === undefined || !Number.isSafeInteger(g) || !Number.isSafeInteger(q)) return undefined;
  return { hint: { kind: k, id, generation: g }, seq: q };
}

function commandTimeoutOf(base: RedisLike): number | undefined {
  return base instanceof Cluster ? base.options.redisOptions?.commandTimeout : (base as Redis).options.commandTimeout;
}

/**
 * How long one XREAD blocks on the server (ms): the requested time, at most half the client's
 * command timeout (`timeoutMs`, undefined: none), at least 1, so that an idle read is answered
 * well before its deadline. History (docs/performance.md, finding 7, third and fourth rounds):
 * with 500 ms of margin and the connection's plain command timer, an event-loop pause that ended
 * past the timer made an answered read "time out" (every ~10 s at 100,000 sessions on Node 24,
 * each costing a full ECS resync); half the timeout made that rarer, and the stall-safe deadline
 * (common/stall-safe-timeout.ts) now makes it impossible: the margin is no longer what keeps an
 * answered read from failing.
 */
export function hintBlockMs(requestedMs: number, timeoutMs: number | undefined): number {
  return Math.max(1, Math.floor(Math.min(requestedMs, timeoutMs ? timeoutMs / 2 : Infinity)));
}

export async function* followHintStream(base: RedisLike, keys: KeyLayout, from: HintCursor, opts: FollowOptions): AsyncGenerator<HintEvent> {
  const { signal } = opts;
  if (signal.aborted) return;
  const timeoutMs = commandTimeoutOf(base);
  const blockMs = hintBlockMs(opts.blockMs ?? DEFAULT_BLOCK_MS, timeoutMs);
  // The connection's own command timer is off: the read's deadline is stall-safe (stallSafeTimeout).
  const conn: RedisLike =
    base instanceof Cluster
      ? base.duplicate([], { redisOptions: { ...base.options.redisOptions, commandTimeout: undefined } })
      : (base as Redis).duplicate({ commandTimeout: undefined });
  const life = `esr-hints-${keys.prefix}-${randomUUID().slice(0, 8)}`;
  conn.on('error', () => undefined); // surfaced through the failing XREAD
  let onAbort = (): void => undefined;
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = (): void => {
      conn.disconnect();
      resolve('aborted');
    };
  });
  signal.addEventListener('abort', onAbort, { once: true });
  let cursor = from;
  let named = false;
  try {
    for (;;) {
      let reply: XReadReply;
      let name: unknown;
      try {
        const pipe = conn.pipeline();
        if (named) pipe.client('GETNAME');
        else pipe.client('SETNAME', life);
        pipe.xread('COUNT', HINT_BATCH, 'BLOCK', blockMs, 'STREAMS', keys.hints, cursor.id);
        const result = await Promise.race([stallSafeTimeout(pipe.exec(), timeoutMs), aborted]);
        if (result === 'aborted' || signal.aborted) return;
        const failed = result?.find(([err]) => err)?.[0];
        if (!result || failed) throw failed ?? new Error('no reply');
        name = result[0]![1];
        reply = result[1]![1] as XReadReply;
      } catch (err) {
        if (signal.aborted) return;
        yield { type: 'resync', reason: 'error', message: `reading hints failed: ${(err as Error).message}` };
        return;
      }
      if (named && name !== life) {
        yield { type: 'resync', reason: 'reconnect', message: 'the hint connection is a new one (reconnected or moved to another node); hints may have been lost' };
        return;
      }
      named = true;
      const entries = reply?.[0]?.[1] ?? [];
      if (entries.length === 0) continue;
      const hints: Hint[] = [];
      for (const [entryId, fields] of entries) {
        const parsed = parseHint(fields);
        if (!parsed || parsed.seq !== cursor.seq + 1) {
          if (hints.length > 0) yield { type: 'hints', hints, cursor };
          const got = parsed ? `seq ${parsed.seq}` : 'an unreadable entry';
          yield { type: 'resync', reason: 'gap', message: `expected hint seq ${cursor.seq + 1} after ${cursor.id}, got ${got} at ${entryId}` };
          return;
        }
        hints.push(parsed.hint);
        cursor = { id: entryId, seq: parsed.seq };
      }
      yield { type: 'hints', hints, cursor };
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    conn.disconnect();
  }
}
