import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { connectTestRedis, deleteByPrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';

const run = promisify(execFile);
const prefix = uniquePrefix('esrtest-cli');
const env = { ...process.env, REDIS_URL: testRedisUrl(), RECONCILER_REDIS_PREFIX: prefix };
const cli = (...args: string[]) => run(process.execPath, ['bin/reconciler.js', ...args], { env, timeout: 20_000 });

describe('reconciler CLI on real Redis', () => {
  afterAll(async () => {
    const redis = connectTestRedis();
    await deleteByPrefix(redis, `{${prefix}}`);
    redis.disconnect();
  });

  it('applies a session and reads it back as JSON', async () => {
    const applied = await cli('session', 'apply', '--id', 'cli-1', '--user', 'u-9', '--template', 'shell', '--persistence', 'none', '--env', 'A=1');
    expect(applied.stdout).toContain('session cli-1 applied (generation 1)');
    const again = await cli('session', 'apply', '--id', 'cli-1', '--user', 'u-9', '--template', 'shell', '--persistence', 'none', '--env', 'A=1');
    expect(again.stdout).toContain('unchanged (generation 1)');
    const got = JSON.parse((await cli('get', 'session', 'cli-1', '-o', 'json')).stdout) as { id: string; spec: Record<string, unknown> };
    expect(got.id).toBe('cli-1');
    expect(got.spec).toMatchObject({ userId: 'u-9', template: 'shell', persistence: 'none', env: { A: '1' }, generation: 1, deleted: false });
    const table = (await cli('get', 'sessions')).stdout;
    expect(table).toMatch(/^ID\s+USER/);
    expect(table).toMatch(/cli-1\s+u-9\s+shell\s+1/);
    expect((await cli('warm-pool', 'set', 'default', '2', '--template', 'shell')).stdout).toContain('target 2');
    expect((await cli('session', 'delete', 'cli-1')).stdout).toContain('session cli-1 deleted');
  });

  it('exits non-zero naming the bad field', async () => {
    const err = (await cli('session', 'apply', '--id', 'NOT OK', '--user', 'u', '--template', 'shell').catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('invalid spec: id:');
  });
});
