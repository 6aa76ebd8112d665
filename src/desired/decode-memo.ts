/**
 * Decoded records remembered between snapshots, one entry per session id holding its spec and
 * its status, each checked against a SHA-256 digest of the stored bytes (its first 128 bits).
 * Decoding (UTF-8, JSON, schema validation, id check) is a pure function of the bytes and the
 * id, so a record whose bytes are unchanged since the last snapshot gets the same result without
 * being decoded again; any changed byte changes the digest and means a full decode. Validation is
 * never skipped for bytes it has not seen (a SHA-256 collision, which nobody knows how to make,
 * would return the record's previous, validated value).
 *
 * Rules: a snapshot reads through one `DecodeScope` and commits it at the end; the memo then
 * holds the records that snapshot read (deleted sessions are forgotten). A scope updates the
 * memo in place as it reads (each entry always pairs a digest with the result of decoding those
 * bytes, so an entry is right whichever scope wrote it): a full read of N sessions allocates no
 * second map of N entries, and an unchanged session allocates nothing. A scope never committed
 * (a read that failed halfway) leaves what it read; the next committed scope that does not read
 * it forgets it. Scopes may overlap: a commit forgets only entries no scope begun since it read. Cached values
 * are shared between snapshots, so they are compacted (compact-record.ts: rebuilt with their
 * properties in-object, recurring strings and empty objects shared) and deep-frozen: mutating
 * one throws instead of corrupting the next snapshot.
 *
 * Memory (docs/performance.md, finding 7): per session one entry keyed by the session id (a
 * string the snapshot holds anyway) with two 16-byte digests; no copy of the bytes, no Redis key
 * strings (keyed by `{prefix}:session:<id>:spec` and `...:status`, 200,000 keys were 12 MB at
 * 100,000 sessions), no wrapper per record.
 */
import { hash } from 'node:crypto';
import { compactRecord } from './compact-record.js';
import type { Decoded } from './decode.js';

/** The two records of a session that the memo keeps. */
export type MemoSlot = 'spec' | 'status';

/** A record that did not decode: its whole Decoded result is kept (rare, so the wrapper is fine). */
class InvalidResult {
  constructor(readonly decoded: Decoded<unknown>) {}
}

/**
 * One session's remembered records. Always made by `memoOf` with all four fields in this order
 * (one hidden class, properties in-object). A held value is the decoded value when it decoded
 * `ok`, else an InvalidResult; undefined when the slot was not read (absent record).
 */
interface SessionMemo {
  specDigest: string | undefined;
  spec: unknown;
  statusDigest: string | undefined;
  status: unknown;
  /** The newest scope (its generation) that read a record of this session. */
  seen: number;
}

function memoOf(seen: number): SessionMemo {
  return { specDigest: undefined, spec: undefined, statusDigest: undefined, status: undefined, seen };
}

/** The first 128 bits of the SHA-256 of `raw`, as a 16-character one-byte string (32 bytes of heap). */
function digestOf(raw: Buffer): string {
  return hash('sha256', raw, 'buffer').toString('latin1', 0, 16);
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as Record<string, unknown>)) deepFreeze(x);
  }
  return v;
}

function resultOf<T>(held: unknown): Decoded<T> {
  return (held instanceof InvalidResult ? held.decoded : { kind: 'ok', value: held }) as Decoded<T>;
}

export class DecodeScope {
  hits = 0;

  constructor(
    private readonly memo: Map<string, SessionMemo>,
    /** This scope's generation: greater than that of every scope begun before it. */
    private readonly generation: number,
  ) {}

  /**
   * `decode(raw)` unless session `id`'s `slot` record held exactly these bytes when the memo last
   * saw it. Absent records (`raw` null/undefined) are decoded, and the slot is forgotten.
   */
  decode<T>(id: string, slot: MemoSlot, raw: Buffer | null | undefined, decode: (raw: Buffer | null | undefined) => Decoded<T>): Decoded<T> {
    let cur = this.memo.get(id);
    if (raw === null || raw === undefined) {
      if (cur) this.hold(cur, slot, undefined, undefined);
      return decode(raw);
    }
    const digest = digestOf(raw);
    if (cur && (slot === 'spec' ? cur.specDigest : cur.statusDigest) === digest) {
      this.hits++;
      if (cur.seen < this.generation) cur.seen = this.generation;
      return resultOf<T>(slot === 'spec' ? cur.spec : cur.status);
    }
    const decoded = decode(raw);
    const result: Decoded<T> = decoded.kind === 'ok' ? { kind: 'ok', value: deepFreeze(compactRecord(decoded.value)) } : deepFreeze(decoded);
    if (!cur) {
      cur = memoOf(this.generation);
      // Keyed by the spec's own id when it has one (equal to `id`; the cache's entry holds that string too).
      const key = slot === 'spec' && result.kind === 'ok' ? (result.value as { id?: unknown }).id : undefined;
      this.memo.set(typeof key === 'string' ? key : id, cur);
    }
    this.hold(cur, slot, digest, result.kind === 'ok' ? result.value : new InvalidResult(result));
    if (cur.seen < this.generation) cur.seen = this.generation;
    return result;
  }

  /** The snapshot completed: sessions it did not read (and no later scope read) are forgotten. */
  commit(): void {
    for (const [id, m] of this.memo) {
      if (m.seen < this.generation || (m.specDigest === undefined && m.statusDigest === undefined)) this.memo.delete(id);
    }
  }

  private hold(m: SessionMemo, slot: MemoSlot, digest: string | undefined, held: unknown): void {
    if (slot === 'spec') {
      m.specDigest = digest;
      m.spec = held;
    } else {
      m.statusDigest = digest;
      m.status = held;
    }
  }
}

export class DecodeMemo {
  private readonly memo = new Map<string, SessionMemo>();
  private generation = 0;

  /** Starts reading one snapshot. */
  begin(): DecodeScope {
    return new DecodeScope(this.memo, ++this.generation);
  }

  /** Number of records remembered (a session's spec and status count one each). */
  get size(): number {
    let n = 0;
    for (const m of this.memo.values()) n += (m.specDigest !== undefined ? 1 : 0) + (m.statusDigest !== undefined ? 1 : 0);
    return n;
  }
}
