/**
 * Reads the whole desired state in a few round trips, whatever the number of sessions:
 *   1. MULTI: the session index, the pool index, the newest hint (cursor) and the marker —
 *      atomically, so the cursor is taken before any record is read;
 *   2. pipelines of MGETs (chunks of `chunkSize` keys) over spec, status and activity records,
 *      `SNAPSHOT_WINDOW_CHUNKS` chunks a pipeline, the next sent while one is decoded;
 *   3. only for ids whose records read as missing: TYPE, to tell "gone" from "wrong type".
 * Every record is validated; bad ones become `invalid` entries, never exceptions.
 */
import type { Clock } from '../common/clock.js';
import { decodePoolSpec, decodeSessionSpec, decodeSessionStatus } from './decode.js';
import { DecodeMemo } from './decode-memo.js';
import type { KeyLayout } from './keys.js';
import type { RedisLike } from './lua.js';
import { parseActivity, toSessionEntry } from './records.js';
import { POOL_NAME_PATTERN, SESSION_ID_PATTERN } from './schema.js';
import type { DesiredSnapshot, HintCursor, InvalidRecordHook, PoolEntry, SessionEntry, StoreMarker } from './types.js';
import { guard } from './redis-guard.js';
import { DesiredError } from './errors.js';
import { isWrongType } from './wrong-type.js';

export const SNAPSHOT_CHUNK = 1000;
/**
 * Chunks read by one pipeline before the next is sent (see readSnapshot). Two: the replies of a
 * window hold the socket reads they were sliced from (redis-parser returns Buffer slices), memory
 * outside the V8 heap that glibc keeps once grown; at 8, two windows were up to ~32 MB of them.
 * More windows cost a round trip each (50 at 100,000 sessions, each overlapped with decoding).
 */
export const SNAPSHOT_WINDOW_CHUNKS = 2;

type Exec = Array<[Error | null, unknown]> | null;

/** Parses the newest stream entry (XREVRANGE ... COUNT 1) into a cursor. */
export function cursorFromEntries(entries: unknown): HintCursor {
  const first = Array.isArray(entries) ? (entries[0] as [string, string[]] | undefined) : undefined;
  if (!first) return { id: '0-0', seq: 0 };
  const fields = first[1];
  const qi = fields.indexOf('q');
  const seq = qi >= 0 ? Number(fields[qi + 1]) : NaN;
  return { id: first[0], seq: Number.isSafeInteger(seq) ? seq : -1 };
}

/** Parses the marker; an unreadable marker still counts as present (storeId 'unreadable'). */
export function parseMarker(raw: unknown): StoreMarker | undefined {
  if (typeof raw !== 'string') return undefined;
  try {
    const m = JSON.parse(raw) as Partial<StoreMarker>;
    if (typeof m.storeId === 'string' && typeof m.schemaVersion === 'number' && typeof m.createdAt === 'number') {
      return { schemaVersion: m.schemaVersion, storeId: m.storeId, createdAt: m.createdAt };
    }
  } catch {
    // fall through
  }
  return UNREADABLE_MARKER;
}

/** A marker that exists but cannot be read: present for the brake (the store was not wiped). */
const UNREADABLE_MARKER: StoreMarker = Object.freeze({ schemaVersion: -1, storeId: 'unreadable', createdAt: 0 });

function idProblem(kind: 'spec' | 'pool', id: string): SessionEntry['invalid'] {
  return { record: kind, reason: 'schema', message: `index holds ${kind === 'spec' ? 'session id' : 'pool name'} ${JSON.stringify(id.slice(0, 80))} which breaks the naming rule` };
}

export async function readSnapshot(
  redis: RedisLike,
  keys: KeyLayout,
  clock: Clock,
  onInvalid: InvalidRecordHook,
  chunkSize = SNAPSHOT_CHUNK,
  memo: DecodeMemo = new DecodeMemo(),
): Promise<DesiredSnapshot> {
  return guard('snapshot', async () => {
    const scope = memo.begin();
    const head = (await redis
      .multi()
      .zrange(keys.sessionIndex, 0, -1)
      .zrange(keys.poolIndex, 0, -1)
      .xrevrange(keys.hints, '+', '-', 'COUNT', 1)
      .get(keys.meta)
      .exec()) as Exec;
    if (!head) throw new Error('snapshot transaction aborted');
    // The indexes are the snapshot: without one no record can be read (the resync fails, visibly:
    // readiness, esr_full_sync_failures_total, an alert). A bad hint stream or marker is reported
    // and worked around (no cursor: the hint follower resyncs; an unreadable marker counts as present).
    for (const [i, key] of [keys.sessionIndex, keys.poolIndex].entries()) {
      const err = head[i]![0];
      if (err) throw new DesiredError('STORE_ERROR', `snapshot: the index ${key} cannot be read (${err.message}); no ${i === 0 ? 'session' : 'pool'} is reconciled from a full resync until it is a sorted set again`, { cause: err });
    }
    let storeProblems = 0;
    const storeProblem = (record: 'hints' | 'meta', key: string, err: Error): void => {
      storeProblems++;
      onInvalid({ kind: 'store', id: key, invalid: { record, reason: isWrongType(err) ? 'wrong-type' : 'schema', message: `${key}: ${err.message}` } });
    };
    const readAt = clock.now();
    const ids = head[0]![1] as string[];
    const poolNames = head[1]![1] as string[];
    const [hintsErr, hintsReply] = head[2]!;
    if (hintsErr) storeProblem('hints', keys.hints, hintsErr);
    const cursor = hintsErr ? { id: '0-0', seq: -1 } : cursorFromEntries(hintsReply);
    const [metaErr, metaReply] = head[3]!;
    if (metaErr) storeProblem('meta', keys.meta, metaErr);
    const marker = metaErr ? UNREADABLE_MARKER : parseMarker(metaReply);

    let invalidCount = 0;
    const report = (kind: 'session' | 'pool', id: string, invalid: NonNullable<SessionEntry['invalid']>): void => {
      invalidCount++;
      onInvalid({ kind, id, invalid });
    };

    // Windows of SNAPSHOT_WINDOW_CHUNKS chunks, one pipeline each. The next window is sent before
    // this one is decoded (Redis works while we decode), so at most two windows' replies are held
    // at once: ~2 MB per 1,000 sessions of a window, whatever N (one pipeline for everything held
    // every record's bytes of 100,000 sessions at once).
    const sessions = new Map<string, SessionEntry>();
    const missing: string[] = [];
    let poolRaw: Array<Buffer | null> = [];
    const windowSize = chunkSize * SNAPSHOT_WINDOW_CHUNKS;
    const send = (w: number): Promise<Array<[Error | null, Array<Buffer | null>]>> => {
      const pipe = redis.pipeline();
      const windowIds = ids.slice(w, w + windowSize);
      for (let i = 0; i < windowIds.length; i += chunkSize) {
        const part = windowIds.slice(i, i + chunkSize);
        pipe.mgetBuffer(part.map(keys.sessionSpec));
        pipe.mgetBuffer(part.map(keys.sessionStatus));
        pipe.mgetBuffer(part.map(keys.sessionActivity));
      }
      if (w === 0 && poolNames.length > 0) pipe.mgetBuffer(poolNames.map(keys.pool));
      const sent = pipe.exec().then((r) => (r ?? []) as Array<[Error | null, Array<Buffer | null>]>);
      sent.catch(() => undefined); // awaited below; a failure while the previous window decodes is not unhandled
      return sent;
    };
    let next = send(0);
    for (let w = 0; w === 0 || w < ids.length; w += windowSize) {
      const replies = await next;
      if (w + windowSize < ids.length) next = send(w + windowSize);
      const windowIds = ids.slice(w, w + windowSize);
      for (const [err] of replies) if (err) throw err;
      if (w === 0 && poolNames.length > 0) poolRaw = replies[replies.length - 1]![1];
      for (let c = 0; c * chunkSize < windowIds.length; c++) {
        const specs = replies[3 * c]![1];
        const statuses = replies[3 * c + 1]![1];
        const activity = replies[3 * c + 2]![1];
        for (let j = 0; j < specs.length; j++) {
          const id = windowIds[c * chunkSize + j]!;
          const spec = scope.decode(id, 'spec', specs[j], (raw) => decodeSessionSpec(raw, id));
          const status = scope.decode(id, 'status', statuses[j], decodeSessionStatus);
          const at = parseActivity(activity[j]);
          // No record to decode (a spec of the wrong type, a broken id): the entry still keeps its activity.
          const entry = toSessionEntry(id, spec, status, at) ?? (at === undefined ? { id } : { id, lastActivityAt: at });
          if (!SESSION_ID_PATTERN.test(id)) {
            delete entry.spec;
            entry.invalid = idProblem('spec', id);
          }
          if (!entry.spec && !entry.invalid && specs[j] === null) missing.push(id);
          sessions.set(id, entry);
        }
      }
    }
    await classifyMissing(redis, keys, missing, sessions);
    for (const e of sessions.values()) if (e.invalid) report('session', e.id, e.invalid);

    const pools = new Map<string, PoolEntry>();
    poolNames.forEach((name, i) => {
      const d = decodePoolSpec(poolRaw[i], name);
      const entry: PoolEntry = { name };
      if (!POOL_NAME_PATTERN.test(name)) entry.invalid = idProblem('pool', name);
      else if (d.kind === 'ok') entry.spec = d.value;
      else if (d.kind === 'invalid') entry.invalid = d.invalid;
      else return; // listed but gone: skip (a purge in flight)
      if (entry.invalid) report('pool', name, entry.invalid);
      pools.set(name, entry);
    });

    scope.commit();
    return { sessions, pools, readAt, cursor, marker, invalidCount: invalidCount + storeProblems };
  }, redis);
}

/**
 * Ids in the index whose spec read as nil: either removed since the index was read (dropped
 * from the snapshot unless a status remains) or a key of the wrong type (reported invalid).
 */
async function classifyMissing(redis: RedisLike, keys: KeyLayout, ids: string[], sessions: Map<string, SessionEntry>): Promise<void> {
  if (ids.length === 0) return;
  const pipe = redis.pipeline();
  for (const id of ids) pipe.type(keys.sessionSpec(id));
  const types = ((await pipe.exec()) ?? []) as Array<[Error | null, string]>;
  ids.forEach((id, i) => {
    const type = types[i]?.[1];
    const entry = sessions.get(id)!;
    if (type && type !== 'none' && type !== 'string') {
      entry.invalid = { record: 'spec', reason: 'wrong-type', message: `spec key holds a Redis ${type}, expected a string` };
    } else if (!entry.status) {
      sessions.delete(id);
    }
  });
}
