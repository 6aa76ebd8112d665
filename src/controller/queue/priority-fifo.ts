import { Deque } from './deque.js';

/**
 * Why a key is queued. `changed` keys (a change hint, a new session) go before `resync` keys
 * (the periodic full pass), because a user may be waiting on them.
 */
export type QueuePriority = 'changed' | 'resync';

/** Ordering among priorities; a merged add keeps the higher one. */
export function higherPriority(a: QueuePriority, b: QueuePriority): QueuePriority {
  return a === 'changed' || b === 'changed' ? 'changed' : 'resync';
}

interface Entry<K> {
  key: K;
  priority: QueuePriority;
  /** When the key was first added (ms on the clock); kept across priority upgrades. */
  addedAt: number;
}

/**
 * The pending-key store of the work queue: one FIFO per priority, at most one live entry per
 * key (re-prioritising leaves a stale entry behind that is skipped when it surfaces).
 *
 * Aging rule: a `resync` key that has waited at least `agingMs` competes with `changed` keys
 * by age (oldest first), so a steady stream of changes delays a resync key by at most about
 * `agingMs` plus the changes queued before it aged, never forever.
 */
export class PriorityFifo<K> {
  private readonly changed = new Deque<Entry<K>>();
  private readonly resync = new Deque<Entry<K>>();
  private readonly live = new Map<K, Entry<K>>();

  constructor(private readonly agingMs: number) {}

  get size(): number {
    return this.live.size;
  }

  /** Entries in both FIFOs, stale ones (left by priority upgrades) included: at most 2 x `size` + upgrades not yet surfaced. */
  entries(): number {
    return this.changed.length + this.resync.length;
  }

  has(key: K): boolean {
    return this.live.has(key);
  }

  /** Adds a key, or upgrades its priority when it is already pending. Returns false when merged. */
  push(key: K, priority: QueuePriority, addedAt: number): boolean {
    const existing = this.live.get(key);
    if (existing) {
      if (existing.priority === 'resync' && priority === 'changed') {
        const upgraded: Entry<K> = { key, priority, addedAt: existing.addedAt };
        this.live.set(key, upgraded);
        this.changed.push(upgraded);
      }
      return false;
    }
    const entry: Entry<K> = { key, priority, addedAt };
    this.live.set(key, entry);
    (priority === 'changed' ? this.changed : this.resync).push(entry);
    return true;
  }

  /** Removes and returns the next key by priority and aging, with the time it was added. */
  pop(now: number): { key: K; addedAt: number } | undefined {
    const c = this.headOf(this.changed);
    const r = this.headOf(this.resync);
    let pick: Deque<Entry<K>>;
    if (!c && !r) return undefined;
    if (!c) pick = this.resync;
    else if (!r) pick = this.changed;
    else if (now - r.addedAt >= this.agingMs && r.addedAt <= c.addedAt) pick = this.resync;
    else pick = this.changed;
    const entry = pick.shift() as Entry<K>;
    this.live.delete(entry.key);
    return { key: entry.key, addedAt: entry.addedAt };
  }

  /** Pending keys in no particular order. */
  keys(): K[] {
    return [...this.live.keys()];
  }

  clear(): void {
    this.changed.clear();
    this.resync.clear();
    this.live.clear();
  }

  /** The first live entry of a band, dropping stale entries left by priority upgrades. */
  private headOf(band: Deque<Entry<K>>): Entry<K> | undefined {
    for (;;) {
      const head = band.peek();
      if (!head) return undefined;
      if (this.live.get(head.key) === head) return head;
      band.shift();
    }
  }
}
