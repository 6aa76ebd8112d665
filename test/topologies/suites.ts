/**
 * The Redis contract suites (desired store, warm store, gateway client, leader election and
 * fencing, session events) on a private deployment of one topology, started once for the
 * calling test file on free loopback ports (test/support/redis-topology.ts) and stopped by PID.
 */
import { redisClientSetup, sessionClientContract } from '../desired/client-contract.js';
import { desiredStoreContract } from '../desired/contract.js';
import { redisHarnessOn } from '../desired/redis-harness.js';
import { warmStoreContract } from '../desired/warm-contract.js';
import { redisSessionEventsContract } from '../events/events-contract.js';
import { leaderElectorContract } from '../leader/leader-contract.js';
import { useTopology } from '../support/redis-targets.js';
import type { TopologyKind } from '../support/redis-topology.js';

export function redisContractSuites(kind: Exclude<TopologyKind, 'single'>): void {
  const target = useTopology(kind);
  desiredStoreContract(target.label, redisHarnessOn(target));
  warmStoreContract(target.label, redisHarnessOn(target));
  sessionClientContract(target.label, redisClientSetup(target));
  leaderElectorContract(target);
  redisSessionEventsContract(target);
}
