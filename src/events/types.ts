/**
 * Session events, like Kubernetes events: a bounded, newest-first history per session of what
 * the controller decided and why (drift kind), what AWS answered, and breaker changes that
 * affected the session. For people (`reconciler describe`), not for correctness: writes are
 * best effort and never slow a reconcile.
 *
 * Units: times are epoch milliseconds.
 */

export type SessionEventType = 'Normal' | 'Warning';

export interface SessionEvent {
  /** When it last happened (the newest occurrence when `count` > 1). */
  time: number;
  /** When it first happened (equals `time` when `count` is 1). */
  firstTime: number;
  type: SessionEventType;
  /** PascalCase, machine-readable: a drift kind (`MissingTask`), or `Throttled`, `CircuitOpen`, `BackOff`, ... */
  reason: string;
  message: string;
  /** How many times in a row this reason+message happened (deduplicated into one entry). */
  count: number;
  /** The action involved, when there is one (`launch`, `stopTask`, ...). */
  action?: string;
  /** The drift kind behind the decision, when there is one. */
  drift?: string;
  /** When the controller will look at the session again, when known (backoff, breaker cooldown). */
  nextAttemptAt?: number;
}

/** What a recorder hands to a sink (time and count are filled in by the sink). */
export type SessionEventInput = Omit<SessionEvent, 'time' | 'firstTime' | 'count'> & { time?: number };

/** Where events go. `record` must return at once (buffer, write later) and never throw. */
export interface SessionEventSink {
  record(sessionId: string, event: SessionEventInput): void;
}

/** Reads a session's history, newest first. */
export interface SessionEventReader {
  list(sessionId: string, limit?: number): Promise<SessionEvent[]>;
}

/** Default number of events kept per session. */
export const DEFAULT_MAX_EVENTS_PER_SESSION = 50;

/** Two events are the same occurrence repeated when type, reason, message and action match. */
export function sameOccurrence(a: SessionEvent, b: SessionEventInput): boolean {
  return a.type === b.type && a.reason === b.reason && a.message === b.message && a.action === b.action;
}

/** Merges `next` into `head` (a repeat) or starts a new entry. */
export function mergeEvent(head: SessionEvent | undefined, next: SessionEventInput, now: number): { event: SessionEvent; repeat: boolean } {
  const time = next.time ?? now;
  if (head && sameOccurrence(head, next)) {
    return { event: { ...head, ...stripUndefined(next), time, firstTime: head.firstTime, count: head.count + 1 }, repeat: true };
  }
  return { event: { ...stripUndefined(next), time, firstTime: time, count: 1 }, repeat: false };
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
