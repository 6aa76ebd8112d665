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

export const KNOWN_BUGS: readonly KnownBug[] = [];

export function knownBugOf(v: Violation | undefined): KnownBug | undefined {
  if (!v) return undefined;
  return KNOWN_BUGS.find((b) => b.invariant === v.invariant && b.pattern.test(v.message));
}
