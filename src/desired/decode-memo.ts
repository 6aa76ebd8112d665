/**
 * Decoded records remembered between snapshots, keyed by Redis key and checked against a
 * SHA-256 digest of the stored bytes. Decoding (UTF-8, JSON, schema validation, id check) is a
 * pure function of the bytes and the key, so a record whose bytes are unchanged since the last
 * snapshot gets the same result without being decoded again; any changed byte changes the digest
 * and means a full decode. Validation is never skipped for bytes it has not seen (a SHA-256
 * collision, which nobody knows how to make, would return the key's previous, validated value).
 *
 * Rules: a snapshot reads through one `DecodeScope` and commits it at the end; the memo then
 * holds exactly the records that snapshot read (deleted keys are forgotten). Cached values are
 * shared between snapshots, so they are compacted (compact-record.ts: recurring strings and empty
 * objects shared) and deep-frozen: mutating one throws instead of corrupting
 * the next snapshot. Only the digest (44 characters) is kept, not the bytes: at 100,000 sessions
 * a copy of every spec and status record was ~80 MB of the daemon's memory (docs/performance.md,
 * finding 7), and a kept record never pins a reply buffer.
 */
import { createHash } from 'node:crypto';
import { compactRecord } from './compact-record.js';
import type { Decoded } from './decode.js';

interface Memo {
  /** SHA-256 of the record's bytes, base64. */
  digest: string;
  decoded: Decoded<unknown>;
}

function digestOf(raw: Buffer): string {
  return createHash('sha256').update(raw).digest('base64');
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as Record<string, unknown>)) deepFreeze(x);
  }
  return v;
}

export class DecodeScope {
  private readonly next = new Map<string, Memo>();
  hits = 0;

  constructor(
    private readonly previous: ReadonlyMap<string, Memo>,
    private readonly onCommit: (next: Map<string, Memo>) => void,
  ) {}

  /** `decode(raw)` unless `key` held exactly these bytes in the last committed snapshot. */
  decode<T>(key: string, raw: Buffer | null | undefined, decode: (raw: Buffer | null | undefined) => Decoded<T>): Decoded<T> {
    if (raw === null || raw === undefined) return decode(raw);
    const old = this.previous.get(key);
    const digest = digestOf(raw);
    if (old && old.digest === digest) {
      this.hits++;
      this.next.set(key, old);
      return old.decoded as Decoded<T>;
    }
    const decoded = deepFreeze(compactRecord(decode(raw)));
    this.next.set(key, { digest, decoded });
    return decoded;
  }

  /** The snapshot completed: its records become the memo. */
  commit(): void {
    this.onCommit(this.next);
  }
}

export class DecodeMemo {
  private current: ReadonlyMap<string, Memo> = new Map();

  /** Starts reading one snapshot. A scope never committed leaves the memo as it was. */
  begin(): DecodeScope {
    return new DecodeScope(this.current, (next) => {
      this.current = next;
    });
  }

  /** Number of records remembered. */
  get size(): number {
    return this.current.size;
  }
}
