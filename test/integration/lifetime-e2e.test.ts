/**
 * Session lifetimes end to end: the real daemon (`reconciler run`, a child process) against the
 * simulator over HTTP and real Redis, driven only through the CLI (`session apply --idle-timeout
 * --max-lifetime`, `session touch`, `get sessions`, `describe session`), with seconds-scale
 * bounds. Timing is asserted through the status the daemon wrote (its `expiresAt` and the Ready
 * transition), with a bound a loaded machine does not reach; the exact bounds are pinned on
 * virtual time (test/controller/lifetime.test.ts).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/common/local-redis.js';
import { connectSessionClient } from '../../src/desired/client.js';
import { findCondition, isReady, type SessionStatus } from '../../src/desired/schema.js';
import { spawnDaemon } from '../support/daemon-process.js';
import { connectTestRedis, deleteByPrefix, uniquePrefix } from '../support/redis.js';
import { eventually, stackEnv, startSim } from '../support/stack.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/reconciler.js', import.meta.url).pathname;
const IDLE_S = 12;
const MAX_S = 24;
const RESYNC_S = 2;

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

describe('session lifetimes through the CLI and the real daemon', () => {
  it('touched sessions run on, an untouched one expires (IdleTimeout), max lifetime wins over touches, a touch after expiry is refused, apply starts a new life', async () => {
    const { core, sim } = await startSim();
    const prefix = uniquePrefix('esrlife');
    const port = await freePort();
    const env = stackEnv(sim.url, prefix, { RECONCILER_RESYNC_SECONDS: String(RESYNC_S), RECONCILER_HTTP_HOST: '127.0.0.1', RECONCILER_HTTP_PORT: String(port), RECONCILER_LEADER_ELECTION: 'false' });
    const cli = async (...args: string[]): Promise<string> => (await run(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } })).stdout;
    const client = connectSessionClient({ env, prefix });
    cleanups.push(async () => {
      await client.close();
      await sim.close();
      const redis = connectTestRedis();
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    });
    const daemon = spawnDaemon(env);
    cleanups.push(async () => {
      daemon.child.kill('SIGTERM');
      await daemon.exited;
    });

    const apply = (id: string, ...extra: string[]): Promise<string> => cli('session', 'apply', '--id', id, '--user', `u-${id}`, '--template', 'shell', '--persistence', 'none', '--idle-timeout', String(IDLE_S), ...extra);
    await apply('kept');
    await apply('idle');
    await apply('capped', '--max-lifetime', String(MAX_S));
    const status = async (id: string): Promise<SessionStatus | undefined> => (await client.getSession(id))?.status;
    await eventually('all three Running and Ready', async () => (await Promise.all(['kept', 'idle', 'capped'].map(status))).every(isReady), 60_000);

    // The gateway touches two of them through the CLI until both others have expired.
    const expired = async (id: string): Promise<boolean> => (await status(id))?.phase === 'Expired';
    let touchesOfKept = 0;
    const started = Date.now();
    while (!((await expired('idle')) && (await expired('capped')))) {
      expect(Date.now() - started, 'both sessions expired within their bounds plus slack').toBeLessThan(90_000);
      await cli('session', 'touch', 'kept');
      touchesOfKept++;
      await cli('session', 'touch', 'capped').catch((err: { stderr?: string }) => expect(err.stderr).toMatch(/expired/));
      expect(isReady(await status('kept'))).toBe(true);
    }
    expect(touchesOfKept).toBeGreaterThan(1);

    const idle = (await status('idle'))!;
    expect(findCondition(idle, 'Ready')).toMatchObject({ status: 'False', reason: 'IdleTimeout' });
    expect(findCondition(idle, 'Ready')!.lastTransitionTime).toBeGreaterThanOrEqual(idle.expiresAt!);
    expect(findCondition(idle, 'Ready')!.lastTransitionTime).toBeLessThan(idle.expiresAt! + 20_000);
    const capped = (await status('capped'))!;
    const cappedSpec = (await client.getSession('capped'))!.spec!;
    expect(findCondition(capped, 'Ready')?.reason).toBe('MaxLifetimeExceeded');
    expect(capped.expiresAt).toBe(cappedSpec.createdAt + MAX_S * 1000);

    // The expired sessions' tasks are stopped; the touched one keeps its task.
    await eventually('the expired sessions have no live task', () => {
      const live = core.dump().tasks.filter((t) => t.lastStatus !== 'STOPPED' && t.desiredStatus === 'RUNNING');
      return live.length === 1 && live[0]!.tags['esr:session'] === 'kept';
    }, 30_000);

    // What the operator sees.
    const table = await cli('get', 'sessions');
    expect(table).toMatch(/^ID\s+USER.*\bEND\b/m);
    expect(table).toMatch(/^idle\s.*Expired.*\(IdleTimeout\)/m);
    expect(table).toMatch(/^capped\s.*Expired.*\(MaxLifetimeExceeded\)/m);
    expect(table).toMatch(/^kept\s.*Running.*\d{4}-\d\d-\d\dT/m);
    const described = await cli('describe', 'session', 'idle');
    expect(described).toMatch(/Ended:\s+\d{4}-.*\(IdleTimeout/);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/esr_sessions_expired_total\{reason="IdleTimeout"\} 1\b/);
    expect(metrics).toMatch(/esr_sessions_expired_total\{reason="MaxLifetimeExceeded"\} 1\b/);

    // A touch after expiry is refused (exit 1, says why); apply starts a new life with a new task.
    const refused = await cli('session', 'touch', 'idle').then(() => undefined, (err: { code?: number; stderr?: string }) => err);
    expect(refused?.code).toBe(1);
    expect(refused?.stderr).toMatch(/session idle expired.*ensureSession starts it again/);
    await apply('idle');
    await eventually('the new life of idle Running and Ready', async () => {
      const s = await status('idle');
      return isReady(s) && s!.taskArn !== idle.taskArn;
    }, 60_000);
    expect(await cli('session', 'touch', 'idle')).toMatch(/session idle touched/);

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
  }, 180_000);
});
