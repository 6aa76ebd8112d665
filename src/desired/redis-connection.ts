/**
 * Opens the Redis connection the desired-state layer uses, from the environment:
 *
 * - `REDIS_CLUSTER_NODES=host:port,host:port` — Redis Cluster (seed nodes);
 * - else `REDIS_SENTINELS=host:port,...` + `REDIS_SENTINEL_NAME=master` — Sentinel;
 * - else `REDIS_URL` — `redis://[user:password@]host:port[/db]`, `rediss://` for TLS;
 * - else `redis://127.0.0.1:6379`.
 * With Sentinel or Cluster, credentials and TLS come from `REDIS_URL` when it is also set
 * (its host is ignored) or from `REDIS_USERNAME` / `REDIS_PASSWORD` / `REDIS_TLS=1`;
 * Sentinels themselves authenticate with `REDIS_SENTINEL_PASSWORD` when set.
 * `REDIS_COMMAND_TIMEOUT_MS` (default 5000): a command that gets no reply in time fails
 * (RedisUnavailableError) instead of hanging.
 *
 * Reconnects forever with capped exponential backoff and full jitter (50 ms doubling, capped
 * at 5 s); while disconnected a command is retried on at most 2 reconnects, then fails.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { mathRandom, type Rng } from '../common/rng.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface RedisConnectionConfig {
  mode: 'standalone' | 'sentinel' | 'cluster';
  url?: string;
  sentinels?: HostPort[];
  sentinelName?: string;
  sentinelPassword?: string;
  clusterNodes?: HostPort[];
  username?: string;
  password?: string;
  tls?: boolean;
  /** Per-command reply deadline, ms. */
  commandTimeoutMs: number;
  /** TCP connect deadline, ms. */
  connectTimeoutMs: number;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;

/** Parses `host:port,host:port` (IPv6 as `[::1]:6379`). */
export function parseHostList(value: string, name: string): HostPort[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const m = s.match(/^\[?([^\]]+?)\]?:(\d{1,5})$/);
      if (!m) throw new Error(`${name}: "${s}" is not host:port`);
      return { host: m[1]!, port: Number(m[2]) };
    });
}

export function redisConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RedisConnectionConfig {
  const commandTimeoutMs = Number(env.REDIS_COMMAND_TIMEOUT_MS ?? DEFAULT_COMMAND_TIMEOUT_MS);
  if (!Number.isFinite(commandTimeoutMs) || commandTimeoutMs <= 0) throw new Error(`REDIS_COMMAND_TIMEOUT_MS: must be a positive number of ms`);
  const base = { commandTimeoutMs, connectTimeoutMs: 5000 };
  const fromUrl = env.REDIS_URL ? new URL(env.REDIS_URL) : undefined;
  const creds = {
    username: env.REDIS_USERNAME ?? (fromUrl?.username ? decodeURIComponent(fromUrl.username) : undefined),
    password: env.REDIS_PASSWORD ?? (fromUrl?.password ? decodeURIComponent(fromUrl.password) : undefined),
    tls: env.REDIS_TLS === '1' || env.REDIS_TLS === 'true' || fromUrl?.protocol === 'rediss:',
  };
  if (env.REDIS_CLUSTER_NODES) {
    return { ...base, ...creds, mode: 'cluster', clusterNodes: parseHostList(env.REDIS_CLUSTER_NODES, 'REDIS_CLUSTER_NODES') };
  }
  if (env.REDIS_SENTINELS) {
    if (!env.REDIS_SENTINEL_NAME) throw new Error('REDIS_SENTINEL_NAME: required when REDIS_SENTINELS is set');
    return { ...base, ...creds, mode: 'sentinel', sentinels: parseHostList(env.REDIS_SENTINELS, 'REDIS_SENTINELS'), sentinelName: env.REDIS_SENTINEL_NAME, sentinelPassword: env.REDIS_SENTINEL_PASSWORD };
  }
  return { ...base, mode: 'standalone', url: env.REDIS_URL ?? DEFAULT_REDIS_URL };
}

/** Full-jitter backoff: a random delay in [0, min(capMs, baseMs * 2^attempt)]. */
export function reconnectDelay(attempt: number, rng: Rng = mathRandom, baseMs = 50, capMs = 5000): number {
  return Math.round(rng.next() * Math.min(capMs, baseMs * 2 ** Math.min(attempt, 20)));
}

function commonOptions(config: RedisConnectionConfig, rng: Rng): RedisOptions {
  return {
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: 2,
    retryStrategy: (times: number) => reconnectDelay(times, rng),
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
    ...(config.tls ? { tls: {} } : {}),
  };
}

/**
 * Opens (lazily connecting) a Redis or Cluster client for `config`. Connection errors go to
 * `onError` (e.g. a log line); commands fail with their own errors either way.
 */
export function createRedisConnection(config: RedisConnectionConfig, rng: Rng = mathRandom, onError: (err: Error) => void = () => undefined): Redis | Cluster {
  const conn = open(config, rng);
  conn.on('error', onError);
  return conn;
}

function open(config: RedisConnectionConfig, rng: Rng): Redis | Cluster {
  const opts = commonOptions(config, rng);
  if (config.mode === 'cluster') {
    return new Cluster(config.clusterNodes ?? [], {
      redisOptions: opts,
      clusterRetryStrategy: (times: number) => reconnectDelay(times, rng),
      lazyConnect: true,
    });
  }
  if (config.mode === 'sentinel') {
    return new Redis({
      ...opts,
      sentinels: config.sentinels ?? [],
      name: config.sentinelName ?? '',
      ...(config.sentinelPassword ? { sentinelPassword: config.sentinelPassword } : {}),
      lazyConnect: true,
    });
  }
  const url = config.url ?? DEFAULT_REDIS_URL;
  return new Redis(url, { ...opts, lazyConnect: true });
}
