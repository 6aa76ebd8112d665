/**
 * The visible steps of the degradation chain while a launch waits or fails: queued behind rate
 * limits (position and estimate), throttled by ECS, and unavailable while the ECS breaker is
 * open (with `retryAfter`). Each is a status write, so the gateway sees it as it happens.
 */
import type { SessionStatus } from '../../desired/schema.js';
import { AwsCallError, isThrottled, KIND_POLICY, statusReasonOf } from '../../observed/aws-errors.js';
import { isCircuitOpen } from '../resilience/index.js';
import { initialStatus, removeCondition, setConditions } from '../plan/status.js';
import type { ExecutorDeps } from './context.js';
import { writeSessionStatus } from './session-status.js';

/** How long a launch may wait on limits before its status says Queued, ms. */
export const QUEUED_AFTER_MS = 200;

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${s}`;
}

/**
 * True while a replacement starts beside a task that still serves the session (make before
 * break): failures of the replacement are reported on `Updating`, never by taking `Ready` away.
 */
export function isReplacing(status: SessionStatus): boolean {
  return status.targetGeneration !== undefined && status.phase === 'Running' && status.endpoint !== undefined;
}

export function current(deps: ExecutorDeps, sessionId: string, fallback: SessionStatus): SessionStatus {
  return deps.cache.sessions.get(sessionId)?.status ?? fallback;
}

/**
 * Runs `call`; if it is still waiting on a rate limit after QUEUED_AFTER_MS, writes a `Queued`
 * condition with the position and estimated wait, then keeps waiting for the call.
 */
export async function withQueuedStatus<T>(deps: ExecutorDeps, sessionId: string, key: string, fallback: SessionStatus, call: () => Promise<T>): Promise<T> {
  if (!deps.positionOf) return call();
  let settled = false;
  const timer = deps.clock.setTimer(() => {
    if (settled) return;
    const pos = deps.positionOf?.(key);
    if (!pos || pos.reason !== 'rateLimited') return;
    const cur = current(deps, sessionId, fallback);
    const secs = Math.max(1, Math.round(pos.estimatedWaitMs / 1000));
    const message = `queued behind ECS rate limits (${pos.waitingOn}): ${ordinal(pos.position)} in line, about ${secs} s`;
    void writeSessionStatus(deps, sessionId, {
      ...cur,
      queuePosition: pos.position,
      conditions: setConditions(cur.conditions, [{ type: 'Queued', status: 'True', reason: 'RateLimited', message }], deps.clock.now()),
    }).catch(() => undefined);
  }, QUEUED_AFTER_MS);
  try {
    return await call();
  } finally {
    settled = true;
    deps.clock.clearTimer(timer);
  }
}

/**
 * After a failed action of a session: say why in its status when the reason is one the gateway
 * should see (ECS unavailable behind an open breaker, throttled, and every AWS refusal that
 * retrying cannot change: quota, access denied, invalid request, conflict, with the reason from
 * KIND_POLICY / statusReasonOf, e.g. `LimitExceededException` or `AccessDenied`). Other
 * failures only back off.
 */
export async function reportFailure(deps: ExecutorDeps, sessionId: string, err: unknown): Promise<void> {
  const now = deps.clock.now();
  const entry = deps.cache.sessions.get(sessionId);
  if (!entry?.spec || entry.spec.deleted) return;
  const cur = entry.status ?? { ...initialStatus(now), observedGeneration: entry.spec.generation };
  if (isCircuitOpen(err)) {
    const retryAfter = now + Math.ceil(err.retryAfterMs);
    const message = `ECS is unavailable (circuit breaker open after repeated faults); next attempt after ${new Date(retryAfter).toISOString()}`;
    if (isReplacing(cur)) {
      await writeSessionStatus(deps, sessionId, { ...cur, retryAfter, conditions: setConditions(cur.conditions, [{ type: 'Updating', status: 'False', reason: 'EcsUnavailable', message }], now) });
      return;
    }
    await writeSessionStatus(deps, sessionId, {
      ...cur,
      phase: cur.phase === 'Running' ? cur.phase : 'Pending',
      retryAfter,
      queuePosition: undefined,
      conditions: setConditions(removeCondition(cur.conditions, 'Queued'), [
        { type: 'Ready', status: 'False', reason: 'Unavailable', message },
        { type: 'Degraded', status: 'True', reason: 'EcsUnavailable', message },
      ], now),
    });
  } else if (isThrottled(err)) {
    const message = 'ECS throttled the launch (ThrottlingException); retrying with backoff';
    await writeSessionStatus(deps, sessionId, { ...cur, conditions: setConditions(cur.conditions, [{ type: 'Queued', status: 'True', reason: 'Throttled', message }], now) });
  } else if (err instanceof AwsCallError && (KIND_POLICY[err.kind].reaction === 'noBlindRetry' || KIND_POLICY[err.kind].reaction === 'fail')) {
    const reason = statusReasonOf(err);
    const said = err.cause instanceof Error ? err.cause.message : err.message;
    const message = `${err.service}:${err.operation} refused (${err.awsCode ?? err.kind}): ${said}; not retried blindly`;
    const type = isReplacing(cur) ? 'Updating' : 'Ready';
    await writeSessionStatus(deps, sessionId, { ...cur, queuePosition: undefined, conditions: setConditions(removeCondition(cur.conditions, 'Queued'), [{ type, status: 'False', reason, message }], now) });
  }
}
