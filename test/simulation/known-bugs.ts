/**
 * Violations the simulation found in code this suite does not own, reported to its owners and
 * not fixed yet. A known bug is recognised by its invariant and message; the CI budget reports
 * it loudly but does not fail on it (SIM_STRICT=1 fails on it too). Anything else fails.
 * Remove an entry when its fix lands (the CI budget then holds the fix in place).
 */
import type { Violation } from './invariants.js';

export interface KnownBug {
  id: string;
  invariant: number;
  pattern: RegExp;
  summary: string;
  /** A seed that shows it (at the commit that recorded it). */
  example: string;
}

export const KNOWN_BUGS: readonly KnownBug[] = [
  {
    id: 'stale-resync-overwrites-newer-spec',
    invariant: 6,
    pattern: /^status of \S+ regressed: observedGeneration/,
    summary:
      'Controller.doFullSync reads the desired snapshot at the start of the sync and the observed one after it; when the observed read is slow, hints ' +
      'delivered in between (a newer generation, a delete) are overwritten by ControllerCache.replaceDesired, which keeps newer statuses but not newer ' +
      'specs. The controller then acts on the older generation until the next hint or resync: it writes observedGeneration backwards and can launch from ' +
      'a superseded spec (even for a session deleted and recreated meanwhile).',
    example: 'npm run simulate -- --seed 93 --verbose (and seeds 15, 33, 56, 70, 94, 95, 96 of 1..100)',
  },
];

export function knownBugOf(v: Violation | undefined): KnownBug | undefined {
  if (!v) return undefined;
  return KNOWN_BUGS.find((b) => b.invariant === v.invariant && b.pattern.test(v.message));
}
