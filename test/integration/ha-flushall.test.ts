/**
 * FLUSHALL with 100 running sessions, on a private redis-server (never the shared one), against a
 * real `reconciler run` process: zero tasks stopped; the desired-state brake is visible in
 * /metrics and `reconciler brake status`; `reconciler brake release` releases it; the leader's
 * next term has a higher fencing epoch than the wiped one (the epoch never goes backwards).
 * Log lines and the published brake state are awaited, not read once: the daemon's stdout may
 * arrive after its /metrics answer, and the wipe also takes the leader's lease, so the brake can
 * engage between two terms and be published when the next one begins.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { freePort, startPrivateRedis } from '../../src/common/local-redis.js';
import { connectSessionClient } from '../../src/desired/client.js';
import { spawnDaemon } from '../support/daemon-process.js';
import { uniquePrefix } from '../support/redis.js';
import { eventually, stackEnv, startSim } from '../support/stack.js';
import { duplicates, epochOf, HA_ENV } from '../leader/support/ha-harness.js';

const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bin/reconciler.js');
const run = promisify(execFile);
const N = 100;
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

async function brakeMetric(port: number): Promise<number | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const m = (await res.text()).match(/^esr_safety_brake_engaged\{brake="desired-state"\} (\d+)/m);
  return m ? Number(m[1]) : undefined;
}

describe('FLUSHALL of the desired state', () => {
  it(`costs none of ${N} running sessions; the brake shows and an operator releases it`, { timeout: 90_000 }, async () => {
    const redisServer = await startPrivateRedis();
    cleanups.push(() => redisServer.stop());
    const { core, sim } = await startSim();
    cleanups.push(() => sim.close());
    const prefix = uniquePrefix('esrflush');
    const httpPort = await freePort();
    const env = stackEnv(sim.url, prefix, { ...HA_ENV, REDIS_URL: redisServer.url, RECONCILER_HTTP_PORT: String(httpPort), RECONCILER_STOPS_PER_MINUTE: '600' });
    const client = connectSessionClient({ env, prefix });
    cleanups.push(() => client.close());
    for (let i = 0; i < N; i += 50) {
      await Promise.all(Array.from({ length: 50 }, (_, j) => client.ensureSession({ id: `f${i + j}`, userId: `u${i + j}`, template: 'shell', persistence: 'none' })));
    }
    const daemon = spawnDaemon(env);
    cleanups.push(async () => void daemon.child.kill('SIGKILL'));
    onTestFailed(() => console.log(daemon.output().slice(-4000)));
    await eventually(`${N} sessions Running`, async () => {
      const page = await client.listSessions({ limit: 1000 });
      return page.sessions.filter((e) => e.status?.phase === 'Running').length === N;
    }, 40_000);
    expect(await brakeMetric(httpPort)).toBe(0);
    const stops = (): number => core.getStats().byOperation.StopTask?.calls ?? 0;
    expect(stops()).toBe(0);

    const admin = new Redis(redisServer.url);
    cleanups.push(async () => admin.disconnect());
    const epochBefore = await epochOf(admin, prefix);
    expect(epochBefore).toBeGreaterThan(0);
    await admin.flushall(); // private server: the shared Redis is never flushed
    const flushedAt = Date.now();
    const engagedMs = await eventually('brake engaged in /metrics', async () => (await brakeMetric(httpPort)) === 1, 10_000);
    // The leader publishes the state; the wipe took its lease too, so the brake may have engaged
    // while it was re-acquiring, and the state appears once it leads again (within a poll).
    let status: { stdout: string; code?: number } = { stdout: '' };
    await eventually('brake status says engaged (exit 3)', async () => {
      status = await run(process.execPath, [bin, 'brake', 'status'], { env: { ...process.env, ...env } }).catch((e: { stdout: string; code: number }) => e);
      return status.code === 3;
    }, 20_000, 200);
    expect(JSON.parse(status.stdout)).toMatchObject({ state: { engaged: true, reason: 'marker-missing' } });
    // Several resyncs well past the orphan grace (1 s): every task is an orphan now, none is stopped.
    await new Promise((r) => setTimeout(r, 6000));
    const live = duplicates(core).perSession.size;
    console.log(`flushall: brake engaged ${engagedMs} ms after FLUSHALL; StopTask calls ${stops()} in ${Date.now() - flushedAt} ms; live sessions ${live}/${N}`);
    expect(stops()).toBe(0);
    expect(live).toBe(N);
    await eventually('the brake logged', () => /safety brake engaged, stops paused/.test(daemon.output()), 10_000);
    await eventually('a new term after the wipe', async () => (await epochOf(admin, prefix)) > 0, 10_000);
    const epochAfter = await epochOf(admin, prefix);
    console.log(`flushall: fencing epoch before the wipe ${epochBefore}, after ${epochAfter}`);
    expect(epochAfter).toBeGreaterThan(epochBefore);
    // Held stops are `deferred`, not errors, and logged as one warning per reason (not one per stop per retry).
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const actions = (result: string): number => Number(metrics.match(new RegExp(`^esr_actions_total\\{type="stopTask",result="${result}"\\} (\\d+)`, 'm'))?.[1] ?? NaN);
    expect(actions('deferred')).toBeGreaterThan(0);
    expect(actions('error')).toBe(0);
    const warnings = daemon.output().split('\n').filter((l) => /"level":40\b/.test(l));
    expect(warnings.filter((l) => /stop.*deferred/.test(l)).length, warnings.join('\n')).toBeLessThanOrEqual(2);
    expect(warnings.filter((l) => /"action":"stopTask"/.test(l)), 'no per-stop warnings').toEqual([]);

    const released = await run(process.execPath, [bin, 'brake', 'release', '--by', 'test'], { env: { ...process.env, ...env } });
    expect(released.stdout).toMatch(/brake release requested/);
    await eventually('brake released in /metrics', async () => (await brakeMetric(httpPort)) === 0, 10_000);
    await eventually('the release logged', () => /safety brake released by operator/.test(daemon.output()), 10_000);
    // Released: the operator accepted the empty desired state, so the orphans go (under the budget).
    await eventually('stops resume after the release', () => stops() > 0, 15_000);
    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  });
});
