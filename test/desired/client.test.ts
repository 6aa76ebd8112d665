import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SessionClient, connectSessionClient } from '../../src/desired/client.js';
import {
  isInvalidSpecError, isOversizeError, isRedisUnavailableError, isSessionFailedError, isUnknownTemplateError, isWaitAbortedError,
  type InvalidSpecError,
} from '../../src/desired/errors.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import { connectTestRedis, deleteByPrefix, uniquePrefix } from '../support/redis.js';
import { status, type AnyStore } from './contract.js';

const ready = (over: Partial<SessionStatus> = {}): SessionStatus =>
  status({
    phase: 'Running',
    endpoint: { ip: '10.0.1.5', port: 7000 },
    conditions: [{ type: 'Ready', status: 'True', reason: 'TaskRunning', message: '', lastTransitionTime: 5 }],
    ...over,
  });

interface Setup {
  client: SessionClient;
  /** The controller's writer (a separate connection for Redis). */
  writer: AnyStore;
  /** Connections the client uses, to count their commands (Redis only). */
  isClientConnection(conn: unknown): boolean;
  cleanup(): Promise<void>;
}

const setups: Record<string, () => Promise<Setup>> = {
  memory: async () => {
    const store = new MemoryDesiredStore({ clock: new VirtualClock() });
    return { client: new SessionClient(store, { templates: ['shell'] }), writer: store, isClientConnection: () => false, cleanup: () => store.close() };
  },
  redis: async () => {
    const prefix = uniquePrefix('esrtest-client');
    const clientRedis = connectTestRedis();
    const writerRedis = connectTestRedis();
    const client = new SessionClient(new RedisDesiredStore({ redis: clientRedis, prefix }), { templates: ['shell'] });
    const writer = new RedisDesiredStore({ redis: writerRedis, prefix });
    return {
      client,
      writer,
      isClientConnection: (conn) => conn !== writerRedis,
      cleanup: async () => {
        await client.close();
        await writer.close();
        await deleteByPrefix(writerRedis, `{${prefix}}`);
        clientRedis.disconnect();
        writerRedis.disconnect();
      },
    };
  },
};

for (const [name, make] of Object.entries(setups)) {
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
  });
}

describe('SessionClient without Redis', () => {
  it('fails with RedisUnavailableError instead of hanging', async () => {
    const client = connectSessionClient({ env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: '300' } });
    try {
      await expect(client.ensureSession({ id: 's1', userId: 'u', template: 'shell' })).rejects.toSatisfy(isRedisUnavailableError);
    } finally {
      await client.close();
    }
  });
});
