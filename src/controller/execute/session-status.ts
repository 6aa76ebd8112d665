/** Fenced status writes and purges, keeping the cache in step with what was written. */
import type { SessionStatus } from '../../desired/schema.js';
import type { ExecutorDeps } from './context.js';
import { sameStatus } from '../plan/status.js';
import { PreconditionFailedError, StopDeferredError } from './errors.js';
import type { WriteStatusAction } from '../plan/actions.js';

/**
/** The spec a status was computed from: its generation and its life (uid). */
export interface SpecBasis {
  generation?: number;
  uid?: string;
}

/**
 * Writes `status` unless the cache already holds the same facts. Returns false when the session
 * is gone. The write is conditioned on the spec generation and life it was computed from
 * (`spec`, default: the cached spec's): when the stored spec moved on, the session is read again and
 * PreconditionFailedError asks for a new plan, so a status never lands on a record it does not
 * describe (a newer spec, or a record lost and written again).
 */
export async function writeSessionStatus(deps: ExecutorDeps, sessionId: string, status: SessionStatus, spec?: SpecBasis, expiry?: WriteStatusAction['expiry']): Promise<boolean> {
  const entry = deps.cache.sessions.get(sessionId);
  const cached = entry?.status;
  if (sameStatus(cached, status)) return true;
  if (expiry) {
    const gate = deps.expiryGate?.checkExpiry(sessionId) ?? 'allow';
    if (gate !== 'allow') throw new StopDeferredError(`session ${sessionId}`, `expiry held: ${gate.wait}`, gate.retryAfterMs);
  }
  const now = deps.clock.now();
  const next = { ...status, updatedAt: now };
  const basis = spec?.generation ?? entry?.spec?.generation;
  const uid = spec ? spec.uid : entry?.spec?.uid;
  const activity = expiry ? { activityAtMost: expiry.activityAtMost } : {};
  const result = await deps.status.writeStatus(sessionId, next, deps.fencingToken(), basis !== undefined ? { generation: basis, ...(uid ? { uid } : {}), ...activity } : undefined);
  if (result.outcome === 'renewed') {
    // A touch arrived after the decision: the session lives on; plan again with what the store holds.
    if (deps.desired) deps.cache.setSessionEntry(sessionId, await deps.desired.readSession(sessionId), deps.clock.now());
    else deps.cache.setActivity(sessionId, result.lastActivityAt, deps.clock.now());
    throw new PreconditionFailedError(sessionId, `expiry refused: the session was touched at ${new Date(result.lastActivityAt).toISOString()}, after the decision`);
  }
  if (result.outcome === 'session-gone') {
    deps.cache.setSessionEntry(sessionId, undefined, deps.clock.now());
    return false;
  }
  if (result.outcome === 'conflict') {
    if (deps.desired) deps.cache.setSessionEntry(sessionId, await deps.desired.readSession(sessionId), deps.clock.now());
    throw new PreconditionFailedError(sessionId, `status computed for spec generation ${basis}${uid ? ` of life ${uid}` : ''} but the store holds generation ${result.generation}${uid ? ' (or another life)' : ''}`);
  }
  deps.cache.setStatus(sessionId, next, now);
  return true;
}

export async function purgeSession(deps: ExecutorDeps, sessionId: string, generation: number): Promise<void> {
  await deps.status.purgeSession(sessionId, generation, deps.fencingToken());
  const entry = deps.cache.sessions.get(sessionId);
  if (entry?.spec?.deleted && entry.spec.generation === generation) deps.cache.setSessionEntry(sessionId, undefined, deps.clock.now());
}
