/**
 * Desired state in Redis: implements the gateway's SpecStore and the controller's
 * DesiredStore and StatusWriter over one connection (plus a dedicated connection per hint
 * follower and one subscriber for status watches). Key layout: keys.ts / docs/redis-schema.md.
 *
 * Spec writes are read-compute-CAS: the record is read, the next record (generation bumped only
 * on a real change) is computed, and one Lua script writes it only if the record is still the
 * one read, together with the index entry and the change hint. A lost race is retried.
 *
 * "Acknowledged means durable": with replica acknowledgement on (REDIS_WAIT_REPLICAS, default 1
 * on Sentinel and Cluster), a spec write resolves only once that many replicas hold it, and
 * rejects with NotReplicatedError otherwise (the gateway retries; the write is idempotent).
 */
import { randomUUID } from 'node:crypto';
import { RealClock, type Clock } from '../common/clock.js';
import { decodePoolSpec, decodeSessionSpec, decodeSessionStatus, describeIssues, encodeRecord } from './decode.js';
import { DesiredError, FencedError, InvalidSpecError, NotReplicatedError, WriteConflictError } from './errors.js';
import { awaitReplicas, replicaAckOf, type ReplicaAck } from './redis-durability.js';
import { DEFAULT_PREFIX, keyLayout, type KeyLayout } from './keys.js';
import { withScripts, type RedisLike, type ScriptedRedis } from './lua.js';
import * as warm from './redis-warm.js';
import type { ClaimCandidate, ClaimResult, WarmClaim, WarmPoolStatus, WarmStore } from './warm-schema.js';
import { isExpired, nextPoolSpec, nextSessionSpec, parseActivity, parsePoolInput, parseSessionInput, tombstoneOf, toSessionEntry } from './records.js';
import { guard } from './redis-guard.js';
import { followHintStream } from './redis-hints.js';
import { REFRESH_MIN_INTERVAL_MS } from './types.js';
import { readSnapshot, SNAPSHOT_CHUNK } from './redis-snapshot.js';
import { DecodeMemo } from './decode-memo.js';
import { RedisStatusFeed } from './redis-status-feed.js';
import { SCHEMA_VERSION, SessionIdSchema, SessionStatusSchema, type SessionSpec, type SessionSpecInput, type SessionStatus, type WarmPoolSpec } from './schema.js';
import type {
  DesiredSnapshot, DesiredStore, FollowOptions, HintCursor, HintEvent, InvalidRecordHook, ListOptions, PoolEntry,
  SessionEntry, SessionPage, SpecStore, SpecWriteResult, StatusBasis, StatusListener, StatusWriteResult, StatusWriter, TouchResult, RefreshResult,
} from './types.js';

/** Approximate cap of the hint stream (XADD MAXLEN ~). */
export const DEFAULT_HINTS_MAX_LEN = 10_000;
const CAS_ATTEMPTS = 8;

export interface RedisDesiredStoreOptions {
  redis: RedisLike;
  /** Key prefix; keys live under the hash tag `{prefix}` (default `esr`). */
  prefix?: string;
  /**
   * Time for everything but session lifetime stamps. Also used for those stamps (`createdAt`,
   * `deletedAt`, activity) when given; when not, they come from the Redis server's clock (TIME),
   * so every gateway stamps lifetimes with one clock whatever its own host's says.
   */
  clock?: Clock;
  hintsMaxLen?: number;
  /** Metric hook, called for every invalid record read. */
  onInvalidRecord?: InvalidRecordHook;
  /** Disconnect `redis` on close() (true when the store created it). */
  ownsConnection?: boolean;
  /** Replicas that must hold a spec write before it resolves; default: the connection's rule. */
  replicaAck?: ReplicaAck;
}

export class RedisDesiredStore implements SpecStore, DesiredStore, StatusWriter, WarmStore {
  readonly keys: KeyLayout;
  private readonly redis: ScriptedRedis;
  private readonly clock: Clock;
  /** The injected clock for lifetime stamps, or undefined: the Redis server's TIME. */
  private readonly stampClock: Clock | undefined;
  private readonly hintsMaxLen: number;
  private readonly onInvalid: InvalidRecordHook;
  private readonly feed: RedisStatusFeed;
  private readonly ownsConnection: boolean;
  private readonly replicaAck: ReplicaAck;
  /** Records decoded by the last snapshot, reused while their bytes are unchanged. */
  private readonly decodeMemo = new DecodeMemo();

  constructor(opts: RedisDesiredStoreOptions) {
    this.keys = keyLayout(opts.prefix ?? DEFAULT_PREFIX);
    this.redis = withScripts(opts.redis);
    this.clock = opts.clock ?? new RealClock();
    this.stampClock = opts.clock;
    this.hintsMaxLen = opts.hintsMaxLen ?? DEFAULT_HINTS_MAX_LEN;
    this.onInvalid = opts.onInvalidRecord ?? (() => undefined);
    this.ownsConnection = opts.ownsConnection ?? false;
    this.replicaAck = opts.replicaAck ?? replicaAckOf(opts.redis);
    this.feed = new RedisStatusFeed(this.redis, this.keys, async (id) =>
      decodeSessionStatus(await guard('read status', () => this.redis.getBuffer(this.keys.sessionStatus(id)), this.redis)),
      this.clock,
    );
  }

  /** The underlying connection (for health checks and tests). */
  get connection(): RedisLike {
    return this.redis;
  }

  /** Epoch ms for a lifetime stamp: the injected clock, else the Redis server's TIME (one round trip). */
  private async stampNow(): Promise<number> {
    if (this.stampClock) return this.stampClock.now();
    const [seconds, micros] = await this.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  private marker(): string {
    return JSON.stringify({ schemaVersion: SCHEMA_VERSION, storeId: randomUUID(), createdAt: this.clock.now() });
  }

  private async cas(kind: 'session' | 'pool', key: string, index: string, id: string, expected: Buffer | null, next: SessionSpec | WarmPoolSpec): Promise<boolean> {
    const k = this.keys;
    const written = await this.redis.esrCasSpec(
      key, index, k.hints, k.hintSeq, k.meta,
      expected ? 'cas' : 'new', expected ?? '', encodeRecord(next), id, next.generation, kind, this.hintsMaxLen, this.marker(),
    );
    return written === 1;
  }

  /** Resolves `result` once enough replicas hold what this connection wrote to `key`; NotReplicatedError otherwise. */
  private async durable<T>(operation: string, key: string, result: T): Promise<T> {
    const { replicas, timeoutMs } = this.replicaAck;
    if (replicas <= 0) return result;
    const acked = await awaitReplicas(this.redis, key, this.replicaAck);
    if (acked < replicas) throw new NotReplicatedError(operation, acked, replicas, timeoutMs);
    return result;
  }

  async ensureSession(input: SessionSpecInput): Promise<SpecWriteResult<SessionSpec>> {
    const content = parseSessionInput(input);
    const id = content.id;
    const specKey = this.keys.sessionSpec(id);
    return guard(`ensureSession ${id}`, async () => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const [specRaw, statusRaw] = await this.redis.mgetBuffer(specKey, this.keys.sessionStatus(id));
        const prev = decodeSessionSpec(specRaw, id);
        const status = decodeSessionStatus(statusRaw);
        const floor = prev.kind !== 'ok' && status.kind === 'ok' ? status.value.observedGeneration : 0;
        const prevSpec = prev.kind === 'ok' ? prev.value : undefined;
        const expired = isExpired(prevSpec, status.kind === 'ok' ? status.value : undefined);
        // Whether anything changes does not depend on the time; the stamp is taken only then.
        const changes = nextSessionSpec(prevSpec, floor, content, this.clock.now(), expired) !== undefined;
        const next = changes ? nextSessionSpec(prevSpec, floor, content, await this.stampNow(), expired) : undefined;
        if (!next && prev.kind === 'ok') return this.durable(`ensureSession ${id}`, specKey, { spec: prev.value, changed: false });
        if (next && (await this.cas('session', specKey, this.keys.sessionIndex, id, specRaw ?? null, next))) return this.durable(`ensureSession ${id}`, specKey, { spec: next, changed: true });
      }
      throw new WriteConflictError(specKey, CAS_ATTEMPTS);
    }, this.redis);
  }

  async deleteSession(id: string): Promise<boolean> {
    const specKey = this.keys.sessionSpec(id);
    return guard(`deleteSession ${id}`, async () => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const raw = await this.redis.getBuffer(specKey);
        const prev = decodeSessionSpec(raw, id);
        if (prev.kind === 'absent') return false;
        if (prev.kind === 'invalid') {
          throw new DesiredError('STORE_ERROR', `cannot delete session ${id}: its stored spec is invalid (${prev.invalid.message}); fix or rewrite it with ensureSession first`);
        }
        const next = tombstoneOf(prev.value, await this.stampNow());
        if (!next) return false;
        if (await this.cas('session', specKey, this.keys.sessionIndex, id, raw, next)) return this.durable(`deleteSession ${id}`, specKey, true);
      }
      throw new WriteConflictError(specKey, CAS_ATTEMPTS);
    }, this.redis);
  }

  async touchSession(id: string): Promise<TouchResult> {
    const k = this.keys;
    return guard(`touchSession ${id}`, async () => {
      // '' = the script stamps with the server's TIME (no injected clock).
      const reply = await this.redis.esrTouchSession(k.sessionSpec(id), k.sessionStatus(id), k.sessionActivity(id), this.stampClock ? this.stampClock.now() : '');
      if (reply[0] === 'OK') return { outcome: 'touched', lastActivityAt: Number(reply[1]) };
      if (reply[0] === 'EXPIRED') return { outcome: 'expired', expiresAt: reply[1] ? Number(reply[1]) : undefined };
      return { outcome: reply[0] === 'DELETED' ? 'deleted' : 'missing' };
    }, this.redis);
  }

  async setWarmPool(name: string, template: string, target: number): Promise<SpecWriteResult<WarmPoolSpec>> {
    parsePoolInput(name, template, target);
    const key = this.keys.pool(name);
    return guard(`setWarmPool ${name}`, async () => {
      for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
        const raw = await this.redis.getBuffer(key);
        const prev = decodePoolSpec(raw, name);
        const next = nextPoolSpec(prev.kind === 'ok' ? prev.value : undefined, name, template, target, this.clock.now());
        if (!next && prev.kind === 'ok') return this.durable(`setWarmPool ${name}`, key, { spec: prev.value, changed: false });
        if (next && (await this.cas('pool', key, this.keys.poolIndex, name, raw, next))) return this.durable(`setWarmPool ${name}`, key, { spec: next, changed: true });
      }
      throw new WriteConflictError(key, CAS_ATTEMPTS);
    }, this.redis);
  }

  private entryOf(id: string, specRaw: Buffer | null | undefined, statusRaw: Buffer | null | undefined, activityRaw: Buffer | null | undefined): SessionEntry | undefined {
    const entry = toSessionEntry(id, decodeSessionSpec(specRaw, id), decodeSessionStatus(statusRaw), parseActivity(activityRaw));
    if (entry?.invalid) this.onInvalid({ kind: 'session', id, invalid: entry.invalid });
    return entry;
  }

  async refreshSession(id: string): Promise<RefreshResult> {
    return guard(`refreshSession ${id}`, async () => {
      const k = this.keys;
      const r = await this.redis.esrRefreshSession(k.sessionSpec(id), k.sessionRefresh(id), k.hints, k.hintSeq, id, REFRESH_MIN_INTERVAL_MS, this.hintsMaxLen);
      return r === 1 ? 'requested' : r === 0 ? 'rateLimited' : 'notFound';
    }, this.redis);
  }

  async readSession(id: string): Promise<SessionEntry | undefined> {
    return guard(`readSession ${id}`, async () => {
      const [spec, status, activity] = await this.redis.mgetBuffer(this.keys.sessionSpec(id), this.keys.sessionStatus(id), this.keys.sessionActivity(id));
      return this.entryOf(id, spec, status, activity);
    }, this.redis);
  }

  async readPool(name: string): Promise<PoolEntry | undefined> {
    return guard(`readPool ${name}`, async () => {
      const d = decodePoolSpec(await this.redis.getBuffer(this.keys.pool(name)), name);
      if (d.kind === 'absent') return undefined;
      if (d.kind === 'ok') return { name, spec: d.value };
      this.onInvalid({ kind: 'pool', id: name, invalid: d.invalid });
      return { name, invalid: d.invalid };
    }, this.redis);
  }

  async listSessions(opts: ListOptions = {}): Promise<SessionPage> {
    const limit = Math.max(1, Math.min(1000, opts.limit ?? 100));
    return guard('listSessions', async () => {
      const from = opts.cursor ? `(${opts.cursor}` : '-';
      const ids = await this.redis.zrangebylex(this.keys.sessionIndex, from, '+', 'LIMIT', 0, limit + 1);
      const page = ids.slice(0, limit);
      if (page.length === 0) return { sessions: [] };
      const [specs, statuses, activity] = await Promise.all([
        this.redis.mgetBuffer(page.map(this.keys.sessionSpec)),
        this.redis.mgetBuffer(page.map(this.keys.sessionStatus)),
        this.redis.mgetBuffer(page.map(this.keys.sessionActivity)),
      ]);
      const sessions: SessionEntry[] = [];
      page.forEach((id, i) => {
        const e = this.entryOf(id, specs[i], statuses[i], activity[i]);
        if (e) sessions.push(e);
      });
      return ids.length > limit ? { sessions, nextCursor: page[page.length - 1] } : { sessions };
    }, this.redis);
  }

  watchStatus(id: string, listener: StatusListener): Promise<() => Promise<void>> {
    return guard(`watchStatus ${id}`, () => this.feed.watch(id, listener), this.redis);
  }

  snapshot(): Promise<DesiredSnapshot> {
    return readSnapshot(this.redis, this.keys, this.clock, this.onInvalid, SNAPSHOT_CHUNK, this.decodeMemo);
  }

  followHints(from: HintCursor, opts: FollowOptions): AsyncIterable<HintEvent> {
    return followHintStream(this.redis, this.keys, from, opts);
  }

  async writeStatus(id: string, status: SessionStatus, fencingToken: number, basis?: StatusBasis): Promise<StatusWriteResult> {
    const sid = SessionIdSchema.safeParse(id);
    if (!sid.success) throw new InvalidSpecError('id', sid.error.issues[0]?.message ?? 'invalid');
    const parsed = SessionStatusSchema.safeParse(status);
    if (!parsed.success) throw new InvalidSpecError('status', describeIssues('status', parsed.error), { cause: parsed.error });
    return guard(`writeStatus ${id}`, async () => {
      const k = this.keys;
      const activityBound = basis?.activityAtMost !== undefined ? String(basis.activityAtMost) : '';
      const reply = await this.redis.esrWriteStatus(k.leaderEpoch, k.sessionSpec(id), k.sessionStatus(id), k.sessionActivity(id), fencingToken, JSON.stringify(parsed.data), k.statusChannel(id), basis ? String(basis.generation) : '', activityBound, basis?.uid ?? '');
      if (reply[0] === 'FENCED') throw new FencedError(fencingToken, reply[1] ?? '?', `writeStatus ${id}`);
      if (reply[0] === 'CONFLICT') return { outcome: 'conflict', generation: Number(reply[1] ?? -1) };
      if (reply[0] === 'RENEWED') return { outcome: 'renewed', lastActivityAt: Number(reply[1] ?? 0) };
      return reply[0] === 'GONE' ? { outcome: 'session-gone' } : { outcome: 'written' };
    }, this.redis);
  }

  async purgeSession(id: string, generation: number, fencingToken: number): Promise<boolean> {
    return guard(`purgeSession ${id}`, async () => {
      const k = this.keys;
      const reply = await this.redis.esrPurgeSession(k.leaderEpoch, k.sessionSpec(id), k.sessionStatus(id), k.sessionIndex, k.sessionActivity(id), fencingToken, generation, id, k.statusChannel(id));
      if (reply[0] === 'FENCED') throw new FencedError(fencingToken, reply[1] ?? '?', `purgeSession ${id}`);
      return reply[0] === 'OK';
    }, this.redis);
  }

  // ---- WarmStore (src/desired/redis-warm.ts) ----

  claimWarmTask(sessionId: string, claim: Omit<WarmClaim, 'sessionId'>, candidates: readonly ClaimCandidate[], fencingToken: number): Promise<ClaimResult> {
    return warm.claimWarmTask(this.redis, this.keys, sessionId, claim, candidates, fencingToken);
  }

  reserveForStop(taskArn: string, at: number, fencingToken: number): Promise<'reserved' | 'claimed'> {
    return warm.reserveForStop(this.redis, this.keys, taskArn, at, fencingToken);
  }

  releaseWarmClaim(taskArn: string, fencingToken: number): Promise<void> {
    return warm.releaseWarmClaim(this.redis, this.keys, taskArn, fencingToken);
  }

  warmClaims(): Promise<Map<string, WarmClaim>> {
    return warm.warmClaims(
      this.redis,
      this.keys,
      (arn, message) => this.onInvalid({ kind: 'pool', id: arn.slice(-48), invalid: { record: 'pool', reason: 'schema', message: `warm claim ${arn}: ${message}` } }),
      (key, err) => this.storeProblem('claims', key, err),
    );
  }

  readPoolStatus(name: string): Promise<WarmPoolStatus | undefined> {
    return warm.readPoolStatus(this.redis, this.keys, name, (key, err) => this.storeProblem('poolStatus', key, err));
  }

  /** Reports one of the store's own keys that holds the wrong type (kind `store`). */
  private storeProblem(record: 'claims' | 'poolStatus', key: string, err: Error): void {
    this.onInvalid({ kind: 'store', id: key, invalid: { record, reason: 'wrong-type', message: `${key}: ${err.message}` } });
  }

  writePoolStatus(name: string, status: WarmPoolStatus, fencingToken: number): Promise<void> {
    return warm.writePoolStatus(this.redis, this.keys, name, status, fencingToken);
  }

  /** Stops status watches (and the connection when owned). Hint followers end with their signal. */
  async close(): Promise<void> {
    this.feed.close();
    if (this.ownsConnection) await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
