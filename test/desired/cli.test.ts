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
    expect((await cli('session', 'refresh', 'cli-1')).stdout).toContain('session cli-1: refresh requested');
    expect((await cli('session', 'refresh', 'cli-1')).stdout).toContain('a refresh was requested less than a second ago');
    expect((await cli('session', 'delete', 'cli-1')).stdout).toContain('session cli-1 deleted');
  });

  it('warm-pool set refuses a target above the pool maxSize (and an unconfigured pool) when RECONCILER_POOLS is set', async () => {
    const pools = { ...env, RECONCILER_POOLS: JSON.stringify({ small: { template: 'shell', maxSize: 10 } }) };
    const set = (...args: string[]) => run(process.execPath, ['bin/reconciler.js', 'warm-pool', 'set', ...args], { env: pools, timeout: 20_000 });
    const above = (await set('small', '20', '--template', 'shell').catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(above.code).toBe(1);
    expect(above.stderr).toContain('target 20 is above maxSize 10 of pool small (RECONCILER_POOLS)');
    const unknown = (await set('other', '1', '--template', 'shell').catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('pool other is not in RECONCILER_POOLS (configured: small)');
    expect((await set('small', '10', '--template', 'shell')).stdout).toContain('warm pool small (template shell) target 10');
    const listed = (await run(process.execPath, ['bin/reconciler.js', 'get', 'pools', '-o', 'json'], { env: pools, timeout: 20_000 })).stdout;
    expect((JSON.parse(listed) as Array<{ name: string }>).map((p) => p.name)).not.toContain('other');
  });

  it('refuses a template name outside the shared rule, naming the rule', async () => {
    const err = (await cli('session', 'apply', '--id', 'cli-2', '--user', 'u', '--template', 'Shell V2').catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('must be 1-63 chars of [a-z0-9._-]');
  });

  it('exits non-zero naming the bad field', async () => {
    const err = (await cli('session', 'apply', '--id', 'NOT OK', '--user', 'u', '--template', 'shell').catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(err.code).toBe(1);
    expect(err.stderr).toContain('invalid spec: id:');
  });
});
