/**
 * One shared instance per distinct string, for fields whose values recur across many records:
 * at 100,000 sessions the daemon held 100,000 separate copies of the same task-definition ARN,
 * of `RUNNING`, of each condition's type, status and reason, and so on (~70 MB of its heap;
 * docs/performance.md, finding 7). JSON parsing makes a new string for every value it reads.
 *
 * Bounded and generational: two maps of at most `generationSize` strings each. A string found in
 * the older map moves to the younger; when the younger is full the older is dropped. Strings in
 * use keep coming back and stay; one-off strings age out. Memory: at most 2 x `generationSize`
 * strings of at most `maxLength` characters (longer ones are returned as they are).
 *
 * Pass only values of fields with few distinct values (statuses, reasons, tag values such as the
 * owner or role, task-definition ARNs): unique strings (ids, task ARNs, addresses) would only
 * churn it. Interning never changes a value, only which instance holds it.
 */
export class StringInterner {
  private young = new Map<string, string>();
  private old = new Map<string, string>();

  constructor(
    private readonly generationSize = 4096,
    private readonly maxLength = 512,
  ) {}

  /** The shared instance equal to `s` (`s` itself when new or too long); undefined passes through. */
  intern<T extends string | undefined>(s: T): T {
    if (s === undefined || s.length > this.maxLength) return s;
    const y = this.young.get(s);
    if (y !== undefined) return y as T;
    const kept = this.old.get(s) ?? s;
    if (this.young.size >= this.generationSize) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(kept, kept);
    return kept as T;
  }

  /** Strings held now (both generations; a string may be in both). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}

/** The process's interner for observed tasks and decoded desired records. */
export const sharedInterner = new StringInterner();
