/**
 * The gateway's client library: say what you want (ensureSession, deleteSession,
 * setWarmPoolTarget), read it back (getSession, listSessions), and wait for the controller
 * (waitFor, waitForReady). Inputs are validated before anything is written; failures are typed
 * errors (see errors.ts).
 *
 * Waiting is push-based (every status write publishes the new status), with a safety net for
 * what a subscription cannot tell: every `recheckMs` (default 5 s) and once more before giving
 * up, the wait re-reads the session, so a subscription that died silently (node failure, slot
 * move, a connection that stopped carrying bytes) costs at most one interval, and a session that
 * is missing, deleted or vanished (lost by a failover or a flush) rejects with
 * SessionNotFoundError instead of waiting out the caller's timeout. Every wait has a bound
 * (default 5 min). After close() every call rejects with ClientClosedError and opens nothing.
 */
import { RealClock, type Clock } from '../common/clock.js';
import { RetryPolicy } from '../common/retry-policy.js';
import { mathRandom } from '../common/rng.js';
import { ClientClosedError, InvalidSpecError, isRedisUnavailableError, SessionExpiredError, SessionFailedError, SessionNotFoundError, WaitAbortedError, WaitTimeoutError } from './errors.js';
import { DEFAULT_PREFIX } from './keys.js';
import type { RedisLike } from './lua.js';
import { parsePoolInput, parseSessionInput, type InputRules } from './records.js';
import { createRedisConnection, redisConfigFromEnv } from './redis-connection.js';
import { RedisDesiredStore } from './redis-store.js';
import { isReady, SessionIdSchema, type Endpoint, type SessionSpec, type SessionSpecInput, type SessionStatus, type WarmPoolSpec } from './schema.js';
import type { ListOptions, SessionEntry, SessionPage, SpecStore, SpecWriteResult } from './types.js';
import { findCondition } from './schema.js';

/** Default bound of a wait, ms (longer than the controller's default session start budget, 125 s). */
/** How waitFor retries its first read and subscription while Redis is unavailable: 100 ms doubling to 2 s, full jitter. */
const WAIT_START_RETRY = new RetryPolicy({ baseMs: 100, capMs: 2_000, rng: mathRandom });

export const DEFAULT_WAIT_TIMEOUT_MS = 300_000;
/** Default interval of a wait's re-read, ms. */
export const DEFAULT_RECHECK_MS = 5_000;

/** How waits are timed (tests pass a virtual clock). */
export interface WaitTuning {
  clock?: Clock;
  /** Re-read interval of a wait, ms. */
  recheckMs?: number;
  /** Bound of a wait without its own `timeoutMs`, ms. */
  defaultTimeoutMs?: number;
}

export type SessionClientOptions = InputRules;

export interface ConnectOptions extends SessionClientOptions, Omit<WaitTuning, 'clock'> {
  /** Environment to read REDIS_* and RECONCILER_REDIS_PREFIX from (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Key prefix (default: RECONCILER_REDIS_PREFIX, else `esr`). */
  prefix?: string;
  /** Use this connection instead of opening one (it is not closed by close()). */
  redis?: RedisLike;
  clock?: Clock;
}

export interface WaitOptions {
  signal?: AbortSignal;
  /**
   * Ignore statuses that reflect an older spec (observedGeneration < generation). Default: the
   * spec's generation as the wait's first read finds it, so a wait right after ensureSession
   * never resolves with the status of the content (or the user) asked for before: after a
   * userId change it never hands back the previous user's endpoint, and after a content change
   * it resolves with the replacement, not the task still serving the old content (make before
   * break). Pass the generation ensureSession returned to be exact when other writers may
   * change the spec meanwhile; pass 0 to accept any generation's status.
   */
  generation?: number;
  /** Give up after this long, ms (default DEFAULT_WAIT_TIMEOUT_MS): WaitTimeoutError, after one last read. */
  timeoutMs?: number;
}

/** A status that passed waitForReady: Running, Ready=True, with an endpoint. */
export type ReadyStatus = SessionStatus & { endpoint: Endpoint };

function checkId(id: string, field = 'id'): void {
  const r = SessionIdSchema.safeParse(id);
  if (!r.success) throw new InvalidSpecError(field, r.error.issues[0]?.message ?? 'invalid', { cause: r.error });
}

function failureDetail(s: SessionStatus): string {
  if (s.lastError) return `${s.lastError.reason}: ${s.lastError.message}`;
  const c = s.conditions.find((x) => x.status === 'False' || x.type === 'Invalid');
  return c ? `${c.type} ${c.reason}: ${c.message}` : 'phase Failed';
}

/** True when the replacement of a serving task gave up (condition `Updating` False, `StartFailed`). */
function updateFailed(status: SessionStatus): boolean {
  return status.conditions.some((c) => c.type === 'Updating' && c.status === 'False' && c.reason === 'StartFailed');
}

/**
 * Whether the controller gave up on spec `generation` (until the spec changes again): either the
 * session is `Failed` for it, or, while an older generation's task keeps serving (make before
 * break, `observedGeneration` below it), the replacement for it gave up (`targetGeneration` at
 * least it, condition `Updating` False `StartFailed`). Both are the same answer to the gateway:
 * `waitForReady` rejects with `SessionFailedError`, and a change of the spec retries.
 */
export function failedForGeneration(status: SessionStatus, generation: number): boolean {
  if (status.observedGeneration < generation) return (status.targetGeneration ?? 0) >= generation && updateFailed(status);
  return status.phase === 'Failed';
}

export class SessionClient {
  private closed = false;
  private readonly clock: Clock;
  private readonly recheckMs: number;
  private readonly defaultTimeoutMs: number;
  /** Rejecters of the waits in progress (close() ends them). */
  private readonly pending = new Set<(err: Error) => void>();

  constructor(
    private readonly store: SpecStore & { close?(): Promise<void> },
    private readonly rules: SessionClientOptions = {},
    tuning: WaitTuning = {},
  ) {
    this.clock = tuning.clock ?? new RealClock();
    this.recheckMs = tuning.recheckMs ?? DEFAULT_RECHECK_MS;
    this.defaultTimeoutMs = tuning.defaultTimeoutMs ?? DEFAULT_WAIT_TIMEOUT_MS;
  }

  private open(operation: string): void {
    if (this.closed) throw new ClientClosedError(operation);
  }

  /** Validates and writes a session spec; `changed` is false when it was already so. */
  async ensureSession(spec: SessionSpecInput): Promise<SpecWriteResult<SessionSpec>> {
    this.open('ensureSession');
    return this.store.ensureSession(parseSessionInput(spec, this.rules));
  }

  /** Marks the session deleted (a tombstone); false when no live session has that id. */
  async deleteSession(id: string): Promise<boolean> {
    this.open('deleteSession');
    checkId(id);
    return this.store.deleteSession(id);
  }

  /**
   * Records user activity on a session: its idle timeout counts from now again (extend-only;
   * never past its maximum lifetime). Cheap enough for every user interaction: one small Redis
   * write, no spec generation bump, no change hint. Resolves with the recorded activity time
   * (epoch ms, never earlier than an earlier touch's). Rejects with SessionNotFoundError
   * (`missing`, `deleted`) or SessionExpiredError (the session already expired: a touch never
   * revives it; call ensureSession to start a new life).
   */
  async touchSession(id: string): Promise<{ lastActivityAt: number }> {
    this.open('touchSession');
    checkId(id);
    const r = await this.store.touchSession(id);
    if (r.outcome === 'touched') return { lastActivityAt: r.lastActivityAt };
    if (r.outcome === 'expired') throw new SessionExpiredError(id, r.expiresAt);
    throw new SessionNotFoundError(id, r.outcome);
  }

  /**
   * Sets a warm pool's target size. A new pool needs `template`; an existing pool keeps its
   * template unless another is given.
   */
  async setWarmPoolTarget(pool: string, target: number, opts: { template?: string } = {}): Promise<SpecWriteResult<WarmPoolSpec>> {
    this.open('setWarmPoolTarget');
    let template = opts.template;
    if (template === undefined) {
      parsePoolInput(pool, 'placeholder', target, { warmPoolTargetMax: this.rules.warmPoolTargetMax });
      template = (await this.store.readPool(pool))?.spec?.template;
      if (template === undefined) throw new InvalidSpecError('template', `pool "${pool}" does not exist yet; a new pool needs a template`);
    }
    parsePoolInput(pool, template, target, this.rules);
    return this.store.setWarmPool(pool, template, target);
  }

  /**
   * Asks the controller to look at a session now, e.g. when the gateway's connection to the task
   * drops: a hint like the others (one entry on the change stream, no spec change), so the
   * controller re-reads the session, compares it with the task it knows and acts on any
   * difference; the periodic resync remains the safety net. Cheap (one Redis script) and
   * rate-limited per session: at most one hint per REFRESH_MIN_INTERVAL_MS (1 s), further
   * requests within it resolve `false` (one is already on its way). Rejects with
   * SessionNotFoundError when the session has no spec record, InvalidSpecError for a bad id.
   */
  async refreshSession(id: string): Promise<boolean> {
    this.open('refreshSession');
    checkId(id);
    const r = await this.store.refreshSession(id);
    if (r === 'notFound') throw new SessionNotFoundError(id, 'missing');
    return r === 'requested';
  }

  /** Spec + status of one session (a bad record shows up in `invalid`); undefined when unknown. */
  async getSession(id: string): Promise<SessionEntry | undefined> {
    this.open('getSession');
    checkId(id);
    return this.store.readSession(id);
  }

  /** One page of sessions in id order; pass `nextCursor` back for the next page. */
  async listSessions(opts: ListOptions = {}): Promise<SessionPage> {
    this.open('listSessions');
    if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 1000)) {
      throw new InvalidSpecError('limit', `must be an integer in 1..1000, got ${opts.limit}`);
    }
    return this.store.listSessions(opts);
  }

  /**
   * Resolves with the first status for which `predicate` is true: the current one, or one
   * pushed by a later status write (or found by a re-read). Rejects with:
   * - SessionFailedError when a (non-stale) status has phase Failed and does not satisfy it;
   * - SessionExpiredError when a (non-stale) status has phase Expired and does not satisfy it;
   * - SessionNotFoundError when the session has no live spec (missing, deleted, or vanished
   *   while waiting), found by the first read or a re-read;
   * - WaitTimeoutError after `timeoutMs` (default 5 min) and one last read;
   * - WaitAbortedError when `signal` aborts; ClientClosedError when the client is (or gets) closed;
   * - RedisUnavailableError when the watch cannot be set up.
   */
  waitFor(id: string, predicate: (status: SessionStatus) => boolean, opts: WaitOptions = {}): Promise<SessionStatus> {
    checkId(id);
    if (this.closed) return Promise.reject(new ClientClosedError(`waitFor ${id}`));
    const { signal } = opts;
    let generation = opts.generation;
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<SessionStatus>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new WaitAbortedError(id, { cause: signal.reason }));
        return;
      }
      let settled = false;
      let specSeen = false;
      let lastPhase: string | undefined;
      let unsubscribe: (() => Promise<void>) | undefined;
      const timers = new Set<ReturnType<Clock['setTimer']>>();
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        for (const t of timers) this.clock.clearTimer(t);
        this.pending.delete(onClose);
        if (unsubscribe) void unsubscribe().catch(() => undefined);
        settle();
      };
      const onAbort = (): void => finish(() => reject(new WaitAbortedError(id, { cause: signal?.reason })));
      const onClose = (err: Error): void => finish(() => reject(err));
      this.pending.add(onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
      const onStatus = (status: SessionStatus | undefined): void => {
        if (settled || !status) return;
        lastPhase = status.phase;
        // The controller's own word that the session was deleted (it is stopping the task, then
        // purges the records): the answer is `deleted`, not a record that vanished later.
        if (findCondition(status, 'Ready')?.reason === 'SessionDeleted') {
          finish(() => reject(new SessionNotFoundError(id, 'deleted')));
          return;
        }
        if (generation !== undefined && status.observedGeneration < generation) {
          // A replacement for this generation that gave up while the old task keeps serving
          // (make before break) is a failure of the generation waited for.
          if (failedForGeneration(status, generation)) finish(() => reject(new SessionFailedError(id, status, failureDetail(status))));
          return;
        }
        try {
          if (predicate(status)) finish(() => resolve(status));
          else if (status.phase === 'Failed') finish(() => reject(new SessionFailedError(id, status, failureDetail(status))));
          else if (status.phase === 'Expired') finish(() => reject(new SessionExpiredError(id, status.expiresAt, findCondition(status, 'Ready')?.reason)));
        } catch (err) {
          finish(() => reject(err));
        }
      };
      /** Reads spec and status: the truth behind the subscription (`deliver`: pass the status on). */
      const reread = async (deliver = true): Promise<void> => {
        const entry = await this.store.readSession(id);
        if (settled) return;
        const specPresent = entry?.spec !== undefined || entry?.invalid?.record === 'spec';
        if (!specPresent) {
          finish(() => reject(new SessionNotFoundError(id, specSeen ? 'vanished' : 'missing')));
          return;
        }
        if (entry?.spec?.deleted) {
          finish(() => reject(new SessionNotFoundError(id, 'deleted')));
          return;
        }
        specSeen = true;
        generation ??= entry?.spec?.generation;
        if (deliver) onStatus(entry?.status);
      };
      const recheck = (): void => {
        const t = this.clock.setTimer(() => {
          timers.delete(t);
          reread().catch(() => undefined).finally(() => {
            if (!settled) recheck();
          }); // a failed re-read (Redis down) is tried again at the next interval
        }, this.recheckMs);
        timers.add(t);
      };
      const deadline = this.clock.setTimer(() => {
        timers.delete(deadline);
        const giveUp = (): void => finish(() => reject(new WaitTimeoutError(id, timeoutMs, lastPhase)));
        reread().then(giveUp, giveUp);
      }, timeoutMs);
      timers.add(deadline);
      // First read (a missing or deleted session rejects before anything is subscribed), then the
      // subscription, which delivers the current status again and every later write. Redis
      // unavailable meanwhile (a failover, a slot moving) is waited out with the retry policy's
      // backoff until the deadline; any other error ends the wait.
      const backoff = WAIT_START_RETRY.backoff();
      const start = (): void => {
        reread(false)
          .then(() => (settled ? undefined : this.store.watchStatus(id, onStatus)))
          .then(
            (unsub) => {
              if (!unsub) return;
              unsubscribe = unsub;
              if (settled) void unsub().catch(() => undefined);
              else recheck();
            },
            (err: unknown) => {
              if (settled) return;
              if (!isRedisUnavailableError(err)) return finish(() => reject(err));
              const t = this.clock.setTimer(() => {
                timers.delete(t);
                if (!settled) start();
              }, backoff.next());
              timers.add(t);
            },
          );
      };
      start();
    });
  }

  /** Waits until the session is Running with Ready=True and an endpoint to connect to. */
  async waitForReady(id: string, opts: WaitOptions = {}): Promise<ReadyStatus> {
    return (await this.waitFor(id, isReady, opts)) as ReadyStatus;
  }

  /** Ends every wait in progress (ClientClosedError) and closes the store; later calls reject. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const reject of [...this.pending]) reject(new ClientClosedError('waitFor'));
    await this.store.close?.();
  }
}

/**
 * Opens a SessionClient on Redis configured from the environment (see redis-connection.ts).
 * The connection is lazy: the first command connects.
 */
export function connectSessionClient(opts: ConnectOptions = {}): SessionClient {
  const env = opts.env ?? process.env;
  const redis = opts.redis ?? createRedisConnection(redisConfigFromEnv(env));
  const store = new RedisDesiredStore({
    redis,
    prefix: opts.prefix ?? env.RECONCILER_REDIS_PREFIX ?? DEFAULT_PREFIX,
    clock: opts.clock,
    ownsConnection: opts.redis === undefined,
  });
  return new SessionClient(
    store,
    { templates: opts.templates, warmPoolTargetMax: opts.warmPoolTargetMax },
    { ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.recheckMs !== undefined ? { recheckMs: opts.recheckMs } : {}), ...(opts.defaultTimeoutMs !== undefined ? { defaultTimeoutMs: opts.defaultTimeoutMs } : {}) },
  );
}
