/** Fenced status writes and purges, keeping the cache in step with what was written. */
import type { SessionStatus } from '../../desired/schema.js';
import type { ExecutorDeps } from './context.js';
import { sameStatus } from '../plan/status.js';

/** Writes `status` unless the cache already holds the same facts. Returns false when the session is gone. */
export async function writeSessionStatus(deps: ExecutorDeps, sessionId: string, status: SessionStatus): Promise<boolean> {
  const cached = deps.cache.sessions.get(sessionId)?.status;
  if (sameStatus(cached, status)) return true;
  const now = deps.clock.now();
  const next = { ...status, updatedAt: now };
  const result = await deps.status.writeStatus(sessionId, next, deps.fencingToken());
  if (result.outcome === 'session-gone') {
    deps.cache.setSessionEntry(sessionId, undefined, deps.clock.now());
    return false;
  }
  deps.cache.setStatus(sessionId, next, now);
  return true;
}

export async function purgeSession(deps: ExecutorDeps, sessionId: string, generation: number): Promise<void> {
  await deps.status.purgeSession(sessionId, generation, deps.fencingToken());
  const entry = deps.cache.sessions.get(sessionId);
  if (entry?.spec?.deleted && entry.spec.generation === generation) deps.cache.setSessionEntry(sessionId, undefined, deps.clock.now());
}
