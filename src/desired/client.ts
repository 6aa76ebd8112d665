/**
 * The gateway's client library: say what you want (ensureSession, deleteSession,
 * setWarmPoolTarget), read it back (getSession, listSessions), and wait for the controller
 * (waitFor, waitForReady — push-based, never polling). Inputs are validated before anything is
 * written; failures are typed errors (see errors.ts).
 */
import type { Clock } from '../common/clock.js';
import { InvalidSpecError, SessionFailedError, WaitAbortedError } from './errors.js';
import { DEFAULT_PREFIX } from './keys.js';
import type { RedisLike } from './lua.js';
import { parsePoolInput, parseSessionInput, type InputRules } from './records.js';
import { createRedisConnection, redisConfigFromEnv } from './redis-connection.js';
import { RedisDesiredStore } from './redis-store.js';
import { isReady, SessionIdSchema, type Endpoint, type SessionSpec, type SessionSpecInput, type SessionStatus, type WarmPoolSpec } from './schema.js';
import type { ListOptions, SessionEntry, SessionPage, SpecStore, SpecWriteResult } from './types.js';

export type SessionClientOptions = InputRules;

export interface ConnectOptions extends SessionClientOptions {
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
   * Ignore statuses that reflect an older spec (observedGeneration < generation), e.g. pass
   * the generation ensureSession returned so a Failed status of a previous attempt is not
   * mistaken for the answer.
   */
  generation?: number;
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

export class SessionClient {
  constructor(
    private readonly store: SpecStore & { close?(): Promise<void> },
    private readonly rules: SessionClientOptions = {},
  ) {}

  /** Validates and writes a session spec; `changed` is false when it was already so. */
  async ensureSession(spec: SessionSpecInput): Promise<SpecWriteResult<SessionSpec>> {
    return this.store.ensureSession(parseSessionInput(spec, this.rules));
  }

  /** Marks the session deleted (a tombstone); false when no live session has that id. */
  async deleteSession(id: string): Promise<boolean> {
    checkId(id);
    return this.store.deleteSession(id);
  }

  /**
   * Sets a warm pool's target size. A new pool needs `template`; an existing pool keeps its
   * template unless another is given.
   */
  async setWarmPoolTarget(pool: string, target: number, opts: { template?: string } = {}): Promise<SpecWriteResult<WarmPoolSpec>> {
    let template = opts.template;
    if (template === undefined) {
      parsePoolInput(pool, 'placeholder', target, { warmPoolTargetMax: this.rules.warmPoolTargetMax });
      template = (await this.store.readPool(pool))?.spec?.template;
      if (template === undefined) throw new InvalidSpecError('template', `pool "${pool}" does not exist yet; a new pool needs a template`);
    }
    parsePoolInput(pool, template, target, this.rules);
    return this.store.setWarmPool(pool, template, target);
  }

  /** Spec + status of one session (a bad record shows up in `invalid`); undefined when unknown. */
  async getSession(id: string): Promise<SessionEntry | undefined> {
    checkId(id);
    return this.store.readSession(id);
  }

  /** One page of sessions in id order; pass `nextCursor` back for the next page. */
  async listSessions(opts: ListOptions = {}): Promise<SessionPage> {
    if (opts.limit !== undefined && (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > 1000)) {
      throw new InvalidSpecError('limit', `must be an integer in 1..1000, got ${opts.limit}`);
    }
    return this.store.listSessions(opts);
  }

  /**
   * Resolves with the first status for which `predicate` is true: the current one, or one
   * pushed by a later status write. Rejects with SessionFailedError when a (non-stale) status
   * has phase Failed and does not satisfy the predicate, with WaitAbortedError when `signal`
   * aborts, and with RedisUnavailableError when the watch cannot be set up.
   */
  waitFor(id: string, predicate: (status: SessionStatus) => boolean, opts: WaitOptions = {}): Promise<SessionStatus> {
    checkId(id);
    const { signal, generation } = opts;
    return new Promise<SessionStatus>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new WaitAbortedError(id, { cause: signal.reason }));
        return;
      }
      let settled = false;
      let unsubscribe: (() => Promise<void>) | undefined;
      const finish = (settle: () => void): void => {
        if (settled) return;
        settled = true;
        signal?.removeEventListener('abort', onAbort);
        if (unsubscribe) void unsubscribe().catch(() => undefined);
        settle();
      };
      const onAbort = (): void => finish(() => reject(new WaitAbortedError(id, { cause: signal?.reason })));
      signal?.addEventListener('abort', onAbort, { once: true });
      const onStatus = (status: SessionStatus | undefined): void => {
        if (settled || !status) return;
        if (generation !== undefined && status.observedGeneration < generation) {
          // A replacement for this generation that gave up while the old task keeps serving
          // (make before break) is a failure of the generation waited for.
          if ((status.targetGeneration ?? 0) >= generation && updateFailed(status)) finish(() => reject(new SessionFailedError(id, status, failureDetail(status))));
          return;
        }
        try {
          if (predicate(status)) finish(() => resolve(status));
          else if (status.phase === 'Failed') finish(() => reject(new SessionFailedError(id, status, failureDetail(status))));
        } catch (err) {
          finish(() => reject(err));
        }
      };
      this.store.watchStatus(id, onStatus).then(
        (unsub) => {
          unsubscribe = unsub;
          if (settled) void unsub().catch(() => undefined);
        },
        (err: unknown) => finish(() => reject(err)),
      );
    });
  }

  /** Waits until the session is Running with Ready=True and an endpoint to connect to. */
  async waitForReady(id: string, opts: WaitOptions = {}): Promise<ReadyStatus> {
    return (await this.waitFor(id, isReady, opts)) as ReadyStatus;
  }

  async close(): Promise<void> {
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
  return new SessionClient(store, { templates: opts.templates, warmPoolTargetMax: opts.warmPoolTargetMax });
}
