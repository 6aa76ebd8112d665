/**
 * Decoded records remembered between snapshots, keyed by Redis key and checked against the
 * exact stored bytes. Decoding (UTF-8, JSON, schema validation, id check) is a pure function of
 * the bytes and the key, so a record whose bytes are unchanged since the last snapshot gets the
 * same result without being decoded again; any changed byte means a full decode. Validation is
 * never skipped for bytes it has not seen.
 *
 * Rules: a snapshot reads through one `DecodeScope` and commits it at the end; the memo then
 * holds exactly the records that snapshot read (deleted keys are forgotten). Cached values are
 * shared between snapshots, so they are deep-frozen: mutating one throws instead of corrupting
 * the next snapshot. The bytes are copied, so a cached record never pins a reply buffer.
 */
import type { Decoded } from './decode.js';

interface Memo {
  raw: Buffer;
  decoded: Decoded<unknown>;
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
    if (old && old.raw.equals(raw)) {
      this.hits++;
      this.next.set(key, old);
      return old.decoded as Decoded<T>;
    }
    const decoded = deepFreeze(decode(raw));
    this.next.set(key, { raw: Buffer.from(raw), decoded });
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
