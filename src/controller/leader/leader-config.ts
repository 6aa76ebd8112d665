/** Start-up checks of the leader-election settings against each other and the call budgets. */
import type { TimeoutsConfig } from '../resilience/index.js';
import { leaderTimingProblems } from './leader-elector.js';

/** The longest budget a mutating AWS call gets, ms (StopTask uses the read budget). */
export function longestMutatingBudgetMs(t: TimeoutsConfig): number {
  const s = t.steps;
  return Math.max(s.runTask, s.tagResource, s.registerTaskDefinition, s.ensureAccessPoint, t.readCallMs);
}

/**
 * Every problem with the leader settings: lease > renew deadline > retry, and a lease after a
 * renewal (lease - retry) long enough for the longest mutating call — otherwise the leader could
 * never pass the lease gate and would make no progress at all.
 */
export function leaderConfigProblems(v: { leaderLeaseMs: number; leaderRenewDeadlineMs: number; leaderRetryMs: number }, timeouts: TimeoutsConfig): string[] {
  const problems = leaderTimingProblems({ leaseMs: v.leaderLeaseMs, renewDeadlineMs: v.leaderRenewDeadlineMs, retryMs: v.leaderRetryMs }).map(
    (p) => `RECONCILER_LEADER_*: ${p}`,
  );
  const longest = longestMutatingBudgetMs(timeouts);
  if (v.leaderLeaseMs - v.leaderRetryMs < longest) {
    problems.push(`RECONCILER_LEADER_LEASE_MS=${v.leaderLeaseMs}: minus the retry period (${v.leaderRetryMs} ms) it must cover the longest mutating call budget (${longest} ms, RECONCILER_TIMEOUTS); raise the lease or lower the budgets`);
  }
  return problems;
}
