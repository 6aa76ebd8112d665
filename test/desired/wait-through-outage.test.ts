/**
 * waitForReady started while Redis does not answer (a failover, a slot moving, a paused
 * primary) waits the outage out with the retry policy's backoff instead of rejecting with
 * RedisUnavailableError: seen in the lossy-failover test on Cluster, where 15 of 100 waits
 * ended with "Too many Cluster redirections" although their sessions were written.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectSessionClient } from '../../src/desired/client.js';
import { isRedisUnavailableError } from '../../src/desired/errors.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { RedisServerProcess } from '../support/redis-server.js';
import { Redis } from 'ioredis';
import { aStatus } from '../fixtures/builders.js';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('waitForReady through a Redis outage', () => {
  it('a wait begun while Redis is paused resolves once Redis answers and the session is Ready', async () => {
    const server = await RedisServerProcess.start();
    cleanups.push(() => server.stop());
    const env = { REDIS_URL: server.url, REDIS_COMMAND_TIMEOUT_MS: '300' };
    const client = connectSessionClient({ env, prefix: 'esrwait' });
    const probe = connectSessionClient({ env, prefix: 'esrwait' });
    cleanups.push(() => client.close(), () => probe.close());
    await client.ensureSession({ id: 's1', userId: 'u1', template: 'shell' });

    server.signal('SIGSTOP');
    const waiting = client.waitForReady('s1', { timeoutMs: 60_000 });
    let outcome: 'pending' | 'resolved' | 'rejected' = 'pending';
    waiting.then(() => (outcome = 'resolved'), () => (outcome = 'rejected'));
    // A read of another client fails once the command timeout passed: the wait's own first read has failed by now.
    await expect(probe.getSession('s1')).rejects.toSatisfy(isRedisUnavailableError);
    await new Promise((r) => setTimeout(r, 400));
    expect(outcome).toBe('pending');
    server.signal('SIGCONT');

    const redis = new Redis(server.url);
    cleanups.push(async () => void redis.disconnect());
    const store = new RedisDesiredStore({ redis, prefix: 'esrwait' });
    const ready = aStatus({ phase: 'Running', observedGeneration: 1, incarnation: 1, taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/c/abc', endpoint: { ip: '10.0.0.5', port: 8080 }, conditions: [{ type: 'Ready', status: 'True', reason: 'TaskRunning', message: 'ok', lastTransitionTime: Date.now() }] });
    expect(await store.writeStatus('s1', ready, 1)).toEqual({ outcome: 'written' });
    const status = await waiting;
    expect(status.endpoint).toEqual({ ip: '10.0.0.5', port: 8080 });
  });
});
