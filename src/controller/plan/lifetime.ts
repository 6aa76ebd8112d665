/**
 * Session lifetimes (README "Session lifetimes"): which bounds apply to a session, and when and
 * why it expires. Pure.
 *
 * - The bounds: the spec's `lifetime` fields, else the controller's defaults; an upper bound in
 *   the configuration caps them, and a spec's `0` (no bound) is granted only where the
 *   configuration has no upper bound (otherwise the upper bound applies).
 * - The idle bound counts from the last activity (`touchSession`) or the start of the life
 *   (`spec.createdAt`), whichever is later; the maximum lifetime from the start of the life.
 *   The session expires at the earlier of the two: touches extend it, never past the maximum.
 */
import type { SessionSpec } from '../../desired/schema.js';
import { isExpired } from '../../desired/records.js';
import type { SessionEntry } from '../../desired/types.js';

/** The controller's lifetime settings, seconds; 0 = no bound (defaults) or no upper bound (maxima). */
export interface LifetimeLimits {
  idleTimeoutSeconds: number;
  idleTimeoutMaxSeconds: number;
  maxLifetimeSeconds: number;
  maxLifetimeMaxSeconds: number;
}

export const NO_LIFETIME_LIMITS: LifetimeLimits = { idleTimeoutSeconds: 0, idleTimeoutMaxSeconds: 0, maxLifetimeSeconds: 0, maxLifetimeMaxSeconds: 0 };

export type ExpiryReason = 'IdleTimeout' | 'MaxLifetimeExceeded';
export const EXPIRY_REASONS: readonly ExpiryReason[] = ['IdleTimeout', 'MaxLifetimeExceeded'];

export interface Expiry {
  /** When the session expires (epoch ms). */
  at: number;
  reason: ExpiryReason;
  /** The last activity the decision used (epoch ms; 0 = never touched): an expiry write is conditioned on it. */
  activity: number;
}

/** One bound in seconds (0 = none): asked, else the default; capped by `max` (> 0), which also replaces "none". */
export function effectiveBound(asked: number | undefined, dflt: number, max: number): number {
  const v = asked ?? dflt;
  return max > 0 && (v === 0 || v > max) ? max : v;
}

/** The bounds that apply to `spec`, seconds (0 = none). */
export function effectiveLifetime(spec: Pick<SessionSpec, 'lifetime'>, limits: LifetimeLimits): { idleTimeoutSeconds: number; maxLifetimeSeconds: number } {
  return {
    idleTimeoutSeconds: effectiveBound(spec.lifetime?.idleTimeoutSeconds, limits.idleTimeoutSeconds, limits.idleTimeoutMaxSeconds),
    maxLifetimeSeconds: effectiveBound(spec.lifetime?.maxLifetimeSeconds, limits.maxLifetimeSeconds, limits.maxLifetimeMaxSeconds),
  };
}

/** When and why the life of `spec` ends, given its last activity; undefined when it has no bound. */
export function sessionExpiry(spec: Pick<SessionSpec, 'lifetime' | 'createdAt'>, lastActivityAt: number | undefined, limits: LifetimeLimits): Expiry | undefined {
  const { idleTimeoutSeconds, maxLifetimeSeconds } = effectiveLifetime(spec, limits);
  const activity = lastActivityAt ?? 0;
  const idleEnd = idleTimeoutSeconds > 0 ? Math.max(activity, spec.createdAt) + idleTimeoutSeconds * 1000 : Infinity;
  const maxEnd = maxLifetimeSeconds > 0 ? spec.createdAt + maxLifetimeSeconds * 1000 : Infinity;
  if (idleEnd === Infinity && maxEnd === Infinity) return undefined;
  return maxEnd <= idleEnd ? { at: maxEnd, reason: 'MaxLifetimeExceeded', activity } : { at: idleEnd, reason: 'IdleTimeout', activity };
}

/** The expiry of an entry that still wants a task (live spec, not Expired already), else undefined. */
export function entryExpiry(entry: Pick<SessionEntry, 'spec' | 'status' | 'lastActivityAt'>, limits: LifetimeLimits): Expiry | undefined {
  const spec = entry.spec;
  if (!spec || spec.deleted || isExpired(spec, entry.status)) return undefined;
  return sessionExpiry(spec, entry.lastActivityAt, limits);
}

/** How many sessions are due to expire at `now` (the mass-expiry brake counts them at every full sync). */
export function dueExpiries(entries: Iterable<Pick<SessionEntry, 'spec' | 'status' | 'lastActivityAt'>>, limits: LifetimeLimits, now: number): number {
  let n = 0;
  for (const e of entries) {
    const x = entryExpiry(e, limits);
    if (x && x.at <= now) n++;
  }
  return n;
}

/** Human text of an expiry, for conditions and logs. */
export function expiryMessage(x: Expiry, spec: Pick<SessionSpec, 'lifetime' | 'createdAt'>, limits: LifetimeLimits): string {
  const b = effectiveLifetime(spec, limits);
  return x.reason === 'IdleTimeout'
    ? `no activity for ${b.idleTimeoutSeconds} s (idle timeout) since ${new Date(x.at - b.idleTimeoutSeconds * 1000).toISOString()}`
    : `maximum lifetime of ${b.maxLifetimeSeconds} s since ${new Date(spec.createdAt).toISOString()} reached`;
}
