/**
 * Session lifetimes in the schedule (README "Session lifetimes"): some sessions come with an
 * idle timeout (and some with a maximum lifetime too); the gateway touches them while its user
 * is active, a user may walk away (`abandon`: no more touches, the session expires) and come
 * back later (`resume`: ensureSession again, a new life when it had expired). Drawn from their
 * own generator, so the schedules seeds drew before lifetimes existed stay as they were.
 *
 * Bounds are kept small enough that every end falls inside the quiet period, and few enough
 * sessions end at once that the mass-expiry brake (at least RECONCILER_BRAKE_MIN_DROP = 10 in
 * one resync) is not what a run exercises; the brake has its own tests.
 */
import { randomInt, type Rng } from '../../src/common/rng.js';
import type { SchedEvent } from './schedule.js';

/** At most this many sessions of a run get a lifetime. */
export const MAX_LIFETIME_SESSIONS = 8;

/** Adds lifetimes to some creates, and abandon/resume events, to `events` (in place); returns how many sessions got one. */
export function addLifetimes(rng: Rng, faultPhaseMs: number, events: SchedEvent[], emphasis: boolean): number {
  let n = 0;
  const creates = events.filter((e): e is Extract<SchedEvent, { kind: 'create' }> => e.kind === 'create');
  for (const e of creates) {
    if (n >= MAX_LIFETIME_SESSIONS || rng.next() >= (emphasis ? 0.8 : 0.3)) continue;
    n++;
    const idleTimeoutSeconds = 20 + randomInt(rng, 41);
    e.lifetime = rng.next() < 0.3 ? { idleTimeoutSeconds, maxLifetimeSeconds: 40 + randomInt(rng, 81) } : { idleTimeoutSeconds };
    if (rng.next() >= (emphasis ? 0.7 : 0.4)) continue;
    const abandonAt = Math.round(e.at + rng.next() * Math.max(0, faultPhaseMs - e.at));
    events.push({ at: abandonAt, kind: 'abandon', id: e.id });
    if (rng.next() < 0.5) events.push({ at: Math.min(faultPhaseMs, abandonAt + idleTimeoutSeconds * 1000 + randomInt(rng, 30_000)), kind: 'resume', id: e.id });
  }
  return n;
}
