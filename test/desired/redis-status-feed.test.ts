/**
 * A status watch whose SUBSCRIBE fails while reads work (what ioredis 5 does to every queued
 * SUBSCRIBE when a subscriber connection's ready check fails, redis/ioredis#2037, and what a
 * subscriber on a failing node sees): the watch still delivers the current status, subscribes
 * again on the retry policy's backoff, and is pushed later writes once it can. Made to fail for
 * real on a private redis-server: an ACL user may read keys but not subscribe, until the test
 * grants it channels.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { createRedisConnection, redisConfigFromEnv } from '../../src/desired/redis-connection.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import { aStatus } from '../fixtures/builders.js';
import { eventually } from '../support/eventually.js';
import { adminCall, RedisServerProcess } from '../support/redis-server.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
});

describe('RedisStatusFeed when SUBSCRIBE fails', () => {
  it('delivers the current status, keeps subscribing, and is pushed writes once subscribed', { timeout: 60_000 }, async () => {
    const server = await RedisServerProcess.start();
    cleanups.push(() => server.stop());
    await adminCall(server, (r) => r.call('ACL', 'SETUSER', 'watcher', 'on', '>watcher-secret', '~*', '+@all', 'resetchannels'));
    const prefix = 'esrfeed';
    const writerConn = createRedisConnection(redisConfigFromEnv({ REDIS_URL: server.url }));
    const watcherConn = createRedisConnection(redisConfigFromEnv({ REDIS_URL: server.url, REDIS_USERNAME: 'watcher', REDIS_PASSWORD: 'watcher-secret' }));
    const writer = new RedisDesiredStore({ redis: writerConn, prefix });
    const watcher = new RedisDesiredStore({ redis: watcherConn, prefix });
    cleanups.push(() => watcher.close(), () => writer.close(), () => watcherConn.disconnect(), () => writerConn.disconnect());
    const token = 1; // a controller without leader election
    await writer.ensureSession({ id: 's1', userId: 'u', template: 'shell', persistence: 'none' });
    expect((await writer.writeStatus('s1', aStatus({ phase: 'Pending' }), token)).outcome).toBe('written');

    const seen: Array<SessionStatus | undefined> = [];
    const unsubscribe = await watcher.watchStatus('s1', (s) => seen.push(s)); // SUBSCRIBE refused (NOPERM): the watch stands
    expect(seen.map((s) => s?.phase)).toEqual(['Pending']);
    const channel = writer.keys.statusChannel('s1');
    const subscribers = async (): Promise<number> => Number(((await adminCall(server, (r) => r.call('PUBSUB', 'NUMSUB', channel))) as [string, number])[1]);
    expect(await subscribers()).toBe(0);

    await adminCall(server, (r) => r.call('ACL', 'SETUSER', 'watcher', 'allchannels'));
    await eventually('the watch subscribed on a later attempt', async () => (await subscribers()) === 1, 20_000, 50);
    expect((await writer.writeStatus('s1', aStatus({ phase: 'Running' }), token)).outcome).toBe('written');
    await eventually('the write pushed to the watch', () => seen.some((s) => s?.phase === 'Running'), 10_000);
    await unsubscribe();
    await eventually('unsubscribed', async () => (await subscribers()) === 0, 10_000, 50);
  });
});
