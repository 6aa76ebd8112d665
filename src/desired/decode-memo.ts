/**
 * Decoded records remembered between snapshots, keyed by Redis key and checked against a
 * SHA-256 digest of the stored bytes (its first 128 bits). Decoding (UTF-8, JSON, schema validation, id check) is a
 * pure function of the bytes and the key, so a record whose bytes are unchanged since the last
 * snapshot gets the same result without being decoded again; any changed byte changes the digest
 * and means a full decode. Validation is never skipped for bytes it has not seen (a SHA-256
 * collision, which nobody knows how to make, would return the key's previous, validated value).
 *
 * Rules: a snapshot reads through one `DecodeScope` and commits it at the end; the memo then
 * holds exactly the records that snapshot read (deleted keys are forgotten). Cached values are
 * shared between snapshots, so they are compacted (compact-record.ts: recurring strings and empty
 * objects shared) and deep-frozen: mutating one throws instead of corrupting
 * the next snapshot. Only the digest (16 bytes) is kept, not the bytes: at 100,000 sessions
 * a copy of every spec and status record was ~80 MB of the daemon's memory (docs/performance.md,
 * finding 7), and a kept record never pins a reply buffer.
 */
import { hash } from 'node:crypto';
import { compactRecord } from './compact-record.js';
import type { Decoded } from './decode.js';

/**
 * One remembered record. For a record that decoded `ok` only its value is kept (the `{kind,
 * value}` wrapper is made again on a hit, a short-lived object): 200,000 wrappers were 7.6 MB.
 */
interface Memo {
  digest: string;
  ok: boolean;
  /** The decoded value when `ok`, else the whole (invalid) Decoded result. */
  held: unknown;
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
      return (old.ok ? { kind: 'ok', value: old.held } : old.held) as Decoded<T>;
    }
    const decoded = deepFreeze(compactRecord(decode(raw)));
    this.next.set(key, decoded.kind === 'ok' ? { digest, ok: true, held: decoded.value } : { digest, ok: false, held: decoded });
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
