/**
 * A multimap from keys to sets of values (Guava's SetMultimap) for indexes where nearly every key
 * has one value: the controller cache's session -> task ARNs, pool -> task ARNs and session ->
 * claimed ARNs. A key with one value stores the value itself; only a second value makes a Set,
 * and a key whose last value is removed is dropped. At 100,000 sessions a Set per session was
 * ~18 MB of the daemon's heap (docs/performance.md, finding 7); one string reference is 8 bytes.
 *
 * Values are primitives (a Set value could not be told from the set of values). Iteration order
 * within a key is insertion order, as with a Set.
 */
export class SetMultimap<K, V extends string | number> {
  private readonly map = new Map<K, V | Set<V>>();

  /** Adds `value` under `key` (no-op when present). */
  add(key: K, value: V): void {
    const cur = this.map.get(key);
    if (cur === undefined) this.map.set(key, value);
    else if (cur instanceof Set) cur.add(value);
    else if (cur !== value) this.map.set(key, new Set([cur, value]));
  }

  /** Removes `value` from `key`; the key goes when its last value does. */
  delete(key: K, value: V): void {
    const cur = this.map.get(key);
    if (cur === undefined) return;
    if (!(cur instanceof Set)) {
      if (cur === value) this.map.delete(key);
      return;
    }
    cur.delete(value);
    if (cur.size === 1) this.map.set(key, cur.values().next().value as V);
  }

  /** The values under `key` (empty when none). */
  get(key: K): Iterable<V> {
    const cur = this.map.get(key);
    if (cur === undefined) return [];
    return cur instanceof Set ? cur : [cur];
  }

  /** Keys holding at least one value. */
  keys(): IterableIterator<K> {
    return this.map.keys();
  }

  /** Number of keys holding at least one value. */
  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
