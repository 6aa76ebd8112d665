import type { Clock } from '../../common/clock.js';
import { classify, toAwsCallError, type AwsCallContext, type AwsCallError, type AwsErrorKind, CallTimeoutError } from '../../observed/aws-errors.js';
import { noopCallOutcomeSink, type CallOutcome, type CallOutcomeSink } from './call-outcome.js';
import { CircuitOpenError } from './circuit-open-error.js';
import type { DependencyBreaker } from './circuit-breaker.js';
import { Deadline, DeadlineExceededError, timeoutSignal, type ScopedSignal } from './deadline.js';
import type { RateLimiterRegistry } from './rate-limiter-registry.js';
import { nextRequestSeq, type RequestClass } from '../queue/request-order.js';

/** One AWS call to run through the guard. */
export interface GuardedCall<T> {
  /** Dependency (`ecs`, `efs`): picks the breaker. */
  service: string;
  /** AWS operation name (`RunTask`): picks the bucket `service:operation`. */
  operation: string;
  /** The work-queue key this call is for, so status can ask where it waits. */
  key?: string;
  /** Who the call is for, for its place in every bucket's line (default `session`). */
  requestClass?: RequestClass;
  /** When the caller first asked, ms (default: now); earlier requests of a class go first. */
  requestedAt?: number;
  /** Tie-break among requests of the same millisecond (request-order.ts); default: now. */
  requestSeq?: number;
  /** Further buckets to draw from, e.g. `{ 'fargate:TaskLaunch': count }` for RunTask. */
  extraTokens?: Readonly<Record<string, number>>;
  /** The action's deadline; the call gets min(budgetMs, remaining). */
  deadline?: Deadline;
  /** This step's budget in ms (waiting for tokens included). Default: the guard's default. */
  budgetMs?: number;
  /** Caller cancellation (e.g. shutdown), used when no deadline is given. */
  signal?: AbortSignal;
  /** The call; pass the signal on: `client.send(cmd, { abortSignal: signal })`. */
  call: (signal: AbortSignal) => Promise<T>;
}

/** Where a key stands: waiting for rate-limit tokens, or held back by an open breaker. */
export interface QueuePosition {
  reason: 'rateLimited' | 'circuitOpen';
  /** `service:operation` bucket, or the dependency whose breaker is open. */
  waitingOn: string;
  /** 1-based place in line. */
  position: number;
  estimatedWaitMs: number;
}

export interface AwsCallGuardOptions {
  clock: Clock;
  limits: RateLimiterRegistry;
  /** Breakers by service; a service without one is not broken. */
  breakers?: Readonly<Record<string, DependencyBreaker>>;
  sink?: CallOutcomeSink;
  /** Budget of a call that names none, ms. Default 10_000. */
  defaultBudgetMs?: number;
}

/**
 * Every AWS call goes through here, in this order:
 * rate limit (wait for tokens, sessions before the warm pool: queue/request-order.ts) -> breaker (fail fast when open) -> timeout signal -> call ->
 * classify. Failures come out as typed `AwsCallError`s; nothing is retried here (the work
 * queue's per-key backoff is the one retry layer). Throttling slows the bucket down; success
 * lets it recover. Each call's outcome goes to the sink.
 */
export class AwsCallGuard {
  private readonly clock: Clock;
  private readonly limits: RateLimiterRegistry;
  private readonly breakers: Readonly<Record<string, DependencyBreaker>>;
  private readonly sink: CallOutcomeSink;
  private readonly defaultBudgetMs: number;
  /**
   * Keys rejected by an open breaker since it last closed, in rejection order, per dependency.
   * Forgotten when the dependency's breaker is found closed again (a key that never calls again,
   * e.g. a deleted session, must not stay here), so at most the distinct keys rejected during
   * one open spell.
   */
  private readonly heldByBreaker = new Map<string, string[]>();

  constructor(opts: AwsCallGuardOptions) {
    this.clock = opts.clock;
    this.limits = opts.limits;
    this.breakers = opts.breakers ?? {};
    this.sink = opts.sink ?? noopCallOutcomeSink;
    this.defaultBudgetMs = opts.defaultBudgetMs ?? 10_000;
  }

  async run<T>(req: GuardedCall<T>): Promise<T> {
    const ctx: AwsCallContext = { service: req.service, operation: req.operation, ...(req.key ? { key: req.key } : {}) };
    const budget = req.budgetMs ?? this.defaultBudgetMs;
    const scope: ScopedSignal = req.deadline
      ? req.deadline.scope(`${req.service}:${req.operation}`, budget)
      : timeoutSignal(this.clock, `${req.service}:${req.operation}`, budget, req.signal);
    const started = this.clock.now();
    let callStarted: number | undefined;
    try {
      const op = `${req.service}:${req.operation}`;
      // One place in line for every bucket this call draws from.
      const order = { class: req.requestClass ?? 'session', requestedAt: req.requestedAt ?? started, seq: req.requestSeq ?? nextRequestSeq() } as const;
      await this.limits.acquire(op, 1, { signal: scope.signal, key: req.key, order });
      for (const [bucket, n] of Object.entries(req.extraTokens ?? {})) {
        await this.limits.acquire(bucket, n, { signal: scope.signal, key: req.key, order });
      }
      callStarted = this.clock.now();
      const invoke = async (signal: AbortSignal): Promise<T> => {
        try {
          return await req.call(signal);
        } catch (err) {
          throw this.translate(err, ctx, scope);
        }
      };
      const breaker = this.breakers[req.service];
      const result = breaker ? await breaker.execute(invoke, scope.signal, ctx) : await invoke(scope.signal);
      this.limits.onSuccess(op);
      this.release(req.service, req.key);
      this.report(ctx, 'ok', undefined, callStarted - started, this.clock.now() - callStarted);
      return result;
    } catch (err) {
      const typed = this.translate(err, ctx, scope);
      if (typed.kind === 'throttled') this.limits.onThrottled(`${req.service}:${req.operation}`);
      if (typed instanceof CircuitOpenError) this.hold(req.service, req.key);
      else this.release(req.service, req.key);
      const now = this.clock.now();
      this.report(ctx, outcomeOf(typed.kind), typed.kind, (callStarted ?? now) - started, callStarted === undefined ? 0 : now - callStarted);
      throw typed;
    } finally {
      scope.dispose();
    }
  }

  /**
   * Where `key` waits: its place in a rate-limit queue (with the estimated wait at the current
   * refill rate), or behind an open breaker (wait = the breaker's retryAfter).
   */
  positionOf(key: string): QueuePosition | undefined {
    const rl = this.limits.positionOf(key);
    if (rl) return { reason: 'rateLimited', waitingOn: rl.bucket, position: rl.position, estimatedWaitMs: rl.estimatedWaitMs };
    for (const [dep, keys] of this.heldByBreaker) {
      const i = keys.indexOf(key);
      const breaker = this.breakers[dep];
      if (i >= 0 && breaker && breaker.state() !== 'closed') {
        return { reason: 'circuitOpen', waitingOn: dep, position: i + 1, estimatedWaitMs: breaker.retryAfterMs() };
      }
    }
    return undefined;
  }

  /**
   * For soak tests and diagnostics: `heldByBreaker` (keys remembered as held back by an open
   * breaker, all dependencies: at most the distinct keys rejected since each breaker last closed)
   * and the rate-limit registry's sizes.
   */
  sizes(): Record<string, number> {
    let held = 0;
    for (const keys of this.heldByBreaker.values()) held += keys.length;
    return { heldByBreaker: held, ...this.limits.sizes() };
  }

  /** Typed error for a failure; a fired deadline turns the SDK's AbortError into a timeout. */
  private translate(err: unknown, ctx: AwsCallContext, scope: ScopedSignal): AwsCallError {
    if (err instanceof CircuitOpenError) return err;
    const reason: unknown = scope.signal.aborted ? scope.signal.reason : undefined;
    if (reason instanceof DeadlineExceededError && classify(err) !== 'throttled' && !(err instanceof CallTimeoutError)) {
      return new CallTimeoutError(ctx, `no answer within ${scope.budgetMs} ms`, err, scope.budgetMs);
    }
    return toAwsCallError(err, ctx);
  }

  private hold(service: string, key: string | undefined): void {
    if (!key) return;
    const keys = this.heldByBreaker.get(service) ?? [];
    if (!keys.includes(key)) keys.push(key);
    this.heldByBreaker.set(service, keys);
  }

  private release(service: string, key: string | undefined): void {
    // A closed breaker holds nobody back: forget the whole spell's keys (positionOf ignores them).
    if (this.breakers[service]?.state() === 'closed') {
      this.heldByBreaker.delete(service);
      return;
    }
    if (!key) return;
    const keys = this.heldByBreaker.get(service);
    const i = keys?.indexOf(key) ?? -1;
    if (keys && i >= 0) keys.splice(i, 1);
  }

  private report(ctx: AwsCallContext, outcome: CallOutcome, kind: AwsErrorKind | undefined, waitedMs: number, durationMs: number): void {
    this.sink.record({ service: ctx.service, operation: ctx.operation, key: ctx.key, outcome, kind, waitedMs, durationMs });
  }
}

function outcomeOf(kind: AwsErrorKind): CallOutcome {
  switch (kind) {
    case 'throttled': return 'throttled';
    case 'timeout': return 'timeout';
    case 'circuitOpen': return 'rejectedByBreaker';
    case 'aborted': return 'aborted';
    default: return 'error';
  }
}
