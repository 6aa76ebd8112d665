/**
 * What the action executors need. Narrow ports, so unit tests can pass fakes of our own
 * interfaces and the daemon passes the real thing.
 */
import type { Clock } from '../../common/clock.js';
import type { TaskTemplates } from '../../config/templates.js';
import type { DesiredStore, StatusWriter } from '../../desired/types.js';
import type { WarmStore } from '../../desired/warm-schema.js';
import type { AwsApi } from '../../observed/aws-api.js';
import type { ControllerCache } from '../cache.js';
import type { Action } from '../plan/actions.js';
import type { RequestClass } from '../queue/request-order.js';
import type { ExpiryReason } from '../plan/lifetime.js';

export type AwsService = 'ecs' | 'efs' | 'sqs';

export interface GuardedCallRequest {
  service: AwsService;
  /** AWS operation name, e.g. 'RunTask'. */
  operation: string;
  /** Work-queue key the call is made for (queue position reporting). */
  key?: string;
  /** Fargate task launches this call makes (the Fargate launch bucket; `fargateLaunchTokens`); 0 for other calls and EC2 launches. */
  launches?: number;
  /** Who the call is for (queue/request-order.ts); default: `pool` for a pool key, else `session`. */
  requestClass?: RequestClass;
  /** When the caller first asked (ms), e.g. the launch intent's; default: when the call starts. */
  requestedAt?: number;
  /** Tie-break among requests of the same millisecond (queue/request-order.ts). */
  requestSeq?: number;
}

/**
 * Runs one AWS call through rate limits, the dependency's circuit breaker and a timeout;
 * `fn` receives the AbortSignal to pass to the SDK. Errors come back classified.
 */
export type GuardedCall = <T>(req: GuardedCallRequest, fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

/** Decides whether a stop may happen now (ownership is checked separately, always). */
export interface StopGate {
  /** Resolves 'allow', or a reason why the stop must wait (brake engaged, budget spent). */
  check(action: Action & { type: 'stopTask' }): 'allow' | { wait: string; retryAfterMs: number };
}

/**
 * Decides whether a session may expire now (the mass-expiry brake, and every brake that holds
 * stops): a gateway outage must not end every session at once.
 */
export interface ExpiryGate {
  checkExpiry(sessionId: string): 'allow' | { wait: string; retryAfterMs: number };
}

/**
 * Outcomes of an executed action: `ok`; `error` (it failed and backs off); `skipped`; `refused`
 * (a stop of a task without our owner tag, never retried); `deferred` (a stop held back by a
 * safety gate: brake, stop budget or unreachable Redis; retried later, not a failure).
 */
export const ACTION_OUTCOMES = ['ok', 'error', 'skipped', 'refused', 'deferred'] as const;
export type ActionOutcome = (typeof ACTION_OUTCOMES)[number];

export interface ExecutorEvent {
  sessionId: string | undefined;
  action: Action['type'];
  drift: string;
  outcome: ActionOutcome;
  message: string;
  /** A cold launch that a warm task could have served, had the pool not been empty (warm-claim miss). */
  warmPoolEmpty?: boolean;
  /** Set on the status write that expired the session (`esr_sessions_expired_total{reason}`). */
  expired?: ExpiryReason;
}

export interface ExecutorDeps {
  aws: AwsApi;
  status: StatusWriter & WarmStore;
  /** The current leader term's fencing token. */
  fencingToken: () => number;
  cache: ControllerCache;
  call: GuardedCall;
  clock: Clock;
  config: {
    cluster: string;
    startedBy: string;
    ownerId: string;
    efsFileSystemId: string | undefined;
    /** How long a refusal of CreateAccessPoint stands before one new attempt, ms (default ACCESS_POINT_REFUSAL_RECHECK_MS). */
    efsRefusalRecheckMs?: number;
    templates: TaskTemplates;
  };
  stopGate?: StopGate;
  /** Consulted before a session is expired (absent: expiries are never held). */
  expiryGate?: ExpiryGate;
  /** Authoritative reads for preconditions checked at the action (absent: the cache is trusted). */
  desired?: Pick<DesiredStore, 'readSession'>;
  /**
   * Where a key waits on a rate limit or an open breaker (AwsCallGuard.positionOf), so a
   * session's status can say "queued (3rd), about 2 s". Optional: without it no Queued condition.
   */
  positionOf?: (key: string) => { reason: 'rateLimited' | 'circuitOpen'; waitingOn: string; position: number; estimatedWaitMs: number } | undefined;
  /** Called for every executed action (events history, logs, metrics). */
  onEvent?: (event: ExecutorEvent) => void;
}
