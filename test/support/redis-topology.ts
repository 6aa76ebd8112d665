/**
 * Private Redis deployments for tests, as production runs them, on free loopback ports:
 * - `single`: one `redis-server`;
 * - `sentinel`: a master, one replica and 3 Sentinels (quorum 2, down-after 2 s);
 * - `cluster`: a 3+3 Redis Cluster (node-timeout 2 s).
 * `env` holds the variables the daemon and the client read (REDIS_URL / REDIS_SENTINELS +
 * REDIS_SENTINEL_NAME / REDIS_CLUSTER_NODES), and `connect()` opens a connection the way
 * production does (src/desired/redis-connection.ts), so tests run the same code paths.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRedisConnection, redisConfigFromEnv } from '../../src/desired/redis-connection.js';
import type { RedisLike } from '../../src/desired/lua.js';
import { eventually, tolerant } from './eventually.js';
import { adminCall, RedisServerProcess } from './redis-server.js';

const run = promisify(execFile);

export type TopologyKind = 'single' | 'sentinel' | 'cluster';
export const TOPOLOGY_KINDS: readonly TopologyKind[] = ['single', 'sentinel', 'cluster'];
export const SENTINEL_MASTER_NAME = 'esrmaster';
/** Failure detection of both topologies, ms (cluster-node-timeout, down-after-milliseconds). */
export const FAILURE_DETECTION_MS = 2000;

export interface Shard {
  master: RedisServerProcess;
  replicas: RedisServerProcess[];
}

export interface RedisTopology {
  kind: TopologyKind;
  /** REDIS_* variables that point the daemon and the client at this deployment. */
  env: Record<string, string>;
  /** The data nodes (masters and replicas), in start order. */
  servers: RedisServerProcess[];
  sentinels: RedisServerProcess[];
  /** A connection as production opens it from `env` (plus `extraEnv`); the caller closes it. */
  connect(extraEnv?: Record<string, string>): RedisLike;
  /** The master currently serving `key` and its replicas, as the deployment itself reports it. */
  shardOf(key: string): Promise<Shard>;
  /** Resolves once the deployment serves writes for `key` with every running node attached. */
  awaitHealthy(key: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}


function byPort(servers: RedisServerProcess[], port: number): RedisServerProcess {
  const s = servers.find((x) => x.port === port);
  if (!s) throw new Error(`no server of this topology listens on ${port}`);
  return s;
}

function base(kind: TopologyKind, env: Record<string, string>, servers: RedisServerProcess[], sentinels: RedisServerProcess[]): Pick<RedisTopology, 'kind' | 'env' | 'servers' | 'sentinels' | 'connect' | 'stop'> {
  return {
    kind,
    env,
    servers,
    sentinels,
    connect: (extraEnv = {}) => createRedisConnection(redisConfigFromEnv({ ...env, ...extraEnv })),
    stop: async () => {
      await Promise.all([...sentinels, ...servers].map((s) => s.stop()));
    },
  };
}

async function startSingle(): Promise<RedisTopology> {
  const server = await RedisServerProcess.start();
  return {
    ...base('single', { REDIS_URL: server.url }, [server], []),
    shardOf: async () => ({ master: server, replicas: [] }),
    awaitHealthy: async (_key, timeoutMs = 10_000) => {
      await eventually('redis answers', tolerant(() => adminCall(server, async (r) => (await r.ping()) === 'PONG')), timeoutMs, 100);
    },
  };
}

async function linkUp(replica: RedisServerProcess): Promise<boolean> {
  if (!replica.running) return true;
  const info = await adminCall(replica, (r) => r.info('replication'));
  return /role:slave/.test(info) && /master_link_status:up/.test(info);
}

async function startSentinel(): Promise<RedisTopology> {
  const master = await RedisServerProcess.start();
  const replica = await RedisServerProcess.start({ args: ['--replicaof', '127.0.0.1', String(master.port)] });
  const servers = [master, replica];
  await eventually('the replica is in sync', tolerant(() => linkUp(replica)), 20_000, 100);
  const conf = [
    `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${master.port} 2`,
    `sentinel down-after-milliseconds ${SENTINEL_MASTER_NAME} ${FAILURE_DETECTION_MS}`,
    `sentinel failover-timeout ${SENTINEL_MASTER_NAME} 10000`,
    `sentinel parallel-syncs ${SENTINEL_MASTER_NAME} 1`,
  ].join('\n');
  const sentinels = await Promise.all([0, 1, 2].map(() => RedisServerProcess.start({ sentinelConfig: conf })));
  const masterInfo = async (s: RedisServerProcess): Promise<Record<string, string>> => {
    const flat = (await adminCall(s, (r) => r.call('SENTINEL', 'MASTER', SENTINEL_MASTER_NAME))) as string[];
    const out: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!] = flat[i + 1]!;
    return out;
  };
  const env = { REDIS_SENTINELS: sentinels.map((s) => s.address).join(','), REDIS_SENTINEL_NAME: SENTINEL_MASTER_NAME };
  const shardOf = async (): Promise<Shard> => {
    for (const s of sentinels.filter((x) => x.running)) {
      const addr = (await adminCall(s, (r) => r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_MASTER_NAME)).catch(() => null)) as string[] | null;
      if (addr) {
        const m = byPort(servers, Number(addr[1]));
        return { master: m, replicas: servers.filter((x) => x !== m) };
      }
    }
    throw new Error('no sentinel answers');
  };
  const topo: RedisTopology = {
    ...base('sentinel', env, servers, sentinels),
    shardOf,
    awaitHealthy: async (_key, timeoutMs = 30_000) => {
      await eventually('sentinels agree on a master that has every running replica attached', tolerant(async () => {
        const { master: m, replicas } = await shardOf();
        if (!m.running) return false;
        const role = await adminCall(m, (r) => r.info('replication'));
        if (!/role:master/.test(role)) return false;
        for (const r of replicas) if (!(await linkUp(r))) return false;
        for (const s of sentinels) {
          const info = await masterInfo(s);
          if (Number(info.port) !== m.port || info.flags !== 'master') return false;
          if (Number(info['num-other-sentinels']) < sentinels.length - 1) return false;
          if (Number(info['num-slaves']) < replicas.length) return false;
        }
        return true;
      }), timeoutMs, 100);
    },
  };
  await topo.awaitHealthy('');
  return topo;
}

interface SlotRange {
  from: number;
  to: number;
  ports: number[];
}

async function clusterSlots(servers: RedisServerProcess[]): Promise<SlotRange[]> {
  for (const s of servers.filter((x) => x.running)) {
    const slots = (await adminCall(s, (r) => r.call('CLUSTER', 'SLOTS')).catch(() => null)) as Array<[number, number, ...Array<[string, number, string]>]> | null;
    if (slots) return slots.map(([from, to, ...nodes]) => ({ from, to, ports: nodes.map((n) => Number(n[1])) }));
  }
  throw new Error('no cluster node answers CLUSTER SLOTS');
}

async function startCluster(): Promise<RedisTopology> {
  const args = ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', String(FAILURE_DETECTION_MS), '--cluster-replica-validity-factor', '0'];
  const servers = await Promise.all(Array.from({ length: 6 }, () => RedisServerProcess.start({ args })));
  await run('redis-cli', ['--cluster', 'create', ...servers.map((s) => s.address), '--cluster-replicas', '1', '--cluster-yes'], { timeout: 60_000 });
  const env = { REDIS_CLUSTER_NODES: servers.map((s) => s.address).join(',') };
  const shardOf = async (key: string): Promise<Shard> => {
    const live = servers.find((x) => x.running);
    if (!live) throw new Error('every cluster node is down');
    const slot = Number(await adminCall(live, (r) => r.call('CLUSTER', 'KEYSLOT', key)));
    const range = (await clusterSlots(servers)).find((r) => slot >= r.from && slot <= r.to);
    if (!range) throw new Error(`slot ${slot} of ${key} is not served`);
    return { master: byPort(servers, range.ports[0]!), replicas: range.ports.slice(1).map((p) => byPort(servers, p)) };
  };
  const topo: RedisTopology = {
    ...base('cluster', env, servers, []),
    shardOf,
    awaitHealthy: async (key, timeoutMs = 30_000) => {
      await eventually('every running node says cluster_state:ok and the key\'s master has its replica in sync', tolerant(async () => {
        for (const s of servers.filter((x) => x.running)) {
          const info = await adminCall(s, (r) => r.call('CLUSTER', 'INFO')) as string;
          if (!/cluster_state:ok/.test(info)) return false;
        }
        const ranges = await clusterSlots(servers);
        const running = servers.filter((x) => x.running).length;
        if (ranges.reduce((n, r) => n + r.ports.length, 0) < running) return false; // every running node serves a range
        for (const range of ranges) if (range.ports.length < 2) return false;
        const { master, replicas } = await shardOf(key);
        if (!master.running || !/role:master/.test(await adminCall(master, (r) => r.info('replication')))) return false;
        for (const r of replicas) if (!(await linkUp(r))) return false;
        return true;
      }), timeoutMs, 100);
    },
  };
  await topo.awaitHealthy('{esr}');
  return topo;
}

/** Starts a private deployment of `kind`; the caller stops it (by PID) with `stop()`. */
export async function startTopology(kind: TopologyKind): Promise<RedisTopology> {
  if (kind === 'single') return startSingle();
  if (kind === 'sentinel') return startSentinel();
  return startCluster();
}
