/** Fenced status writes and purges, keeping the cache in step with what was written. */
import type { SessionStatus } from '../../desired/schema.js';
import type { ExecutorDeps } from './context.js';
import { sameStatus } from '../plan/status.js';
import { PreconditionFailedError } from './errors.js';

/**
 * Writes `status` unless the cache already holds the same facts. Returns false when the session
 * is gone. The write is conditioned on the spec generation it was computed from (`generation`,
 * default: the cached spec's): when the stored spec moved on, the session is read again and
 * PreconditionFailedError asks for a new plan, so a status never lands on a record it does not
 * describe (a newer spec, or a record lost and written again).
 */
export async function writeSessionStatus(deps: ExecutorDeps, sessionId: string, status: SessionStatus, generation?: number): Promise<boolean> {
  const entry = deps.cache.sessions.get(sessionId);
  const cached = entry?.status;
  if (sameStatus(cached, status)) return true;
  const now = deps.clock.now();
  const next = { ...status, updatedAt: now };
  const basis = generation ?? entry?.spec?.generation;
  const result = await deps.status.writeStatus(sessionId, next, deps.fencingToken(), basis !== undefined ? { generation: basis } : undefined);
  if (result.outcome === 'session-gone') {
    deps.cache.setSessionEntry(sessionId, undefined, deps.clock.now());
    return false;
  }
  if (result.outcome === 'conflict') {
    if (deps.desired) deps.cache.setSessionEntry(sessionId, await deps.desired.readSession(sessionId), deps.clock.now());
    throw new PreconditionFailedError(sessionId, `status computed for spec generation ${basis} but the store holds generation ${result.generation}`);
  }
  deps.cache.setStatus(sessionId, next, now);
  return true;
}

export async function purgeSession(deps: ExecutorDeps, sessionId: string, generation: number): Promise<void> {
  await deps.status.purgeSession(sessionId, generation, deps.fencingToken());
  const entry = deps.cache.sessions.get(sessionId);
  if (entry?.spec?.deleted && entry.spec.generation === generation) deps.cache.setSessionEntry(sessionId, undefined, deps.clock.now());
}
