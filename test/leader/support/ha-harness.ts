/**
 * Helpers for the real-process HA tests: a counting HTTP proxy in front of the simulator (one
 * per controller process, so mutating calls are counted per replica at the simulator's door),
 * the environment with short leader timings, the lease holder's pid, and duplicate counting.
 */
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { leaseKeys } from '../../../src/controller/leader/lease-scripts.js';
import { TAG } from '../../../src/observed/model.js';
import type { SimCore } from '../../../src/sim/core.js';

const MUTATING_ECS = new Set(['RunTask', 'StopTask', 'TagResource', 'RegisterTaskDefinition']);

export interface CountingProxy {
  url: string;
  /** Mutating calls forwarded, by operation. */
  mutating: Map<string, number>;
  mutatingTotal(): number;
  close(): Promise<void>;
}

/** Forwards every request to `target` and counts the mutating ones (ECS by X-Amz-Target, EFS by method). */
export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const t = new URL(target);
  const mutating = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const op = String(req.headers['x-amz-target'] ?? '').split('.')[1] ?? `${req.method} ${req.url}`;
    if (MUTATING_ECS.has(op) || (!req.headers['x-amz-target'] && req.method !== 'GET')) mutating.set(op, (mutating.get(op) ?? 0) + 1);
    const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    mutating,
    mutatingTotal: () => [...mutating.values()].reduce((a, b) => a + b, 0),
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** Short leader timings and call budgets so a takeover takes ~2 s (lease - retry >= longest budget). */
export const HA_ENV: Record<string, string> = {
  RECONCILER_HTTP_PORT: '0', // two replicas on one host
  RECONCILER_LEADER_LEASE_MS: '1500',
  RECONCILER_LEADER_RENEW_DEADLINE_MS: '1000',
  RECONCILER_LEADER_RETRY_MS: '200',
  RECONCILER_TIMEOUTS: JSON.stringify({ steps: { ensureAccessPoint: 1000, registerTaskDefinition: 1000, runTask: 1000, waitForRunning: 60_000, tagResource: 1000 }, readCallMs: 1000, sessionStartMs: 125_000 }),
};

/** The one command the lease helpers need (a plain ioredis client, or a topology's connection). */
type KeyReader = { get(key: string): Promise<string | null> };

/** The pid in the lease holder's token (`host:pid/uuid`), or undefined when nobody holds it. */
export async function leaderPid(redis: KeyReader, prefix: string): Promise<number | undefined> {
  const token = await redis.get(leaseKeys(prefix).lease);
  const m = token?.match(/:(\d+)\//);
  return m ? Number(m[1]) : undefined;
}

export async function epochOf(redis: KeyReader, prefix: string): Promise<number> {
  return Number((await redis.get(leaseKeys(prefix).epoch)) ?? 0);
}

/** Live (not stopping) tasks per session, and how many sessions have more than one. */
export function duplicates(core: SimCore): { perSession: Map<string, number>; duplicates: number; everLaunched: number } {
  const all = core.dump().tasks;
  const live = all.filter((t) => t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED');
  const perSession = new Map<string, number>();
  for (const t of live) {
    const s = t.tags[TAG.session];
    if (s) perSession.set(s, (perSession.get(s) ?? 0) + 1);
  }
  return { perSession, duplicates: [...perSession.values()].filter((n) => n > 1).length, everLaunched: all.length };
}

export interface TcpProxy {
  url: string;
  /** Holds every byte from clients to the server until thaw() (a partitioned or slow network). */
  freeze(): void;
  /** New connections go to `redisUrl` from now on; open ones stay where they are (one endpoint, failed over). */
  retarget(redisUrl: string): void;
  thaw(): void;
  close(): Promise<void>;
}

/** A TCP proxy in front of Redis whose client->server direction can be frozen, and whose target can move. */
export async function startRedisProxy(redisUrl: string): Promise<TcpProxy> {
  let target = new URL(redisUrl);
  const clients = new Set<net.Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    clients.add(client);
    const upstream = net.connect(Number(target.port || 6379), target.hostname);
    if (frozen) client.pause();
    client.pipe(upstream);
    upstream.pipe(client);
    const end = (): void => {
      clients.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `redis://127.0.0.1:${port}`,
    freeze: () => {
      frozen = true;
      for (const c of clients) c.pause();
    },
    retarget: (url) => {
      target = new URL(url);
    },
    thaw: () => {
      frozen = false;
      for (const c of clients) c.resume();
    },
    close: () => new Promise((resolve) => {
      for (const c of clients) c.destroy();
      server.close(() => resolve());
    }),
  };
}
