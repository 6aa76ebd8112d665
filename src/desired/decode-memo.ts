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
 * holds exactly the records that snapshot read (deleted sessions are forgotten). Cached values
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
}

function memoOf(specDigest: string | undefined, spec: unknown, statusDigest: string | undefined, status: unknown): SessionMemo {
  return { specDigest, spec, statusDigest, status };
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
  private readonly next = new Map<string, SessionMemo>();
  hits = 0;

  constructor(
    private readonly previous: ReadonlyMap<string, SessionMemo>,
    private readonly onCommit: (next: Map<string, SessionMemo>) => void,
  ) {}

  /**
   * `decode(raw)` unless session `id`'s `slot` record held exactly these bytes in the last
   * committed snapshot. Absent records (`raw` null/undefined) are decoded and not remembered.
   */
  decode<T>(id: string, slot: MemoSlot, raw: Buffer | null | undefined, decode: (raw: Buffer | null | undefined) => Decoded<T>): Decoded<T> {
    if (raw === null || raw === undefined) return decode(raw);
    const digest = digestOf(raw);
    const old = this.previous.get(id);
    const oldDigest = slot === 'spec' ? old?.specDigest : old?.statusDigest;
    let held: unknown;
    let result: Decoded<T>;
    if (old && oldDigest === digest) {
      this.hits++;
      held = slot === 'spec' ? old.spec : old.status;
      result = resultOf<T>(held);
    } else {
      const decoded = decode(raw);
      result = decoded.kind === 'ok' ? { kind: 'ok', value: deepFreeze(compactRecord(decoded.value)) } : deepFreeze(decoded);
      held = result.kind === 'ok' ? result.value : new InvalidResult(result);
    }
    const cur = this.next.get(id);
    // Keyed by the spec's own id when it has one (equal to `id`; the cache's entry holds that string too).
    const key = slot === 'spec' && result.kind === 'ok' ? (result.value as { id?: unknown }).id : undefined;
    if (slot === 'spec') this.next.set(typeof key === 'string' ? key : id, memoOf(digest, held, cur?.statusDigest, cur?.status));
    else if (cur) {
      cur.statusDigest = digest;
      cur.status = held;
    } else this.next.set(id, memoOf(undefined, undefined, digest, held));
    return result;
  }

  /** The snapshot completed: its records become the memo. */
  commit(): void {
    this.onCommit(this.next);
  }
}

export class DecodeMemo {
  private current: ReadonlyMap<string, SessionMemo> = new Map();

  /** Starts reading one snapshot. A scope never committed leaves the memo as it was. */
  begin(): DecodeScope {
    return new DecodeScope(this.current, (next) => {
      this.current = next;
    });
  }

  /** Number of records remembered (a session's spec and status count one each). */
  get size(): number {
    let n = 0;
    for (const m of this.current.values()) n += (m.specDigest !== undefined ? 1 : 0) + (m.statusDigest !== undefined ? 1 : 0);
    return n;
  }
}
