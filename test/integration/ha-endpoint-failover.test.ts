/**
 * A managed failover behind one endpoint (the case of hosted Redis services): the old primary
 * becomes a read-only replica while clients still hold connections to it, and the endpoint now
 * leads new connections to the new primary. Two private redis-servers behind a TCP proxy.
 * - readiness says not ready against a replica (PING would say PONG), ready on the primary;
 * - a spec write answered READONLY makes the connection reconnect, and succeeds on the new
 *   primary instead of failing for as long as the old connection lives.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { redisPrimaryCheck } from '../../src/app/health-checks.js';
import { createRedisConnection, redisConfigFromEnv } from '../../src/desired/redis-connection.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { eventually } from '../support/eventually.js';
import { adminCall, RedisServerProcess } from '../support/redis-server.js';
import { uniquePrefix } from '../support/redis.js';
import { startRedisProxy } from '../leader/support/ha-harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
});

async function linkUp(replica: RedisServerProcess): Promise<boolean> {
  return /master_link_status:up/.test(await adminCall(replica, (r) => r.info('replication')));
}

describe('failover behind a single endpoint', () => {
  it('readiness follows the primary; a READONLY answer moves the connection to the new primary', { timeout: 60_000 }, async () => {
    const a = await RedisServerProcess.start();
    const b = await RedisServerProcess.start({ args: ['--replicaof', '127.0.0.1', String(a.port)] });
    cleanups.push(() => a.stop(), () => b.stop());
    await eventually('b replicates a', () => linkUp(b), 20_000);
    const endpoint = await startRedisProxy(a.url);
    cleanups.push(() => endpoint.close());
    const conn = createRedisConnection(redisConfigFromEnv({ REDIS_URL: endpoint.url, REDIS_COMMAND_TIMEOUT_MS: '2000' }));
    cleanups.push(() => conn.disconnect());
    const prefix = uniquePrefix('esrendpoint');
    const store = new RedisDesiredStore({ redis: conn, prefix });
    const ready = redisPrimaryCheck(conn, `{${prefix}}:readyz`);
    await store.ensureSession({ id: 's1', userId: 'u', template: 'shell', persistence: 'none' });
    expect(await ready()).toMatchObject({ ok: true, message: expect.stringMatching(/master of .* writable/) });

    const onReplica = createRedisConnection(redisConfigFromEnv({ REDIS_URL: b.url, REDIS_COMMAND_TIMEOUT_MS: '500' }));
    cleanups.push(() => onReplica.disconnect());
    expect(await onReplica.ping()).toBe('PONG'); // what the old readiness check looked at
    const replicaReady = await redisPrimaryCheck(onReplica, `{${prefix}}:readyz`)();
    expect(replicaReady.ok).toBe(false);
    // READONLY makes the connection reconnect and resend, to the same replica here: it keeps failing until the command timeout.
    expect(replicaReady.message).toMatch(/refuses writes: (READONLY|Command timed out)/);

    // The managed failover: b is promoted, a becomes its replica, the endpoint leads to b.
    await adminCall(b, (r) => r.call('REPLICAOF', 'NO', 'ONE'));
    await adminCall(a, (r) => r.call('REPLICAOF', '127.0.0.1', String(b.port)));
    endpoint.retarget(b.url);
    await eventually('a replicates b', () => linkUp(a), 20_000);

    // conn still holds its connection to a (now a replica): the write is answered READONLY once,
    // the connection reconnects through the endpoint (to b), and the command is sent again there.
    const written = await store.ensureSession({ id: 's2', userId: 'u', template: 'shell', persistence: 'none' });
    expect(written.spec.generation).toBe(1);
    expect(await adminCall(b, (r) => r.exists(`{${prefix}}:session:s2:spec`))).toBe(1);
    await eventually('readiness on the new primary', async () => (await ready()).ok, 10_000);
  });
});
