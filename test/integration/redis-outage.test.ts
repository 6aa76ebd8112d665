/**
 * Redis unreachable under a running controller: no destructive action, readiness false,
 * reconnect with backoff, and a full resync after reconnect (the periodic resync is set to an
 * hour here, so only the reconnect can explain what the controller notices afterwards).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, pingRedis } from '../../src/common/local-redis.js';
import { TAG } from '../../src/observed/model.js';
import { startObservedStack, type ObservedStack } from '../app/observed-stack.js';
import { eventually } from '../support/stack.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'esr-redis-outage-'));
let redis: ChildProcess | undefined;
let stack: ObservedStack | undefined;

async function startRedis(port: number): Promise<void> {
  redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', 'dump.rdb'], { stdio: 'ignore' });
  await eventually('redis answers', () => pingRedis('127.0.0.1', port, 200), 5_000);
}

/** Saves the data set, then stops the server (so it comes back with its data, like a restarted replica). */
function stopRedis(port: number): void {
  spawnSync('redis-cli', ['-p', String(port), 'SHUTDOWN', 'SAVE']);
}

afterAll(async () => {
  await stack?.stop().catch(() => undefined);
  redis?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('Redis outage under a running controller', () => {
  it('stops nothing and reports unready while Redis is down; after reconnect a full resync repairs what changed meanwhile', async () => {
    const port = await freePort();
    await startRedis(port);
    stack = await startObservedStack({ env: { REDIS_URL: `redis://127.0.0.1:${port}`, RECONCILER_RESYNC_SECONDS: '3600', REDIS_COMMAND_TIMEOUT_MS: '500' } });
    const s = stack;
    const ids = ['r1', 'r2', 'r3'];
    for (const id of ids) await s.client.ensureSession({ id, userId: id, template: 'shell', persistence: 'none' });
    await eventually('3 Running', () => ids.every((id) => s.daemon.controller.cache.sessions.get(id)?.status?.phase === 'Running'), 15_000);
    const ready = async () => (await fetch(`${s.http.url}/readyz?verbose`)).status;
    expect(await ready()).toBe(200);
    const stopsBefore = s.core.getStats().byOperation.StopTask?.calls ?? 0;

    stopRedis(port);
    await eventually('unready while Redis is down', async () => (await ready()) === 503, 10_000);
    const victim = s.daemon.controller.cache.sessions.get('r2')!.status!.taskArn!;
    s.core.crashTask(victim, { reason: 'crashed while Redis was down' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.core.getStats().byOperation.StopTask?.calls ?? 0).toBe(stopsBefore);
    expect(s.core.getStats().byOperation.RunTask?.calls).toBe(3);

    await startRedis(port);
    await eventually('ready again', async () => (await ready()) === 200, 15_000);
    await eventually('r2 Running again on a new task (found by the resync after reconnect)', async () => {
      const st = (await s.client.getSession('r2').catch(() => undefined))?.status; // the test's own client reconnects too
      return st?.phase === 'Running' && st.taskArn !== victim;
    }, 20_000);
    const live = s.core.dump().tasks.filter((t) => t.tags[TAG.session] && t.desiredStatus !== 'STOPPED' && t.lastStatus !== 'STOPPED');
    expect(live).toHaveLength(3);
    expect(s.core.getStats().byOperation.StopTask?.calls ?? 0).toBe(stopsBefore);
  });
});
