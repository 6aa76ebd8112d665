/**
 * The Redis connection settings as an operator meets them: every bad variable is named, the
 * standalone credentials and TLS are applied with REDIS_URL (a private redis-server with
 * requirepass and an ACL user), TLS is never dropped silently, and errors say which Redis and why.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { connectSessionClient } from '../../src/desired/client.js';
import { isRedisUnavailableError, type DesiredError } from '../../src/desired/errors.js';
import { createRedisConnection, parseRedisUrl, redisConfigFromEnv, RedisConfigError } from '../../src/desired/redis-connection.js';
import { RedisDesiredStore } from '../../src/desired/redis-store.js';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { freePort } from '../../src/common/local-redis.js';
import { RedisServerProcess } from '../support/redis-server.js';
import { uniquePrefix } from '../support/redis.js';

const servers: RedisServerProcess[] = [];
afterAll(async () => {
  for (const s of servers) await s.stop();
});

const configError = (env: Record<string, string>): RedisConfigError => {
  try {
    redisConfigFromEnv(env);
  } catch (err) {
    return err as RedisConfigError;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
};

describe('REDIS_* variables', () => {
  it('a URL without a scheme is refused with the variable named and a hint, never read as a scheme', () => {
    for (const value of ['127.0.0.1:6379', 'localhost:6379', 'redis.internal:6379']) {
      const err = configError({ REDIS_URL: value });
      expect(err).toBeInstanceOf(RedisConfigError);
      expect(err.variable).toBe('REDIS_URL');
      expect(err.message).toMatch(/^REDIS_URL: /);
      expect(err.message).toContain(`did you mean redis://${value}?`);
    }
    expect(configError({ REDIS_URL: 'http://h:1' }).message).toMatch(/scheme "http:", expected redis:\/\/ or rediss:\/\//);
    expect(configError({ REDIS_URL: 'not a url' }).message).toMatch(/^REDIS_URL: "not a url" is not a URL/);
  });

  it('never echoes a password', () => {
    const err = configError({ REDIS_URL: 'alice:s3cret@db.internal:6379' });
    expect(err.message).not.toContain('s3cret');
    expect(err.message).toContain('***@db.internal:6379');
  });

  it('names every other bad variable', () => {
    expect(configError({ REDIS_TLS: 'yes' }).variable).toBe('REDIS_TLS');
    expect(configError({ REDIS_URL: 'rediss://h:6380', REDIS_TLS: 'false' }).message).toMatch(/never turned off silently/);
    expect(configError({ REDIS_SENTINELS: 'a:1' }).variable).toBe('REDIS_SENTINEL_NAME');
    expect(configError({ REDIS_CLUSTER_NODES: 'a' }).variable).toBe('REDIS_CLUSTER_NODES');
    expect(configError({ REDIS_WAIT_REPLICAS: '-1' }).variable).toBe('REDIS_WAIT_REPLICAS');
    expect(configError({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_WAIT_TIMEOUT_MS: '9000' }).variable).toBe('REDIS_WAIT_TIMEOUT_MS');
    // Below the command timeout but with less than half of it left as margin (same rule as hint reads).
    expect(configError({ REDIS_SENTINELS: 'a:1', REDIS_SENTINEL_NAME: 'm', REDIS_WAIT_TIMEOUT_MS: '3000' }).message).toMatch(/at most half of REDIS_COMMAND_TIMEOUT_MS \(5000\)/);
    const startUp = (() => {
      try {
        loadConfig({ REDIS_URL: '127.0.0.1:6379' });
      } catch (err) {
        return err as ConfigError;
      }
      return undefined;
    })();
    expect(startUp).toBeInstanceOf(ConfigError);
    expect(startUp!.problems.join('\n')).toMatch(/REDIS_URL: "127.0.0.1:6379" .*did you mean redis:\/\/127.0.0.1:6379/);
  });

  it('REDIS_USERNAME, REDIS_PASSWORD and REDIS_TLS apply in every mode, over what REDIS_URL says', () => {
    const c = redisConfigFromEnv({ REDIS_URL: 'redis://bob:wrong@h:7000/2', REDIS_USERNAME: 'alice', REDIS_PASSWORD: 'pw', REDIS_TLS: 'true' });
    expect(c).toMatchObject({ mode: 'standalone', host: 'h', port: 7000, db: 2, username: 'alice', password: 'pw', tls: true });
    expect(redisConfigFromEnv({ REDIS_URL: 'rediss://u:p@h' })).toMatchObject({ tls: true, username: 'u', password: 'p', port: 6379 });
    expect(redisConfigFromEnv({ REDIS_CLUSTER_NODES: 'a:1', REDIS_PASSWORD: 'pw', REDIS_TLS: '1' })).toMatchObject({ mode: 'cluster', password: 'pw', tls: true, replicaAck: { replicas: 1 } });
    expect(parseRedisUrl('redis://[::1]:6390')).toMatchObject({ host: '::1', port: 6390 });
  });

  it('TLS reaches ioredis, and a plaintext server is an error, never a silent plaintext connection', async () => {
    const server = await RedisServerProcess.start();
    servers.push(server);
    const conn = createRedisConnection(redisConfigFromEnv({ REDIS_URL: server.url, REDIS_TLS: 'true', REDIS_COMMAND_TIMEOUT_MS: '500' }));
    try {
      expect((conn.options as { tls?: unknown }).tls).toBeDefined();
      const store = new RedisDesiredStore({ redis: conn, prefix: uniquePrefix('esrtls') });
      await expect(store.ensureSession({ id: 's1', userId: 'u', template: 'shell' })).rejects.toSatisfy(isRedisUnavailableError);
    } finally {
      conn.disconnect();
    }
  });

  it('REDIS_PASSWORD and REDIS_USERNAME authenticate with REDIS_URL on a server that requires them', async () => {
    const server = await RedisServerProcess.start({ args: ['--requirepass', 'defaultpw', '--user', 'alice', 'on', '>alicepw', '~*', '&*', '+@all'] });
    servers.push(server);
    const prefix = uniquePrefix('esrauth');
    const attempt = async (env: Record<string, string>): Promise<unknown> => {
      const client = connectSessionClient({ env: { REDIS_COMMAND_TIMEOUT_MS: '2000', ...env }, prefix });
      try {
        return (await client.ensureSession({ id: 's1', userId: 'u', template: 'shell' })).spec.generation;
      } catch (err) {
        return err;
      } finally {
        await client.close();
      }
    };
    const refused = (await attempt({ REDIS_URL: server.url })) as DesiredError;
    expect(refused.message).toMatch(/NOAUTH/);
    expect(refused.message).toContain(`redis://127.0.0.1:${server.port}`);
    expect(await attempt({ REDIS_URL: server.url, REDIS_PASSWORD: 'defaultpw' })).toBe(1);
    expect(await attempt({ REDIS_URL: `redis://bob:wrong@127.0.0.1:${server.port}`, REDIS_USERNAME: 'alice', REDIS_PASSWORD: 'alicepw' })).toBe(1);
  });
});

describe('Redis errors', () => {
  it('say which Redis and why (address and ECONNREFUSED), and the connection reports each cause once', async () => {
    const port = await freePort(); // nothing listens there
    const reported: string[] = [];
    const conn = createRedisConnection(redisConfigFromEnv({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_COMMAND_TIMEOUT_MS: '300' }), undefined, (err, target) => reported.push(`${target} ${err.message}`));
    try {
      const store = new RedisDesiredStore({ redis: conn, prefix: uniquePrefix('esrrefused') });
      const err = (await store.ensureSession({ id: 's1', userId: 'u', template: 'shell' }).catch((e: unknown) => e)) as Error;
      expect(isRedisUnavailableError(err)).toBe(true);
      expect(err.message).toContain(`redis://127.0.0.1:${port}`);
      expect(err.message).toContain('ECONNREFUSED');
      expect(reported.length).toBeGreaterThan(0);
      expect(reported[0]).toContain(`redis://127.0.0.1:${port}`);
      expect(new Set(reported).size).toBe(reported.length); // the same cause is not repeated
    } finally {
      conn.disconnect();
    }
  });
});
