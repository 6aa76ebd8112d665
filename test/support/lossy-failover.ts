/**
 * A failover that loses acknowledged writes, on one machine: pause the replica (SIGSTOP), write
 * a large value on the master so the replication stream backs up behind it, let the workload
 * write for a while (all of it acknowledged by the master, none of it on the replica), SIGKILL
 * the master, resume the replica (SIGCONT). The deployment (Sentinel or Cluster) promotes the
 * replica, which never saw those writes. The old master is then restarted empty and rejoins
 * as a replica, so the deployment is whole again.
 */
import { adminCall, type RedisServerProcess } from './redis-server.js';
import { eventually, tolerant } from './eventually.js';
import type { RedisTopology } from './redis-topology.js';

export interface LossyFailoverOptions {
  /** A hash tag such as `{esr}`: the shard that serves it is the one failed over. */
  tag: string;
  /** Size of the value that backs up replication, bytes (default 48 MiB). */
  backlogBytes?: number;
  /** The workload's writes while the replica is paused; they are what the failover loses. */
  whileStalled?: () => Promise<void>;
  /** Called right after the master is killed (before the replica resumes). */
  afterKill?: () => Promise<void> | void;
  /** Longest wait for the promotion, ms. */
  promotionTimeoutMs?: number;
}

export interface LossyFailoverResult {
  oldMaster: RedisServerProcess;
  newMaster: RedisServerProcess;
  /** A key written after the backlog (acknowledged by the old master) is absent on the new one. */
  lostWrites: boolean;
  /** From SIGKILL of the master to the promoted replica answering as master, ms. */
  promotionMs: number;
}

export async function lossyFailover(topo: RedisTopology, o: LossyFailoverOptions): Promise<LossyFailoverResult> {
  const { master, replicas } = await topo.shardOf(o.tag);
  const replica = replicas[0];
  if (!replica) throw new Error(`the shard of ${o.tag} has no replica to fail over to`);
  const probeKey = `${o.tag}:lossy:probe`;
  replica.signal('SIGSTOP');
  try {
    await adminCall(master, async (r) => {
      await r.set(`${o.tag}:lossy:backlog`, Buffer.alloc(o.backlogBytes ?? 48 * 1024 * 1024, 120));
      await r.set(probeKey, String(Date.now()));
    });
    await o.whileStalled?.();
    await master.kill();
    await o.afterKill?.();
  } finally {
    replica.signal('SIGCONT');
  }
  const killedAt = Date.now();
  await eventually(`${topo.kind} promotes the replica on ${replica.address}`, tolerant(async () => {
    const now = await topo.shardOf(o.tag);
    if (now.master !== replica) return false;
    return /role:master/.test(await adminCall(replica, (r) => r.info('replication')));
  }), o.promotionTimeoutMs ?? 40_000, 50);
  const promotionMs = Date.now() - killedAt;
  const lostWrites = (await adminCall(replica, (r) => r.exists(probeKey))) === 0;
  await master.restart();
  await topo.awaitHealthy(o.tag, 60_000);
  return { oldMaster: master, newMaster: replica, lostWrites, promotionMs };
}
