/**
 * The order in which rate-limit waiters are served: sessions first, then the warm pool, each in
 * the order its requests were made (FIFO by request time), with a bounded head start for
 * sessions so the pool never starves.
 *
 * Rule: a waiter's rank is its request time, plus `poolYieldMs` for a `pool` request; the bucket
 * serves the lowest rank first (ties by arrival). So a pool request yields to every session
 * request made before it and up to `poolYieldMs` after it, and to nothing later.
 *
 * Why sessions first: a waiting session is a user looking at a spinner; a warm task is stock for
 * users who have not arrived yet, and a session served now is exactly what the pool would have
 * served. Why a bound: under a lasting overload the pool must still refill, or every later
 * session pays a cold start for good.
 *
 * Guaranteed share: a pool request is never served after a session request made more than
 * `poolYieldMs` after it. So the pool's wait is at most `poolYieldMs` plus the wait of a session
 * that asked at the same moment: under any load, however long, the pool gets its first-come
 * share of every bucket, only shifted by `poolYieldMs` (default 30 s: longer than a burst of
 * 1,000 launches takes to drain at Fargate's 20 launches/s, so a burst is served sessions first
 * in full, and short enough that a pool emptied by a burst refills within a minute of it).
 */

/** Who a rate-limited call is for: a session (a user waits) or the warm pool (stock). */
export type RequestClass = 'session' | 'pool';

/** Where a call stands in line. `requestedAt` is ms on the injected clock; earlier goes first. */
export interface RequestOrder {
  class: RequestClass;
  /** When the caller first asked (e.g. a launch intent's `requestedAt`; it survives retries). */
  requestedAt: number;
  /**
   * Breaks ties of equal rank (requests in the same millisecond): lower first. Take it from
   * `nextRequestSeq()` when the caller first asks; default: when the waiter joins the line.
   */
  seq?: number;
}

let lastSeq = 0;

/** A process-wide, ever-increasing number: the order of requests made in the same millisecond. */
export function nextRequestSeq(): number {
  return ++lastSeq;
}

/** Default head start of sessions over the pool (ms): one burst of launches drains in well under it. */
export const DEFAULT_POOL_YIELD_MS = 30_000;

/** The rank of a request: lower is served first. */
export function rankOf(order: RequestOrder, poolYieldMs: number): number {
  return order.class === 'pool' ? order.requestedAt + poolYieldMs : order.requestedAt;
}

/** Whether `a` goes before `b`: lower rank, then lower seq. */
export function goesBefore(a: { rank: number; seq: number }, b: { rank: number; seq: number }): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq);
}

/**
 * Inserts `item` into `list` (sorted by rank, then seq) after every item that goes before it.
 * O(log n) search plus the array insert. Returns the index.
 */
export function insertByRank<T extends { rank: number; seq: number }>(list: T[], item: T): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (!goesBefore(item, list[mid] as T)) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
  return lo;
}
