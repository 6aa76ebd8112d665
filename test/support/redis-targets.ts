/**
 * The Redis deployments a contract suite runs against, behind one shape: the shared test Redis
 * (`single`), or a private Sentinel group or 3+3 Cluster started for the test file. Connections
 * are opened the way production opens them (REDIS_* variables -> createRedisConnection), so a
 * suite exercises the same code paths on every topology.
 */
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import type { RedisLike } from '../../src/desired/lua.js';
import { createRedisConnection, redisConfigFromEnv } from '../../src/desired/redis-connection.js';
import { deleteByPrefix, testRedisUrl } from './redis.js';
import type { RedisServerProcess } from './redis-server.js';
import { startTopology, type RedisTopology, type TopologyKind } from './redis-topology.js';

export interface RedisTestTarget {
  kind: TopologyKind;
  /** Suite label: `redis`, `redis sentinel`, `redis cluster`. */
  label: string;
  /** REDIS_* variables for a daemon or client of this deployment. */
  env(): Record<string, string>;
  /** A connection as production opens it; the caller disconnects it. */
  connect(extraEnv?: Record<string, string>): RedisLike;
  /**
   * A plain connection to the node that serves hash tag `tag` (for CLIENT LIST / KILL and other
   * node-local commands); `server` is the process when the deployment is private.
   */
  nodeFor(tag: string): Promise<{ admin: Redis; server?: RedisServerProcess; close(): void }>;
  /** The private deployment, when there is one (failover tests). */
  topology(): RedisTopology | undefined;
  /** Deletes every key under `{prefix}` (all on one node: they share the hash tag). */
  cleanup(prefix: string): Promise<void>;
  /** Subscribers of `channel` over every node (PUBSUB NUMSUB is per node in a Cluster). */
  subscribers(channel: string): Promise<number>;
}

async function numsub(admin: Redis, channel: string): Promise<number> {
  const reply = (await admin.call('PUBSUB', 'NUMSUB', channel)) as [string, number];
  return Number(reply[1]);
}

function connectFrom(env: Record<string, string>, extraEnv: Record<string, string> = {}): RedisLike {
  const conn = createRedisConnection(redisConfigFromEnv({ ...env, ...extraEnv }));
  return conn;
}

/** The shared Redis of this test run (127.0.0.1:6379 or the global setup's private one). */
export const sharedRedisTarget: RedisTestTarget = {
  kind: 'single',
  label: 'redis',
  env: () => ({ REDIS_URL: testRedisUrl() }),
  connect: (extraEnv) => connectFrom({ REDIS_URL: testRedisUrl() }, extraEnv),
  nodeFor: async () => {
    const admin = connectFrom({ REDIS_URL: testRedisUrl() }) as Redis;
    return { admin, close: () => admin.disconnect() };
  },
  topology: () => undefined,
  subscribers: async (channel) => {
    const admin = connectFrom({ REDIS_URL: testRedisUrl() }) as Redis;
    try {
      return await numsub(admin, channel);
    } finally {
      admin.disconnect();
    }
  },
  cleanup: async (prefix) => {
    const admin = connectFrom({ REDIS_URL: testRedisUrl() }) as Redis;
    try {
      await deleteByPrefix(admin, `{${prefix}}`);
    } finally {
      admin.disconnect();
    }
  },
};

/**
 * Starts a private deployment of `kind` before the file's tests (stopped after them) and
 * returns it as a target. Call at the top level of a test file.
 */
export function useTopology(kind: Exclude<TopologyKind, 'single'>): RedisTestTarget {
  let topo: RedisTopology | undefined;
  beforeAll(async () => {
    topo = await startTopology(kind);
  }, 120_000);
  afterAll(async () => {
    await topo?.stop();
  }, 60_000);
  const started = (): RedisTopology => {
    if (!topo) throw new Error(`the ${kind} deployment is not started (use the target inside tests)`);
    return topo;
  };
  const nodeFor = async (tag: string): Promise<{ admin: Redis; server: RedisServerProcess; close(): void }> => {
    const { master } = await started().shardOf(tag);
    const admin = master.admin();
    return { admin, server: master, close: () => admin.disconnect() };
  };
  return {
    kind,
    label: `redis ${kind}`,
    env: () => started().env,
    connect: (extraEnv) => started().connect(extraEnv),
    nodeFor,
    topology: () => topo,
    subscribers: async (channel) => {
      let n = 0;
      for (const server of started().servers.filter((x) => x.running)) {
        const admin = server.admin();
        try {
          n += await numsub(admin, channel).catch(() => 0);
        } finally {
          admin.disconnect();
        }
      }
      return n;
    },
    cleanup: async (prefix) => {
      if (!topo) return;
      const node = await nodeFor(`{${prefix}}`).catch(() => undefined);
      if (!node) return;
      try {
        await deleteByPrefix(node.admin, `{${prefix}}`);
      } finally {
        node.close();
      }
    },
  };
}
