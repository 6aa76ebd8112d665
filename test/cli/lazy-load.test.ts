/**
 * The CLI loads what a verb uses, nothing more: `reconciler --help` loads no Redis client,
 * schema library, logger, metrics or AWS SDK; `reconciler get sessions` loads the Redis client
 * but no AWS SDK, logger or metrics. Checked structurally (which modules were resolved, through
 * a resolve hook in the child process), never by timing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/reconciler.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'esr-lazy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// Runs in the loader thread: appends every resolved URL to the file named by ESR_RESOLVE_LOG.
const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(process.env.ESR_RESOLVE_LOG, r.url + '\\n');
  return r;
}`;
const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;

/** Packages (by node_modules directory) the CLI resolved while running `args`. */
async function packagesLoaded(name: string, args: string[], env: Record<string, string> = {}): Promise<{ packages: Set<string>; stdout: string }> {
  const log = join(dir, `${name}.log`);
  const { stdout } = await run(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(register)}`, BIN, ...args], {
    env: { ...process.env, ...env, ESR_RESOLVE_LOG: log },
  });
  const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
  const packages = new Set(urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(u)?.[1]).filter((p): p is string => p !== undefined));
  return { packages, stdout };
}

const heavy = (packages: Set<string>, names: string[]): string[] => [...packages].filter((p) => names.some((n) => p === n || p.startsWith(n)));

describe('CLI start-up loads only what the verb uses', () => {
  it('`reconciler --help` loads commander only', async () => {
    const { packages, stdout } = await packagesLoaded('help', ['--help']);
    expect(stdout).toContain('Usage: reconciler');
    expect(packages).toContain('commander');
    expect(heavy(packages, ['@aws-sdk/', '@smithy/', 'ioredis', 'zod', 'pino', 'prom-client', 'cockatiel', 'p-queue'])).toEqual([]);
  });

  it('`reconciler run --help` lists every variable without loading the daemon', async () => {
    const { packages, stdout } = await packagesLoaded('run-help', ['run', '--help']);
    expect(stdout).toContain('RECONCILER_CLUSTER');
    expect(heavy(packages, ['@aws-sdk/', '@smithy/', 'ioredis', 'pino', 'prom-client'])).toEqual([]);
  });

  it('`reconciler get sessions` loads the Redis client but no AWS SDK, logger or metrics', async () => {
    const { packages, stdout } = await packagesLoaded('get-sessions', ['get', 'sessions'], { REDIS_URL: testRedisUrl(), RECONCILER_REDIS_PREFIX: uniquePrefix('esrlazy') });
    expect(stdout).toMatch(/^ID\s+USER\s+TEMPLATE/);
    expect(packages).toContain('ioredis');
    expect(heavy(packages, ['@aws-sdk/', '@smithy/', 'pino', 'prom-client'])).toEqual([]);
  });
});
