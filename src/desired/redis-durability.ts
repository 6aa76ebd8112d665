/**
 * Replica acknowledgement ("acknowledged means durable"): after a write that must survive a
 * failover, `WAIT numreplicas timeout` asks the master how many replicas have received every
 * write this connection made. Used after a leader acquisition (a term is not acted on before its
 * epoch is on a replica) and after gateway spec writes.
 *
 * The setting travels with the connection (createRedisConnection registers it), so every user of
 * a connection applies the same rule without extra wiring. WAIT is sent in one pipeline with a
 * command on the written key, so a Cluster routes it to the master that took the write.
 */
import type { RedisLike } from './lua.js';
import { execRouted } from './redis-pipeline.js';

/** How many replicas must acknowledge, and how long to wait for them, ms. `replicas: 0` = off. */
export interface ReplicaAck {
  replicas: number;
  timeoutMs: number;
}

export const NO_REPLICA_ACK: Readonly<ReplicaAck> = Object.freeze({ replicas: 0, timeoutMs: 0 });

const registry = new WeakMap<object, ReplicaAck>();

/** Records the acknowledgement rule of `conn` (its duplicates do not inherit it). */
export function setReplicaAck(conn: RedisLike, ack: ReplicaAck): void {
  registry.set(conn, ack);
}

/** The acknowledgement rule of `conn`; off unless set. */
export function replicaAckOf(conn: RedisLike): ReplicaAck {
  return registry.get(conn) ?? NO_REPLICA_ACK;
}

/**
 * Waits until `ack.replicas` replicas hold every write this connection made, at most
 * `ack.timeoutMs`. `key` routes the wait to the master of its slot (Cluster). Resolves with the
 * number of replicas that acknowledged (`ack.replicas` or more when satisfied); resolves at once
 * with Infinity when the rule is off.
 */
export async function awaitReplicas(conn: RedisLike, key: string, ack: ReplicaAck): Promise<number> {
  if (ack.replicas <= 0) return Infinity;
  const replies = await execRouted(conn, (p) => p.exists(key).wait(ack.replicas, ack.timeoutMs));
  const [err, acked] = replies[1] ?? [new Error('no reply to WAIT'), 0];
  if (err) throw err;
  return Number(acked);
}
