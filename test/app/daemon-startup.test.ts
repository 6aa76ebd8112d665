/**
 * `reconciler run` start-up as an operator meets it, in a real process: a busy HTTP port is one
 * fatal line naming RECONCILER_HTTP_PORT and EADDRINUSE (no stack, no repetition), exit 1; a
 * SIGTERM while start-up still waits for its first sync is a clean shutdown (exit 0, no fatal).
 */
import { createServer, type Server } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/common/local-redis.js';
import { spawnDaemon } from '../support/daemon-process.js';
import { uniquePrefix } from '../support/redis.js';
import { eventually, stackEnv } from '../support/stack.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** ECS is a closed port: start-up can never finish its first sync. */
async function env(extra: Record<string, string>): Promise<Record<string, string>> {
  return stackEnv(`http://127.0.0.1:${await freePort()}`, uniquePrefix('esrstartup'), { RECONCILER_LOG_LEVEL: 'info', ...extra });
}

const lines = (out: string): Array<{ level: number; msg: string }> =>
  out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string });

describe('reconciler run start-up', () => {
  it('a busy HTTP port: one fatal line naming the variable, the address and EADDRINUSE; exit 1', async () => {
    const port = await freePort();
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(port, '127.0.0.1', resolve));
    cleanups.push(() => void busy.close());
    const d = spawnDaemon(await env({ RECONCILER_HTTP_HOST: '127.0.0.1', RECONCILER_HTTP_PORT: String(port) }));
    cleanups.push(() => void d.child.kill('SIGKILL'));
    expect(await d.exited).toBe(1);
    const fatal = lines(d.output()).filter((l) => l.level === 60);
    expect(fatal, d.output()).toHaveLength(1);
    expect(fatal[0]!.msg).toBe(`cannot serve /metrics, /healthz, /readyz on RECONCILER_HTTP_HOST=127.0.0.1 RECONCILER_HTTP_PORT=${port}: the port is already in use (another process listens on it); set RECONCILER_HTTP_PORT to a free port (EADDRINUSE)`);
    expect(d.output()).not.toContain('"stack"');
    expect(d.output().match(/EADDRINUSE/g)).toHaveLength(1);
  });

  it('SIGTERM during start-up shuts down cleanly: exit 0, no fatal line', async () => {
    const d = spawnDaemon(await env({ RECONCILER_HTTP_HOST: '127.0.0.1', RECONCILER_HTTP_PORT: String(await freePort()) }));
    cleanups.push(() => void d.child.kill('SIGKILL'));
    await eventually('the daemon is starting (HTTP up, first sync pending)', () => d.output().includes('serving /metrics'), 20_000);
    expect(d.output()).not.toContain('"msg":"running"');
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(lines(d.output()).filter((l) => l.level >= 60), d.output()).toEqual([]);
    expect(d.output()).toContain('"msg":"stopped"');
  });
});
