/**
 * Runs a pipeline that must reach the node serving one key, on any topology. A Cluster client
 * retries a pipeline on MOVED/ASK only when every other command in it is read-only; pipelines
 * that pair a keyed command with a keyless one for the same node (ROLE, WAIT, CLIENT GETNAME)
 * would otherwise keep going to a node that no longer serves the slot after a failover. Here a
 * redirection refreshes the Cluster's slot map and the pipeline is sent again (at most twice).
 */
import { Cluster, type ChainableCommander } from 'ioredis';
import type { RedisLike } from './lua.js';

type Replies = Array<[Error | null, unknown]>;

const REDIRECTED = /^(MOVED|ASK|CLUSTERDOWN|TRYAGAIN)\b/;
const ATTEMPTS = 3;

function refreshSlots(cluster: Cluster): Promise<void> {
  return new Promise((resolve) => cluster.refreshSlotsCache(() => resolve()));
}

/** Builds and runs the pipeline `build` fills; resolves with its replies (errors per command, as ioredis gives them). */
export async function execRouted(redis: RedisLike, build: (p: ChainableCommander) => void): Promise<Replies> {
  for (let attempt = 1; ; attempt++) {
    const pipe = redis.pipeline();
    build(pipe);
    const replies = ((await pipe.exec()) ?? []) as Replies;
    const redirected = replies.some(([err]) => err && REDIRECTED.test(err.message));
    if (!redirected || !(redis instanceof Cluster) || attempt >= ATTEMPTS) return replies;
    await refreshSlots(redis);
  }
}
