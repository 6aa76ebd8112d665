/**
 * What readiness checks and metrics need to know about leadership, as a narrow port: the HTTP
 * server's /readyz and the `leader_election_master_status` gauge plug these functions in, without
 * knowing about the elector. A replica is ready when it knows who leads (its last lease attempt
 * got an answer from Redis) and is not shutting down; being a follower is still ready.
 */
export interface LeadershipProbe {
  /** The last acquire/renew got an answer from Redis (false while Redis is unreachable or after stop). */
  leadershipKnown(): boolean;
  isLeader(): boolean;
  /** `leader_election_master_status`: 1 while leader, else 0. */
  masterStatus(): 0 | 1;
  /** Current fencing epoch of this replica's (last) term. */
  fencingToken(): number;
}

/** The lease name, as the `name` label of `leader_election_master_status`. */
export const LEASE_NAME = 'esr-reconciler';

/** A probe for a daemon that runs without leader election: always the (only) leader. */
export function soleLeaderProbe(fencingToken: () => number): LeadershipProbe {
  return { leadershipKnown: () => true, isLeader: () => true, masterStatus: () => 1, fencingToken };
}

/** A readiness check result in the usual shape: ok, plus a message for humans. */
export function leadershipReadiness(probe: LeadershipProbe): { ok: boolean; message: string } {
  if (!probe.leadershipKnown()) return { ok: false, message: 'leadership unknown: the lease could not be read from Redis' };
  return { ok: true, message: probe.isLeader() ? `leader (epoch ${probe.fencingToken()})` : 'follower' };
}
