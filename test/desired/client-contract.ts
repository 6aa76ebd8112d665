/**
 * The gateway client's contract, on every store: in memory, and on Redis (shared Redis here;
 * Sentinel and Cluster in test/topologies/). A Redis setup opens its connections as production
 * does and counts them, so "closed means closed" is checked on real sockets.
 */
import { Cluster, Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SessionClient, type WaitTuning } from '../../src/desired/client.js';
import {
  isClientClosedError, isInvalidSpecError, isOversizeError, isSessionFailedError, isSessionNotFoundError, isUnknownTemplateError, isWaitAbortedError,
  isWaitTimeoutError, type InvalidSpecError, type SessionNotFoundError,
} from '../../src/desired/errors.js';
import { keyLayout } from '../../src/desired/keys.js';
import type { RedisLike } from '../../src/desired/lua.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import { uniquePrefix } from '../support/redis.js';
import type { RedisTestTarget } from '../support/redis-targets.js';
import { status, type AnyStore } from './contract.js';

export const ready = (over: Partial<SessionStatus> = {}): SessionStatus =>
  status({
    phase: 'Running',
    endpoint: { ip: '10.0.1.5', port: 7000 },
    conditions: [{ type: 'Ready', status: 'True', reason: 'TaskRunning', message: '', lastTransitionTime: 5 }],
    ...over,
  });

export interface Setup {
  client: SessionClient;
  /** Another client on the same data, with its own wait tuning (closed by cleanup unless closed before). */
  makeClient(tuning: WaitTuning): SessionClient;
  /** The controller's writer (a separate connection for Redis). */
  writer: AnyStore;
  /** Writes a status without publishing it (a lost pub/sub message). */
  writeRawStatus(id: string, s: SessionStatus): Promise<void>;
  /** Removes a session's spec as data loss would (no tombstone, no hint). */
  dropSpec(id: string): Promise<void>;
  /** Whether some client subscription watches `id` now (as the server, or the memory store, sees it). */
  watching(id: string): Promise<boolean>;
  /** Connections of `client` (made by makeClient) that are not closed for good. */
  openConnections(client: SessionClient): number;
  /** Connections the client uses, to count their commands (Redis only). */
  isClientConnection(conn: unknown): boolean;
  cleanup(): Promise<void>;
}

/** A setup on the in-memory store. */
export async function memoryClientSetup(): Promise<Setup> {
  const store = new MemoryDesiredStore({ clock: new VirtualClock() });
  const clients: SessionClient[] = [];
  const watched = new Set<string>();
  const tracking = new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'watchStatus') {
        return async (id: string, l: Parameters<MemoryDesiredStore['watchStatus']>[1]) => {
          const unsub = await target.watchStatus(id, l);
          watched.add(id);
          return async () => {
            watched.delete(id);
            await unsub();
          };
        };
      }
      if (prop === 'close') return async () => undefined; // the shared store outlives each client
      const v = Reflect.get(target, prop, receiver) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const makeClient = (tuning: WaitTuning): SessionClient => {
    const c = new SessionClient(tracking, { templates: ['shell'] }, tuning);
    clients.push(c);
    return c;
  };
  return {
    client: makeClient({}),
    makeClient,
    writer: store,
    writeRawStatus: async (id, st) => store.putRaw('status', id, JSON.stringify(st)),
    dropSpec: async (id) => store.dropRaw('spec', id),
    watching: async (id) => watched.has(id),
    openConnections: () => 0,
    isClientConnection: () => false,
    cleanup: async () => {
      for (const c of clients) await c.close();
      await store.close();
    },
  };
}

/** The Redis node instances behind a connection (itself, or a Cluster's nodes). */
function socketsOf(conn: RedisLike): unknown[] {
  return conn instanceof Cluster ? [conn, ...conn.nodes()] : [conn];
}

/** A setup on `target`: clients and writer on their own production-style connections. */
export function redisClientSetup(target: RedisTestTarget): () => Promise<Setup> {
  return async () => {
    const prefix = uniquePrefix('esrtest-client');
    const k = keyLayout(prefix);
    const writerRedis = target.connect();
    const writer = new RedisDesiredStore({ redis: writerRedis, prefix });
    const conns = new Map<SessionClient, RedisLike>();
    const clients: SessionClient[] = [];
    const makeClient = (tuning: WaitTuning): SessionClient => {
      const redis = target.connect();
      const c = new SessionClient(new RedisDesiredStore({ redis, prefix, ownsConnection: true }), { templates: ['shell'] }, tuning);
      conns.set(c, redis);
      clients.push(c);
      return c;
    };
    const client = makeClient({});
    return {
      client,
      makeClient,
      writer,
      writeRawStatus: async (id, st) => void (await writerRedis.set(k.sessionStatus(id), JSON.stringify(st))),
      dropSpec: async (id) => void (await writerRedis.del(k.sessionSpec(id))),
      watching: async (id) => (await target.subscribers(k.statusChannel(id))) > 0,
      openConnections: (c) => [conns.get(c)].filter((r) => r && r.status !== 'end').length,
      isClientConnection: (conn) => !socketsOf(writerRedis).includes(conn),
      cleanup: async () => {
        for (const c of clients) await c.close();
        await writer.close();
        await target.cleanup(prefix);
        writerRedis.disconnect();
      },
    };
  };
}

export function sessionClientContract(name: string, make: () => Promise<Setup>): void {
  describe(`SessionClient on ${name}`, () => {
    let s: Setup;
    beforeEach(async () => {
      s = await make();
    });
    afterEach(async () => {
      vi.restoreAllMocks();
      await s.cleanup();
    });

    it('rejects invalid specs with the field and why, before writing', async () => {
      const err = (await s.client.ensureSession({ id: 'Bad Id', userId: 'u', template: 'shell' }).catch((e: unknown) => e)) as InvalidSpecError;
      expect(isInvalidSpecError(err)).toBe(true);
      expect(err.field).toBe('id');
      expect(err.message).toMatch(/^invalid spec: id: must be/);
      await expect(s.client.ensureSession({ id: 's1', userId: 'u', template: 'evil' })).rejects.toSatisfy(isUnknownTemplateError);
      await expect(s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell', env: { BIG: 'x'.repeat(5000) } })).rejects.toSatisfy(isOversizeError);
      await expect(s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell', env: { AWS_ACCESS_KEY_ID: 'x' } })).rejects.toSatisfy(isInvalidSpecError);
      expect(await s.client.getSession('s1')).toBeUndefined();
    });

    it('refreshSession asks once per second per session; a missing session or a bad id is a typed error', async () => {
      await s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell' });
      expect(await s.client.refreshSession('s1')).toBe(true);
      expect(await s.client.refreshSession('s1')).toBe(false);
      await expect(s.client.refreshSession('nobody')).rejects.toSatisfy((e: unknown) => isSessionNotFoundError(e) && (e as SessionNotFoundError).sessionId === 'nobody');
      await expect(s.client.refreshSession('Bad Id')).rejects.toSatisfy(isInvalidSpecError);
      expect((await s.client.getSession('s1'))?.spec?.generation).toBe(1);
    });

    it('round-trips a session and a warm pool', async () => {
      const r = await s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell', labels: { team: 'a' } });
      expect((await s.client.getSession('s1'))?.spec).toEqual(r.spec);
      expect((await s.client.listSessions()).sessions.map((e) => e.id)).toEqual(['s1']);
      await expect(s.client.setWarmPoolTarget('default', 3)).rejects.toSatisfy(isInvalidSpecError); // new pool needs a template
      expect((await s.client.setWarmPoolTarget('default', 3, { template: 'shell' })).spec.target).toBe(3);
      expect((await s.client.setWarmPoolTarget('default', 4)).spec).toMatchObject({ template: 'shell', target: 4, generation: 2 });
      await expect(s.client.setWarmPoolTarget('default', -1)).rejects.toSatisfy(isInvalidSpecError);
      expect(await s.client.deleteSession('s1')).toBe(true);
    });

    it('waitForReady resolves on the one status write that makes it ready, issuing no commands meanwhile', async () => {
      await s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell' });
      await s.writer.writeStatus('s1', status({ phase: 'Starting' }), 0);
      const seen: string[] = [];
      let watching: () => void = () => undefined;
      const subscribed = new Promise<void>((r) => (watching = r));
      const done = s.client.waitFor('s1', (st) => {
        seen.push(st.phase);
        watching();
        return st.phase === 'Running' && st.endpoint !== undefined;
      });
      await subscribed; // the current status (Starting) was delivered: the watch is live
      const clientCommands: string[] = [];
      const original = Redis.prototype.sendCommand;
      vi.spyOn(Redis.prototype, 'sendCommand').mockImplementation(function (this: Redis, ...args) {
        if (s.isClientConnection(this)) clientCommands.push(args[0].name);
        return original.apply(this, args);
      });
      await s.writer.writeStatus('s1', ready(), 0);
      const result = await done;
      expect(result.endpoint).toEqual({ ip: '10.0.1.5', port: 7000 });
      expect(seen).toEqual(['Starting', 'Running']);
      expect(clientCommands.filter((c) => c !== 'unsubscribe')).toEqual([]);
    });

    it('waitForReady rejects on Failed, ignoring stale statuses when given a generation', async () => {
      await s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell' });
      await s.writer.writeStatus('s1', status({ phase: 'Failed', observedGeneration: 1, lastError: { reason: 'CapacityUnavailable', message: 'no capacity', at: 1 } }), 0);
      await expect(s.client.waitForReady('s1')).rejects.toThrow(/CapacityUnavailable: no capacity/);
      const { spec } = await s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell', persistence: 'none' });
      const waiting = s.client.waitForReady('s1', { generation: spec.generation }).catch((e: unknown) => e);
      await s.writer.writeStatus('s1', status({ phase: 'Failed', observedGeneration: spec.generation }), 0);
      expect(isSessionFailedError(await waiting)).toBe(true);
    });

    it("waitForReady waits by default for the spec generation it finds: after a userId change it never hands back the previous user's endpoint", async () => {
      const first = await s.client.ensureSession({ id: 's1', userId: 'alice', template: 'shell' });
      await s.writer.writeStatus('s1', ready({ observedGeneration: first.spec.generation }), 0);
      const second = await s.client.ensureSession({ id: 's1', userId: 'bob', template: 'shell' });
      let settled = false;
      const waiting = s.client.waitForReady('s1').finally(() => (settled = true));
      await vi.waitFor(async () => expect(await s.watching('s1')).toBe(true), { timeout: 10_000 });
      await s.writer.writeStatus('s1', ready({ observedGeneration: first.spec.generation, endpoint: { ip: '10.0.1.5', port: 7001 } }), 0);
      expect(settled).toBe(false);
      await s.writer.writeStatus('s1', ready({ observedGeneration: second.spec.generation, endpoint: { ip: '10.0.1.6', port: 7000 } }), 0);
      expect((await waiting).endpoint).toEqual({ ip: '10.0.1.6', port: 7000 });
      // generation 0 accepts any generation's status (the old behaviour, on request).
      await s.writer.writeStatus('s1', ready({ observedGeneration: first.spec.generation }), 0);
      expect((await s.client.waitForReady('s1', { generation: 0 })).observedGeneration).toBe(first.spec.generation);
    });

    it('a session deleted while waited for rejects as deleted as soon as the controller says so, not as vanished later', async () => {
      await s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell' });
      const waiting = s.client.waitForReady('s1').catch((e: unknown) => e);
      await vi.waitFor(async () => expect(await s.watching('s1')).toBe(true), { timeout: 10_000 });
      const deleted = { type: 'Ready', status: 'False', reason: 'SessionDeleted', message: 'session deleted; stopping its task', lastTransitionTime: 5 } as const;
      await s.writer.writeStatus('s1', status({ phase: 'Stopping', observedGeneration: 99, conditions: [deleted] }), 0);
      const err = await waiting;
      expect(isSessionNotFoundError(err)).toBe(true);
      expect((err as SessionNotFoundError).reason).toBe('deleted');
    });

    it('waitForReady rejects when the signal aborts', async () => {
      await s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell' });
      const ac = new AbortController();
      const waiting = s.client.waitForReady('s1', { signal: ac.signal });
      ac.abort(new Error('gateway gave up'));
      const err = await waiting.catch((e: unknown) => e);
      expect(isWaitAbortedError(err)).toBe(true);
      expect((err as Error).cause).toEqual(new Error('gateway gave up'));
      const pre = new AbortController();
      pre.abort();
      await expect(s.client.waitForReady('s1', { signal: pre.signal })).rejects.toSatisfy(isWaitAbortedError);
    });

    it('waitForReady on a missing or deleted session rejects at once with a typed error', async () => {
      const missing = await s.client.waitForReady('nobody').catch((e: unknown) => e);
      expect(isSessionNotFoundError(missing)).toBe(true);
      expect((missing as SessionNotFoundError).reason).toBe('missing');
      await s.client.ensureSession({ id: 's1', userId: 'u', template: 'shell' });
      await s.client.deleteSession('s1');
      const deleted = await s.client.waitForReady('s1').catch((e: unknown) => e);
      expect(isSessionNotFoundError(deleted)).toBe(true);
      expect((deleted as SessionNotFoundError).reason).toBe('deleted');
    });

    it('a wait notices a status its subscription never delivered, and a spec that vanished, by its re-read', async () => {
      const client = s.makeClient({ recheckMs: 50 });
      await client.ensureSession({ id: 's1', userId: 'u', template: 'shell' });
      const waiting = client.waitForReady('s1');
      await s.writeRawStatus('s1', ready()); // written without a publication: as if the subscription had died
      expect((await waiting).endpoint).toEqual({ ip: '10.0.1.5', port: 7000 });
      await client.ensureSession({ id: 's2', userId: 'u', template: 'shell' });
      const lost = client.waitForReady('s2').catch((e: unknown) => e);
      await s.dropSpec('s2'); // what a failover that lost the write, or a flush, leaves behind
      const err = await lost;
      expect(isSessionNotFoundError(err)).toBe(true);
      expect((err as SessionNotFoundError).reason).toBe('vanished');
    });

    it('every wait has a bound: WaitTimeoutError after one last read', async () => {
      const clock = new VirtualClock();
      const client = s.makeClient({ clock, recheckMs: 1000, defaultTimeoutMs: 10_000 });
      await client.ensureSession({ id: 's1', userId: 'u', template: 'shell' });
      await s.writer.writeStatus('s1', status({ phase: 'Starting' }), 0);
      const waiting = client.waitForReady('s1').catch((e: unknown) => e);
      await vi.waitFor(async () => expect(await s.watching('s1')).toBe(true), { timeout: 10_000 });
      await clock.advance(10_000);
      const err = await waiting;
      expect(isWaitTimeoutError(err)).toBe(true);
      expect((err as Error).message).toMatch(/timed out after 10000 ms \(last phase: Starting\)/);
    });

    it('after close() every call rejects with ClientClosedError, pending waits end, and nothing reconnects', async () => {
      const client = s.makeClient({});
      await client.ensureSession({ id: 's1', userId: 'u', template: 'shell' });
      const pending = client.waitForReady('s1').catch((e: unknown) => e);
      await vi.waitFor(async () => expect(await s.watching('s1')).toBe(true), { timeout: 10_000 });
      await client.close();
      expect(isClientClosedError(await pending)).toBe(true);
      await expect(client.waitForReady('s1')).rejects.toSatisfy(isClientClosedError);
      await expect(client.ensureSession({ id: 's2', userId: 'u', template: 'shell' })).rejects.toSatisfy(isClientClosedError);
      await expect(client.getSession('s1')).rejects.toSatisfy(isClientClosedError);
      await vi.waitFor(() => expect(s.openConnections(client)).toBe(0), { timeout: 10_000 });
      await expect(client.waitForReady('s1')).rejects.toSatisfy(isClientClosedError);
      expect(s.openConnections(client)).toBe(0);
      expect(await s.watching('s1')).toBe(false); // no subscription was opened again
      await client.close(); // idempotent
    });
  });
}

