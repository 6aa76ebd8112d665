/**
 * In-memory desired state with the same interfaces and rules as the Redis store (same
 * validation and record rules; records are kept as raw JSON so the same decoder runs), for the
 * deterministic simulation and for tests. Uses no timers; time comes from the injected clock.
 */
import { randomUUID } from 'node:crypto';
import { RealClock, type Clock } from '../common/clock.js';
import { decodePoolSpec, decodeSessionSpec, decodeSessionStatus, describeIssues, encodeRecord } from './decode.js';
import { DesiredError, FencedError, InvalidSpecError } from './errors.js';
import { isFencedOff, raisedEpoch } from './fencing.js';
import { isExpired, nextPoolSpec, nextSessionSpec, parsePoolInput, parseSessionInput, tombstoneOf, toSessionEntry } from './records.js';
import { SCHEMA_VERSION, SESSION_ID_PATTERN, SessionStatusSchema, type SessionSpec, type SessionSpecInput, type SessionStatus, type WarmPoolSpec } from './schema.js';
import { RESERVATION_TTL_MS, WarmClaimSchema, WarmPoolStatusSchema, type ClaimCandidate, type ClaimResult, type WarmClaim, type WarmPoolStatus, type WarmStore } from './warm-schema.js';
import type {
  DesiredSnapshot, DesiredStore, FollowOptions, Hint, HintCursor, HintEvent, InvalidRecordHook, ListOptions, PoolEntry,
  SessionEntry, SessionPage, SpecStore, RefreshResult, SpecWriteResult, StatusBasis, StatusListener, StatusWriteResult, StatusWriter, StoreMarker, TouchResult,
} from './types.js';
import { REFRESH_MIN_INTERVAL_MS } from './types.js';

export interface MemoryDesiredStoreOptions {
  clock?: Clock;
  /** Exact cap of the hint log (the Redis stream's cap is approximate). Default 10,000. */
  hintsMaxLen?: number;
  onInvalidRecord?: InvalidRecordHook;
}

/** Everything a MemoryDesiredStore holds, as of one moment (see `checkpoint`). */
export interface MemoryStoreCheckpoint {
  readonly specs: Map<string, string | Buffer>;
  readonly statuses: Map<string, string | Buffer>;
  readonly activity: Map<string, number>;
  readonly pools: Map<string, string | Buffer>;
  readonly claims: Map<string, WarmClaim>;
  readonly stopping: Map<string, number>;
  readonly poolStatuses: Map<string, WarmPoolStatus>;
  readonly hints: readonly LoggedHint[];
  readonly seq: number;
  readonly marker: StoreMarker | undefined;
  readonly epoch: number | undefined;
}

interface LoggedHint {
  id: string;
  seq: number;
  hint: Hint;
}

export class MemoryDesiredStore implements SpecStore, DesiredStore, StatusWriter, WarmStore {
  private readonly claims = new Map<string, WarmClaim>();
  /** Stop reservations: task ARN -> when (epoch ms). */
  private readonly stopping = new Map<string, number>();
  private readonly poolStatuses = new Map<string, WarmPoolStatus>();
  private readonly clock: Clock;
  private readonly hintsMaxLen: number;
  private readonly onInvalid: InvalidRecordHook;
  private readonly specs = new Map<string, string | Buffer>();
  private readonly statuses = new Map<string, string | Buffer>();
  /** Last activity per session (touchSession), epoch ms. */
  private readonly activity = new Map<string, number>();
  private readonly pools = new Map<string, string | Buffer>();
  private hints: LoggedHint[] = [];
  /** Session id -> until when (epoch ms) a refresh request holds back the next. */
  private readonly refreshGates = new Map<string, number>();
  private seq = 0;
  private marker: StoreMarker | undefined;
  /** The leader epoch fencing checks against; undefined: none stored (as in an empty Redis). */
  private epoch: number | undefined;
  private readonly wakeups = new Set<() => void>();
  private reconnects = 0;
  private readonly watchers = new Map<string, Set<StatusListener>>();

  constructor(opts: MemoryDesiredStoreOptions = {}) {
    this.clock = opts.clock ?? new RealClock();
    this.hintsMaxLen = opts.hintsMaxLen ?? 10_000;
    this.onInvalid = opts.onInvalidRecord ?? (() => undefined);
  }

  // ---- test and simulation controls ----

  /** Sets the leader epoch that fencing tokens are checked against (leader election does this for Redis). */
  setLeaderEpoch(epoch: number): void {
    this.epoch = epoch;
  }

  /** Stores raw bytes as a record, bypassing validation (as a buggy gateway or a human could). */
  putRaw(record: 'spec' | 'status' | 'pool', id: string, raw: string | Buffer): void {
    (record === 'spec' ? this.specs : record === 'status' ? this.statuses : this.pools).set(id, raw);
  }

  /** Removes a record as data loss would (no tombstone, no hint, no publication). */
  dropRaw(record: 'spec' | 'status' | 'pool', id: string): void {
    (record === 'spec' ? this.specs : record === 'status' ? this.statuses : this.pools).delete(id);
  }

  /**
   * A copy of every record, the hint log, the marker and the leader epoch, for `restore`:
   * the simulation's model of a Redis replica that lags the primary.
   */
  checkpoint(): MemoryStoreCheckpoint {
    return {
      specs: new Map(this.specs), statuses: new Map(this.statuses), activity: new Map(this.activity), pools: new Map(this.pools),
      claims: new Map(this.claims), stopping: new Map(this.stopping), poolStatuses: new Map(this.poolStatuses),
      hints: [...this.hints], seq: this.seq, marker: this.marker, epoch: this.epoch,
    };
  }

  /**
   * Goes back to `cp`, losing every write since (acknowledged ones included), as a failover to a
   * lagging replica does; hint followers see a reconnect.
   */
  restore(cp: MemoryStoreCheckpoint): void {
    const refill = <K, V>(to: Map<K, V>, from: Map<K, V>): void => {
      to.clear();
      for (const [k, v] of from) to.set(k, v);
    };
    refill(this.specs, cp.specs);
    refill(this.statuses, cp.statuses);
    refill(this.activity, cp.activity);
    refill(this.pools, cp.pools);
    refill(this.claims, cp.claims);
    refill(this.stopping, cp.stopping);
    refill(this.poolStatuses, cp.poolStatuses);
    this.hints = [...cp.hints];
    this.seq = cp.seq;
    this.marker = cp.marker;
    this.epoch = cp.epoch;
    this.simulateReconnect();
  }

  /** The leader epoch stored now (undefined: none), as the epoch key would read. */
  leaderEpoch(): number | undefined {
    return this.epoch;
  }

  /** Makes every active hint follower report `resync: reconnect`, as after a Redis reconnect. */
  simulateReconnect(): void {
    this.reconnects++;
    this.wake();
  }

  /**
   * Entries of every key family, as the Redis store's keys would count (for soak tests and
   * diagnostics). Bounds: `specs` = live sessions + `tombstones` (a deleted session's record
   * until the controller purges it, once its tasks are gone); `statuses`, `activity` <= `specs`
   * (purged with it); `pools`, `poolStatuses`: pools targeted; `claims`: warm tasks claimed whose
   * claim the controller has not released (a claimed task that stopped is released by its pool's
   * reconcile); `stopping`: stop reservations within RESERVATION_TTL_MS (older ones are dropped
   * at the next reservation); `hints` <= hintsMaxLen (the stream's MAXLEN); `watchers`: status
   * watches open; `refreshGates`: refresh requests within REFRESH_MIN_INTERVAL_MS (keys with a TTL
   * in Redis; here the run-out ones are dropped at the next request).
   */
  sizes(): Record<string, number> {
    let tombstones = 0;
    for (const [id, raw] of this.specs) {
      const d = decodeSessionSpec(raw, id);
      if (d.kind === 'ok' && d.value.deleted) tombstones++;
    }
    return {
      specs: this.specs.size,
      tombstones,
      statuses: this.statuses.size,
      activity: this.activity.size,
      pools: this.pools.size,
      poolStatuses: this.poolStatuses.size,
      claims: this.claims.size,
      stopping: this.stopping.size,
      hints: this.hints.length,
      watchers: this.watchers.size,
      refreshGates: this.refreshGates.size,
    };
  }

  // ---- SpecStore ----

  private wake(): void {
    for (const w of [...this.wakeups]) w();
  }

  private addHint(kind: Hint['kind'], id: string, generation: number): void {
    this.seq++;
    this.hints.push({ id: `${this.seq}-0`, seq: this.seq, hint: { kind, id, generation } });
    if (this.hints.length > this.hintsMaxLen) this.hints = this.hints.slice(this.hints.length - this.hintsMaxLen);
    this.marker ??= { schemaVersion: SCHEMA_VERSION, storeId: randomUUID(), createdAt: this.clock.now() };
    this.wake();
  }

  async ensureSession(input: SessionSpecInput): Promise<SpecWriteResult<SessionSpec>> {
    const content = parseSessionInput(input);
    const prev = decodeSessionSpec(this.specs.get(content.id), content.id);
    const status = decodeSessionStatus(this.statuses.get(content.id));
    const floor = prev.kind !== 'ok' && status.kind === 'ok' ? status.value.observedGeneration : 0;
    const prevSpec = prev.kind === 'ok' ? prev.value : undefined;
    const next = nextSessionSpec(prevSpec, floor, content, this.clock.now(), isExpired(prevSpec, status.kind === 'ok' ? status.value : undefined));
    if (!next && prev.kind === 'ok') return { spec: prev.value, changed: false };
    const spec = next!;
    this.specs.set(spec.id, encodeRecord(spec));
    this.addHint('session', spec.id, spec.generation);
    return { spec, changed: true };
  }

  async deleteSession(id: string): Promise<boolean> {
    const prev = decodeSessionSpec(this.specs.get(id), id);
    if (prev.kind === 'absent') return false;
    if (prev.kind === 'invalid') {
      throw new DesiredError('STORE_ERROR', `cannot delete session ${id}: its stored spec is invalid (${prev.invalid.message}); fix or rewrite it with ensureSession first`);
    }
    const next = tombstoneOf(prev.value, this.clock.now());
    if (!next) return false;
    this.specs.set(id, encodeRecord(next));
    this.addHint('session', id, next.generation);
    return true;
  }

  async touchSession(id: string): Promise<TouchResult> {
    const spec = decodeSessionSpec(this.specs.get(id), id);
    if (spec.kind !== 'ok') return { outcome: 'missing' };
    if (spec.value.deleted) return { outcome: 'deleted' };
    const status = decodeSessionStatus(this.statuses.get(id));
    if (status.kind === 'ok' && isExpired(spec.value, status.value)) return { outcome: 'expired', expiresAt: status.value.expiresAt };
    const at = Math.max(this.activity.get(id) ?? 0, this.clock.now());
    this.activity.set(id, at);
    return { outcome: 'touched', lastActivityAt: at };
  }

  async setWarmPool(name: string, template: string, target: number): Promise<SpecWriteResult<WarmPoolSpec>> {
    parsePoolInput(name, template, target);
    const prev = decodePoolSpec(this.pools.get(name), name);
    const next = nextPoolSpec(prev.kind === 'ok' ? prev.value : undefined, name, template, target, this.clock.now());
    if (!next && prev.kind === 'ok') return { spec: prev.value, changed: false };
    this.pools.set(name, encodeRecord(next!));
    this.addHint('pool', name, next!.generation);
    return { spec: next!, changed: true };
  }

  private entry(id: string, report: boolean): SessionEntry | undefined {
    const e = toSessionEntry(id, decodeSessionSpec(this.specs.get(id), id), decodeSessionStatus(this.statuses.get(id)));
    if (e && !SESSION_ID_PATTERN.test(id)) {
      delete e.spec;
      e.invalid = { record: 'spec', reason: 'schema', message: `session id ${JSON.stringify(id.slice(0, 80))} breaks the naming rule` };
    }
    if (e?.invalid && report) this.onInvalid({ kind: 'session', id, invalid: e.invalid });
    const at = this.activity.get(id);
    if (e && at !== undefined) e.lastActivityAt = at;
    return e;
  }

  private poolEntry(name: string): PoolEntry | undefined {
    const d = decodePoolSpec(this.pools.get(name), name);
    if (d.kind === 'absent') return undefined;
    if (d.kind === 'ok') return { name, spec: d.value };
    this.onInvalid({ kind: 'pool', id: name, invalid: d.invalid });
    return { name, invalid: d.invalid };
  }

  async refreshSession(id: string): Promise<RefreshResult> {
    if (!this.specs.has(id)) return 'notFound';
    const now = this.clock.now();
    if ((this.refreshGates.get(id) ?? Number.NEGATIVE_INFINITY) > now) return 'rateLimited';
    // Gates are keys with a TTL in Redis: forget the ones that have run out (kept in expiry order).
    for (const [gated, until] of this.refreshGates) {
      if (until > now) break;
      this.refreshGates.delete(gated);
    }
    this.refreshGates.delete(id);
    this.refreshGates.set(id, now + REFRESH_MIN_INTERVAL_MS);
    this.addHint('session', id, 0);
    return 'requested';
  }

  async readSession(id: string): Promise<SessionEntry | undefined> {
    return this.entry(id, true);
  }

  async readPool(name: string): Promise<PoolEntry | undefined> {
    return this.poolEntry(name);
  }

  private sortedIds(): string[] {
    return [...this.specs.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async listSessions(opts: ListOptions = {}): Promise<SessionPage> {
    const limit = Math.max(1, Math.min(1000, opts.limit ?? 100));
    const ids = this.sortedIds().filter((id) => opts.cursor === undefined || id > opts.cursor);
    const page = ids.slice(0, limit);
    const sessions = page.map((id) => this.entry(id, true)).filter((e): e is SessionEntry => e !== undefined);
    return ids.length > limit ? { sessions, nextCursor: page[page.length - 1] } : { sessions };
  }

  async watchStatus(id: string, listener: StatusListener): Promise<() => Promise<void>> {
    let set = this.watchers.get(id);
    if (!set) this.watchers.set(id, (set = new Set()));
    set.add(listener);
    const d = decodeSessionStatus(this.statuses.get(id));
    if (d.kind === 'ok') listener(d.value);
    else listener(undefined, d.kind === 'invalid' ? d.invalid : undefined);
    return async () => {
      set.delete(listener);
      if (set.size === 0) this.watchers.delete(id);
    };
  }

  private publish(id: string, status: SessionStatus | undefined): void {
    for (const l of [...(this.watchers.get(id) ?? [])]) l(status);
  }

  // ---- DesiredStore ----

  private cursorNow(): HintCursor {
    const last = this.hints[this.hints.length - 1];
    return last ? { id: last.id, seq: last.seq } : { id: '0-0', seq: 0 };
  }

  async snapshot(): Promise<DesiredSnapshot> {
    const cursor = this.cursorNow();
    let invalidCount = 0;
    const sessions = new Map<string, SessionEntry>();
    for (const id of this.sortedIds()) {
      const e = this.entry(id, true);
      if (!e) continue;
      if (e.invalid) invalidCount++;
      sessions.set(id, e);
    }
    const pools = new Map<string, PoolEntry>();
    for (const name of [...this.pools.keys()].sort()) {
      const p = this.poolEntry(name);
      if (!p) continue;
      if (p.invalid) invalidCount++;
      pools.set(name, p);
    }
    return { sessions, pools, readAt: this.clock.now(), cursor, marker: this.marker, invalidCount };
  }

  async *followHints(from: HintCursor, opts: FollowOptions): AsyncGenerator<HintEvent> {
    const { signal } = opts;
    const reconnectsAtStart = this.reconnects;
    let cursor = from;
    let wake: (() => void) | undefined;
    const onAbort = (): void => wake?.();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      while (!signal.aborted) {
        if (this.reconnects !== reconnectsAtStart) {
          yield { type: 'resync', reason: 'reconnect', message: 'simulated reconnect; hints may have been lost' };
          return;
        }
        const fresh = this.hints.filter((h) => h.seq > cursor.seq);
        if (fresh.length === 0) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            this.wakeups.add(resolve);
          });
          if (wake) this.wakeups.delete(wake);
          continue;
        }
        if (fresh[0]!.seq !== cursor.seq + 1) {
          yield { type: 'resync', reason: 'gap', message: `expected hint seq ${cursor.seq + 1} after ${cursor.id}, oldest kept is ${fresh[0]!.seq}` };
          return;
        }
        const last = fresh[fresh.length - 1]!;
        cursor = { id: last.id, seq: last.seq };
        yield { type: 'hints', hints: fresh.map((h) => h.hint), cursor };
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      if (wake) this.wakeups.delete(wake);
    }
  }

  // ---- StatusWriter ----

  private checkFence(token: number, operation: string): void {
    if (isFencedOff(token, this.epoch)) throw new FencedError(token, this.epoch === undefined ? 'missing' : String(this.epoch), operation);
    this.epoch = raisedEpoch(token, this.epoch);
  }

  async writeStatus(id: string, status: SessionStatus, fencingToken: number, basis?: StatusBasis): Promise<StatusWriteResult> {
    const parsed = SessionStatusSchema.safeParse(status);
    if (!parsed.success) throw new InvalidSpecError('status', describeIssues('status', parsed.error), { cause: parsed.error });
    this.checkFence(fencingToken, `writeStatus ${id}`);
    if (!this.specs.has(id)) return { outcome: 'session-gone' };
    if (basis) {
      const d = decodeSessionSpec(this.specs.get(id), id);
      const generation = d.kind === 'ok' ? d.value.generation : -1;
      if (generation !== basis.generation) return { outcome: 'conflict', generation };
      if (basis.uid !== undefined && basis.uid !== '' && (d.kind === 'ok' ? d.value.uid : undefined) !== basis.uid) return { outcome: 'conflict', generation };
      const at = this.activity.get(id) ?? 0;
      if (basis.activityAtMost !== undefined && at > basis.activityAtMost) return { outcome: 'renewed', lastActivityAt: at };
    }
    this.statuses.set(id, JSON.stringify(parsed.data));
    this.publish(id, parsed.data);
    return { outcome: 'written' };
  }

  async purgeSession(id: string, generation: number, fencingToken: number): Promise<boolean> {
    this.checkFence(fencingToken, `purgeSession ${id}`);
    const d = decodeSessionSpec(this.specs.get(id), id);
    if (d.kind !== 'ok' || !d.value.deleted || d.value.generation !== generation) return false;
    this.specs.delete(id);
    this.statuses.delete(id);
    this.activity.delete(id);
    this.publish(id, undefined);
    return true;
  }

  // ---- WarmStore: the same rules as the Redis scripts ----

  async claimWarmTask(sessionId: string, claim: Omit<WarmClaim, 'sessionId'>, candidates: readonly ClaimCandidate[], fencingToken: number): Promise<ClaimResult> {
    const record = WarmClaimSchema.parse({ ...claim, sessionId });
    this.checkFence(fencingToken, `claimWarmTask ${sessionId}`);
    if (!this.specs.has(sessionId)) return { outcome: 'session-gone' };
    // A candidate already claimed for this session and incarnation is this claim's own earlier
    // effect (a retry after a lost reply): claimed, and nothing written again.
    const own = candidates.find((c) => {
      const held = this.claims.get(c.taskArn);
      return held?.sessionId === sessionId && held.incarnation === claim.incarnation;
    });
    if (own) return { outcome: 'claimed', taskArn: own.taskArn };
    for (const c of candidates) {
      if (this.claims.has(c.taskArn)) continue;
      const reserved = this.stopping.get(c.taskArn);
      if (reserved !== undefined && reserved >= claim.at - RESERVATION_TTL_MS) continue;
      const status = SessionStatusSchema.parse(c.status);
      this.claims.set(c.taskArn, record);
      this.statuses.set(sessionId, JSON.stringify(status));
      this.publish(sessionId, status);
      return { outcome: 'claimed', taskArn: c.taskArn };
    }
    return { outcome: 'taken' };
  }

  async reserveForStop(taskArn: string, at: number, fencingToken: number): Promise<'reserved' | 'claimed'> {
    this.checkFence(fencingToken, `reserveForStop ${taskArn}`);
    for (const [arn, when] of this.stopping) if (when < at - RESERVATION_TTL_MS) this.stopping.delete(arn);
    if (this.claims.has(taskArn)) return 'claimed';
    this.stopping.set(taskArn, at);
    return 'reserved';
  }

  async releaseWarmClaim(taskArn: string, fencingToken: number): Promise<void> {
    this.checkFence(fencingToken, `releaseWarmClaim ${taskArn}`);
    this.claims.delete(taskArn);
  }

  async warmClaims(): Promise<Map<string, WarmClaim>> {
    return new Map(this.claims);
  }

  async readPoolStatus(name: string): Promise<WarmPoolStatus | undefined> {
    return this.poolStatuses.get(name);
  }

  async writePoolStatus(name: string, status: WarmPoolStatus, fencingToken: number): Promise<void> {
    const parsed = WarmPoolStatusSchema.parse(status);
    this.checkFence(fencingToken, `writePoolStatus ${name}`);
    this.poolStatuses.set(name, parsed);
  }

  async close(): Promise<void> {
    this.watchers.clear();
  }
}
