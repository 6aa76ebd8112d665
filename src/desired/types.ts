/**
 * The interfaces around desired state. Two implementations exist (Redis and in-memory); one
 * contract suite (test/desired/contract.ts) holds both to the same rules.
 *
 * - `SpecStore`: the gateway's side (write specs, read them back, watch status).
 * - `DesiredStore`: the controller's reading side (snapshot + change hints).
 * - `StatusWriter`: the controller's writing side (status, purge of tombstones), fenced.
 *
 * Units: timestamps are epoch milliseconds; durations are milliseconds.
 */
import type { SessionSpec, SessionSpecInput, SessionStatus, WarmPoolSpec } from './schema.js';

/** Why a stored record was rejected. */
export type InvalidReason =
  | 'oversize' // larger than RECORD_MAX_BYTES
  | 'encoding' // not valid UTF-8
  | 'malformed-json' // not parseable JSON
  | 'unknown-schema-version' // schemaVersion missing or not SCHEMA_VERSION
  | 'schema' // JSON, right version, but fields fail validation
  | 'id-mismatch' // the record's id/name differs from its key
  | 'wrong-type'; // the Redis key holds a hash/list/... instead of a string

/** The store's own keys whose bad content is reported and worked around, never fatal to a resync. */
export type StoreRecord = 'meta' | 'hints' | 'claims' | 'poolStatus';
export const STORE_RECORDS: readonly StoreRecord[] = ['meta', 'hints', 'claims', 'poolStatus'];

/** A record that failed validation. The record itself is left untouched for a human. */
export interface InvalidRecord {
  /**
   * Which record is bad: of a session (`spec`, `status`) or pool (`pool`), or one of the
   * store's own keys (`meta`, `hints`, `claims`, `poolStatus`; kind `store`).
   */
  record: 'spec' | 'status' | 'pool' | StoreRecord;
  reason: InvalidReason;
  /** Human-readable, names the field and the problem, e.g. `spec.template: must be ...`. */
  message: string;
}

/**
 * One session as read. Exactly one of these holds:
 * - `spec` present: a valid spec (maybe a tombstone, `spec.deleted`);
 * - `invalid` present with `record: 'spec'`: the spec exists but is unusable; the controller
 *   must not act on it except to set the `Invalid` condition in status.
 * `status` is present when a valid status exists. A bad status is reported in `invalid`
 * (`record: 'status'`) only when the spec is valid (the spec problem wins otherwise).
 */
export interface SessionEntry {
  id: string;
  spec?: SessionSpec;
  status?: SessionStatus;
  invalid?: InvalidRecord;
  /** Last activity the gateway recorded (`touchSession`), epoch ms; absent when never touched. */
  lastActivityAt?: number;
}

export interface PoolEntry {
  name: string;
  spec?: WarmPoolSpec;
  invalid?: InvalidRecord;
}

/**
 * A position in the change-hint stream: the stream entry id and the hint sequence number
 * (every hint carries `seq`, incremented by one per hint, so a gap is detectable).
 * `{ id: '0-0', seq: 0 }` is the position before the first hint ever written.
 */
export interface HintCursor {
  id: string;
  seq: number;
}

/** Written by the store on first write; its disappearance means the data was lost (FLUSHALL). */
export interface StoreMarker {
  schemaVersion: number;
  /** Random id of this data set, so a recreated store is distinguishable from the old one. */
  storeId: string;
  createdAt: number;
}

/**
 * Every session and pool, read at `readAt`. Level-triggered: the controller plans from the
 * whole snapshot. `cursor` is the hint position taken *before* reading the records, so a
 * change made during the read is also seen as a hint afterwards (never lost).
 */
export interface DesiredSnapshot {
  sessions: ReadonlyMap<string, SessionEntry>;
  pools: ReadonlyMap<string, PoolEntry>;
  readAt: number;
  cursor: HintCursor;
  /** Undefined when the store has never been written or was wiped. */
  marker: StoreMarker | undefined;
  /** How many records failed validation (also reported through `onInvalidRecord`). */
  invalidCount: number;
}

/** "Look at this key now." Hints are only triggers; correctness never depends on them. */
export interface Hint {
  kind: 'session' | 'pool';
  /** Session id or pool name. */
  id: string;
  /** The generation written; 0 for a refresh request (refreshSession writes no spec). Status hints are not sent on this stream. */
  generation: number;
}

export type HintEvent =
  | { type: 'hints'; hints: Hint[]; cursor: HintCursor }
  /**
   * Hints may have been missed (reconnect, trimmed stream, wiped store): take a new
   * snapshot and follow again from its cursor. The iteration ends after this event.
   */
  | { type: 'resync'; reason: 'reconnect' | 'gap' | 'error'; message: string };

export interface FollowOptions {
  /** Ends the iteration (no error is thrown on abort). */
  signal: AbortSignal;
  /** Longest server-side block per XREAD, ms (default 5000). Irrelevant in memory. */
  blockMs?: number;
}

/** The controller's reading side. */
export interface DesiredStore {
  /** Reads everything; never throws for a bad record (see SessionEntry.invalid). */
  snapshot(): Promise<DesiredSnapshot>;
  /** Reads one session (spec + status), validated; undefined when neither record exists. */
  readSession(id: string): Promise<SessionEntry | undefined>;
  /** Reads one warm-pool spec, validated; undefined when it does not exist. */
  readPool(name: string): Promise<PoolEntry | undefined>;
  /** Hints written after `from`, in batches, until the signal aborts or a resync is needed. */
  followHints(from: HintCursor, opts: FollowOptions): AsyncIterable<HintEvent>;
}

/** Result of a fenced write. */
/**
 * What a status was computed from: the write is refused (`conflict`) unless the stored spec is
 * still at this generation, so a status computed from a stale cache (a newer spec, or a record
 * lost and written again) never lands on a record it does not describe.
 */
export interface StatusBasis {
  generation: number;
  /**
   * The spec's life (`SessionSpec.uid`) the status was computed for; refused (`conflict`) when
   * the stored record is another life, even at the same generation (a record lost and written
   * again starts at generation 1 too). Unset: not checked.
   */
  uid?: string;
  /**
   * Only for an expiry: the last activity the decision saw (0 = none). Refused (`renewed`) when
   * the store holds a later one, so a touch and an expiry are never both accepted.
   */
  activityAtMost?: number;
}

export type StatusWriteResult =
  | { outcome: 'written' }
  /** The session has no spec record any more (purged): nothing was written. */
  | { outcome: 'session-gone' }
  /** The spec moved on (another generation) since the status was computed: nothing was written. */
  | { outcome: 'conflict'; generation: number }
  /** An expiry lost to a touch (StatusBasis.activityAtMost): nothing was written. */
  | { outcome: 'renewed'; lastActivityAt: number };

/**
 * The controller's writing side. Every call carries the fencing token of the leader term that
 * issued it; a Lua script (or the memory equivalent) rejects it with `FencedError` when the
 * token is lower than the current leader epoch, so a paused old leader cannot write.
 */
export interface StatusWriter {
  /** Replaces the status and publishes it to watchers (StatusFeed). */
  writeStatus(id: string, status: SessionStatus, fencingToken: number, basis?: StatusBasis): Promise<StatusWriteResult>;
  /**
   * Removes a tombstoned session (spec + status) once its task is gone. Only removes when the
   * spec is still the tombstone of `generation` (a re-created session is kept); returns
   * whether it removed anything.
   */
  purgeSession(id: string, generation: number, fencingToken: number): Promise<boolean>;
}

/** Result of touchSession. */
export type TouchResult =
  | { outcome: 'touched'; lastActivityAt: number }
  | { outcome: 'missing' }
  | { outcome: 'deleted' }
  /** The session is Expired for its current generation; `expiresAt` is when it ended. */
  | { outcome: 'expired'; expiresAt: number | undefined };

/** Result of a spec write: the stored record and whether it changed (generation bumped). */
export interface SpecWriteResult<T> {
  spec: T;
  changed: boolean;
}

export interface ListOptions {
  /** Opaque; from the previous page's `nextCursor`. */
  cursor?: string;
  /** Page size, 1..1000 (default 100). */
  limit?: number;
}

export interface SessionPage {
  /** In id order. */
  sessions: SessionEntry[];
  /** Undefined on the last page. */
  nextCursor?: string;
}

/** Called with every status (or its absence) of one session: first the current one, then each write. */
export type StatusListener = (status: SessionStatus | undefined, invalid?: InvalidRecord) => void;

/** The gateway's side; the client library (src/desired/client.ts) wraps it with validation and errors. */
export interface SpecStore {
  /**
   * Creates or updates; bumps generation only on a real change; a tombstone is revived.
   * The input is validated again (defaults applied); the template allow-list is the client's job.
   */
  ensureSession(input: SessionSpecInput): Promise<SpecWriteResult<SessionSpec>>;
  /** Writes a tombstone; false when there is no live session with that id. */
  deleteSession(id: string): Promise<boolean>;
  /**
   * Records activity (extend-only: the stored time never goes back). One small write: no
   * generation bump, no hint. Refused when the session is missing, deleted or Expired.
   */
  touchSession(id: string): Promise<TouchResult>;
  setWarmPool(name: string, template: string, target: number): Promise<SpecWriteResult<WarmPoolSpec>>;
  readSession(id: string): Promise<SessionEntry | undefined>;
  readPool(name: string): Promise<PoolEntry | undefined>;
  listSessions(opts?: ListOptions): Promise<SessionPage>;
  /**
   * Push-based: `listener` gets the current status once subscribed, then every change.
   * Resolves when subscribed; the returned function unsubscribes.
   */
  watchStatus(id: string, listener: StatusListener): Promise<() => Promise<void>>;
  /**
   * "Look at this session now" (e.g. the gateway's connection to its task dropped): one change
   * hint (kind session, generation 0), nothing else written. At most one per session per
   * REFRESH_MIN_INTERVAL_MS: `rateLimited` when one was requested within it; `notFound` when
   * the session has no spec record.
   */
  refreshSession(id: string): Promise<RefreshResult>;
}

/** What a refresh request did (SpecStore.refreshSession). */
export type RefreshResult = 'requested' | 'rateLimited' | 'notFound';

/** A session's refresh requests beyond one per this interval (ms) are dropped: a hint is cheap, a storm of them is not. */
export const REFRESH_MIN_INTERVAL_MS = 1000;

/** Metric hook: called once per invalid record each time one is read. */
export type InvalidRecordHook = (info: { kind: 'session' | 'pool' | 'store'; id: string; invalid: InvalidRecord }) => void;
