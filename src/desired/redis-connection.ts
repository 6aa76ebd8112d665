/**
 * Opens the Redis connection the desired-state layer uses, from the environment:
 *
 * - `REDIS_CLUSTER_NODES=host:port,host:port` — Redis Cluster (seed nodes);
 * - else `REDIS_SENTINELS=host:port,...` + `REDIS_SENTINEL_NAME=master` — Sentinel;
 * - else `REDIS_URL` — `redis://[user:password@]host:port[/db]`, `rediss://` for TLS;
 * - else `redis://127.0.0.1:6379`.
 * In every mode `REDIS_USERNAME`, `REDIS_PASSWORD` and `REDIS_TLS` override what `REDIS_URL`
 * says (with Sentinel or Cluster only REDIS_URL's credentials and scheme are used, its host is
 * ignored); Sentinels themselves authenticate with `REDIS_SENTINEL_PASSWORD` when set.
 * TLS is never dropped silently: `REDIS_TLS=false` with a `rediss://` URL is an error.
 * `REDIS_COMMAND_TIMEOUT_MS` (default 5000): a command that gets no reply in time fails
 * (RedisUnavailableError) instead of hanging.
 * `REDIS_WAIT_REPLICAS` / `REDIS_WAIT_TIMEOUT_MS`: replica acknowledgement of writes that must
 * survive a failover (redis-durability.ts); default 1 replica within 1000 ms for Sentinel and
 * Cluster, off (0) for a single Redis.
 *
 * Reconnects forever with capped exponential backoff and full jitter (50 ms doubling, capped
 * at 5 s); while disconnected a command is retried on at most 2 reconnects, then fails. A
 * `READONLY` reply (the node became a replica: a failover behind one endpoint) makes the
 * connection reconnect, so the next command goes to the current primary.
 *
 * Every problem with the variables is an error that names the variable; values are echoed with
 * their credentials masked.
 */
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { mathRandom, type Rng } from '../common/rng.js';
import { RetryPolicy } from '../common/retry-policy.js';
import { setReplicaAck, type ReplicaAck } from './redis-durability.js';
import { setConnectionTarget } from './redis-target.js';

export interface HostPort {
  host: string;
  port: number;
}

export interface RedisConnectionConfig {
  mode: 'standalone' | 'sentinel' | 'cluster';
  /** Standalone: the server's host and port, and the database number. */
  host?: string;
  port?: number;
  db?: number;
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
  /** Replica acknowledgement of durable writes (leader terms, spec writes). */
  replicaAck: ReplicaAck;
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_COMMAND_TIMEOUT_MS = 5000;
export const DEFAULT_WAIT_TIMEOUT_MS = 1000;

/** A problem with one REDIS_* variable; `variable` names it. */
export class RedisConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'RedisConfigError';
  }
}

/** `value` with any `user:password@` part masked, for messages. */
export function maskCredentials(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^@/]*@/i, (_m, scheme: string | undefined) => `${scheme ?? ''}***@`);
}

/** Parses `host:port,host:port` (IPv6 as `[::1]:6379`). */
export function parseHostList(value: string, name: string): HostPort[] {
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const m = s.match(/^\[?([^\]]+?)\]?:(\d{1,5})$/);
      if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new RedisConfigError(name, `"${s}" is not host:port`);
      return { host: m[1]!, port: Number(m[2]) };
    });
  if (list.length === 0) throw new RedisConfigError(name, 'lists no host:port');
  return list;
}

interface ParsedUrl {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
}

/** Parses REDIS_URL strictly: a scheme of redis:// or rediss://, a host, an optional port and db. */
export function parseRedisUrl(value: string, variable = 'REDIS_URL'): ParsedUrl {
  const shown = maskCredentials(value);
  const hint = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? '' : ` (did you mean redis://${shown}?)`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new RedisConfigError(variable, `"${shown}" is not a URL; expected redis://[user:password@]host[:port][/db] or rediss://...${hint}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new RedisConfigError(variable, `"${shown}" has scheme "${url.protocol}", expected redis:// or rediss://${hint}`);
  }
  if (!url.hostname) throw new RedisConfigError(variable, `"${shown}" names no host`);
  const dbText = url.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new RedisConfigError(variable, `"${shown}": database "${dbText}" is not a number`);
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port ? Number(url.port) : 6379,
    db,
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    tls: url.protocol === 'rediss:',
  };
}

function parseTls(raw: string | undefined, urlTls: boolean): boolean {
  if (raw === undefined || raw === '') return urlTls;
  const v = raw.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') {
    if (urlTls) throw new RedisConfigError('REDIS_TLS', `"${raw}" contradicts the rediss:// scheme of REDIS_URL; TLS is never turned off silently (use redis:// for plaintext)`);
    return false;
  }
  throw new RedisConfigError('REDIS_TLS', `"${raw}" is not true, false, 1 or 0`);
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new RedisConfigError(name, `"${raw}" must be an integer >= ${min}`);
  return n;
}

/** Reads the REDIS_* variables; throws RedisConfigError naming the first bad one. */
export function redisConfigFromEnv(env: NodeJS.ProcessEnv = process.env): RedisConnectionConfig {
  const commandTimeoutMs = positiveInt(env, 'REDIS_COMMAND_TIMEOUT_MS', DEFAULT_COMMAND_TIMEOUT_MS, 1);
  const fromUrl = env.REDIS_URL ? parseRedisUrl(env.REDIS_URL) : undefined;
  const username = env.REDIS_USERNAME || fromUrl?.username;
  const password = env.REDIS_PASSWORD || fromUrl?.password;
  const creds = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    tls: parseTls(env.REDIS_TLS, fromUrl?.tls ?? false),
  };
  const replicated = Boolean(env.REDIS_CLUSTER_NODES || env.REDIS_SENTINELS);
  const replicaAck: ReplicaAck = {
    replicas: positiveInt(env, 'REDIS_WAIT_REPLICAS', replicated ? 1 : 0, 0),
    timeoutMs: positiveInt(env, 'REDIS_WAIT_TIMEOUT_MS', DEFAULT_WAIT_TIMEOUT_MS, 1),
  };
  // The server waits up to this long before it answers; the other half of the client's timeout is
  // the margin for that answer to be read through an event-loop pause (the rule of hint reads, hintBlockMs).
  if (replicaAck.replicas > 0 && replicaAck.timeoutMs * 2 > commandTimeoutMs) {
    throw new RedisConfigError('REDIS_WAIT_TIMEOUT_MS', `${replicaAck.timeoutMs} must be at most half of REDIS_COMMAND_TIMEOUT_MS (${commandTimeoutMs}), or an answered WAIT can time out on the client during an event-loop pause`);
  }
  const base = { commandTimeoutMs, connectTimeoutMs: 5000, replicaAck, ...creds };
  if (env.REDIS_CLUSTER_NODES) {
    return { ...base, mode: 'cluster', clusterNodes: parseHostList(env.REDIS_CLUSTER_NODES, 'REDIS_CLUSTER_NODES') };
  }
  if (env.REDIS_SENTINELS) {
    if (!env.REDIS_SENTINEL_NAME) throw new RedisConfigError('REDIS_SENTINEL_NAME', 'required when REDIS_SENTINELS is set');
    return {
      ...base,
      mode: 'sentinel',
      sentinels: parseHostList(env.REDIS_SENTINELS, 'REDIS_SENTINELS'),
      sentinelName: env.REDIS_SENTINEL_NAME,
      ...(env.REDIS_SENTINEL_PASSWORD ? { sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : {}),
    };
  }
  const at = fromUrl ?? parseRedisUrl(DEFAULT_REDIS_URL);
  return { ...base, mode: 'standalone', host: at.host, port: at.port, db: at.db };
}

/** Where `config` points, for messages and logs (never credentials). */
export function describeRedisTarget(config: RedisConnectionConfig): string {
  const hosts = (l: HostPort[] | undefined): string => (l ?? []).map((h) => `${h.host}:${h.port}`).join(',');
  const scheme = config.tls ? 'rediss' : 'redis';
  if (config.mode === 'cluster') return `cluster ${scheme}://${hosts(config.clusterNodes)}`;
  if (config.mode === 'sentinel') return `sentinel master "${config.sentinelName}" via ${hosts(config.sentinels)}`;
  return `${scheme}://${config.host}:${config.port}${config.db ? `/${config.db}` : ''}`;
}

/**
 * Delay before reconnect attempt `attempt` (ioredis counts from 1), ms: the project's retry
 * policy (src/common/retry-policy.ts), uniform in [0, min(capMs, baseMs * 2^attempt)).
 */
export function reconnectDelay(attempt: number, rng: Rng = mathRandom, baseMs = 50, capMs = 5000): number {
  return Math.round(new RetryPolicy({ baseMs, capMs, rng }).delayMs(attempt));
}

/** Reply errors after which the connection reconnects (and resends the command): the node is no primary now. */
const RECONNECT_ON = /^(READONLY|MASTERDOWN|LOADING)\b/;

function commonOptions(config: RedisConnectionConfig, rng: Rng): RedisOptions {
  return {
    commandTimeout: config.commandTimeoutMs,
    connectTimeout: config.connectTimeoutMs,
    maxRetriesPerRequest: 2,
    retryStrategy: (times: number) => reconnectDelay(times, rng),
    reconnectOnError: (err: Error) => (RECONNECT_ON.test(err.message) ? 2 : false),
    ...(config.username ? { username: config.username } : {}),
    ...(config.password ? { password: config.password } : {}),
    ...(config.tls ? { tls: {} } : {}),
  };
}

/**
 * Opens (lazily connecting) a Redis or Cluster client for `config`. Connection errors go to
 * `onError` (e.g. a log line), once per distinct cause until the connection is ready again;
 * commands fail with typed errors that name the target and the last connection error.
 */
export function createRedisConnection(config: RedisConnectionConfig, rng: Rng = mathRandom, onError: (err: Error, target: string) => void = () => undefined): Redis | Cluster {
  const conn = open(config, rng);
  const target = describeRedisTarget(config);
  const state = setConnectionTarget(conn, target);
  setReplicaAck(conn, config.replicaAck);
  let reported: string | undefined;
  conn.on('error', (err: Error) => {
    state.lastError = err;
    const key = `${(err as { code?: string }).code ?? ''} ${err.message}`;
    if (key === reported) return;
    reported = key;
    onError(err, target);
  });
  conn.on('ready', () => {
    reported = undefined;
  });
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
  return new Redis({ ...opts, host: config.host ?? '127.0.0.1', port: config.port ?? 6379, db: config.db ?? 0, lazyConnect: true });
}
