/**
 * Two real `reconciler run` processes against one Redis and one simulator, each behind its own
 * counting proxy (mutating calls counted per replica at the simulator's door):
 * - only the leader mutates; SIGKILL the leader: the other takes over within lease + one resync,
 *   zero duplicate tasks;
 * - SIGSTOP the leader longer than the lease, the other takes over, SIGCONT: its stale writes are
 *   rejected by fencing, no duplicate tasks, no status regression.
 */
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import { connectSessionClient, type SessionClient } from '../../src/desired/client.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import { spawnDaemon, type DaemonProcess } from '../support/daemon-process.js';
import { connectTestRedis, deleteByPrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';
import { eventually, stackEnv, startSim } from '../support/stack.js';
import { duplicates, epochOf, HA_ENV, leaderPid, startCountingProxy, startRedisProxy } from '../leader/support/ha-harness.js';

const LEASE_MS = Number(HA_ENV.RECONCILER_LEADER_LEASE_MS);
const RESYNC_MS = 2000; // stackEnv
const redis = connectTestRedis();
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
  redis.disconnect();
});

async function setup(extraEnv: Record<string, string> = {}) {
  const { core, sim } = await startSim();
  const prefix = uniquePrefix('esrha');
  const env = stackEnv(sim.url, prefix, { ...HA_ENV, ...extraEnv });
  const proxies = [await startCountingProxy(sim.url), await startCountingProxy(sim.url)] as const;
  const client = connectSessionClient({ env, prefix });
  const procs: DaemonProcess[] = [];
  cleanups.push(async () => {
    for (const p of procs) p.child.kill('SIGKILL');
    await client.close();
    for (const p of proxies) await p.close();
    await sim.close();
    await deleteByPrefix(redis, prefix);
  });
  const spawn = (i: 0 | 1, more: Record<string, string> = {}): DaemonProcess => {
    const p = spawnDaemon({ ...env, AWS_ENDPOINT_URL: proxies[i].url, ...more });
    procs.push(p);
    return p;
  };
  onTestFailed(() => procs.forEach((p, i) => console.log(`--- replica ${i} (pid ${p.child.pid}) output:\n${p.output().slice(-4000)}`)));
  return { core, prefix, proxies, client, spawn };
}

async function ensure(client: SessionClient, from: number, to: number): Promise<void> {
  await Promise.all(Array.from({ length: to - from }, (_, j) => client.ensureSession({ id: `h${from + j}`, userId: `u${from + j}`, template: 'shell', persistence: 'none' })));
}

async function statuses(client: SessionClient): Promise<Map<string, SessionStatus | undefined>> {
  const page = await client.listSessions({ limit: 1000 });
  return new Map(page.sessions.map((e) => [e.id, e.status]));
}

async function allRunning(client: SessionClient, n: number): Promise<boolean> {
  const s = await statuses(client);
  return s.size === n && [...s.values()].every((x) => x?.phase === 'Running');
}

describe('two controllers, one lease', () => {
  it('only the leader mutates; after SIGKILL the follower takes over within lease + one resync with zero duplicates', { timeout: 60_000 }, async () => {
    const { core, prefix, proxies, client, spawn } = await setup();
    await ensure(client, 0, 30);
    const a = spawn(0);
    await eventually('a leads', async () => (await leaderPid(redis, prefix)) === a.child.pid, 15_000);
    const firstEpoch = await epochOf(redis, prefix);
    const b = spawn(1);
    await eventually('30 sessions Running', () => allRunning(client, 30), 30_000);
    await new Promise((r) => setTimeout(r, RESYNC_MS + 500)); // b has synced at least once meanwhile
    expect(proxies[1].mutatingTotal()).toBe(0);
    expect(proxies[0].mutating.get('RunTask')).toBeGreaterThanOrEqual(30);

    await ensure(client, 30, 50); // new work arrives, and the leader dies
    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    expect(await a.exited).toBe('SIGKILL');
    await eventually('b leads', async () => (await leaderPid(redis, prefix)) === b.child.pid, 10_000);
    const takeoverMs = Date.now() - killedAt;
    await eventually('50 sessions Running', () => allRunning(client, 50), 30_000);
    const convergedMs = Date.now() - killedAt;
    const d = duplicates(core);
    console.log(`ha kill: takeover ${takeoverMs} ms (lease ${LEASE_MS}), all 50 Running ${convergedMs} ms after the kill; mutating calls a=${proxies[0].mutatingTotal()} b=${proxies[1].mutatingTotal()}; duplicates ${d.duplicates}; tasks ever launched ${d.everLaunched}`);
    expect(takeoverMs).toBeLessThan(LEASE_MS + RESYNC_MS + 2000); // the bound (lease + one resync), with slack for a loaded CI box
    expect(convergedMs).toBeLessThan(LEASE_MS + RESYNC_MS + 6000);
    expect(d.duplicates).toBe(0);
    expect(d.perSession.size).toBe(50);
    expect(d.everLaunched).toBe(50);
    expect(proxies[1].mutating.get('RunTask') ?? 0).toBeGreaterThan(0);
    expect(await epochOf(redis, prefix)).toBeGreaterThan(firstEpoch);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);
  });

  it('a leader paused past its lease (SIGSTOP) wakes up fenced: stale writes rejected, no duplicates, no status regression', { timeout: 60_000 }, async () => {
    const N = 80;
    const { core, prefix, proxies, client, spawn } = await setup({
      RECONCILER_RATE_LIMITS: JSON.stringify({ buckets: { 'ecs:RunTask': { burst: 5, ratePerSec: 25 }, 'fargate:TaskLaunch': { burst: 5, ratePerSec: 25 } } }),
    });
    await ensure(client, 0, N);
    // a reaches Redis through a proxy: writes a sends just before its pause are held in the
    // network and arrive after the takeover (DDIA's delayed-write case), so fencing must reject them.
    const net = await startRedisProxy(testRedisUrl());
    cleanups.push(() => net.close());
    const a = spawn(0, { REDIS_URL: net.url });
    await eventually('a leads', async () => (await leaderPid(redis, prefix)) === a.child.pid, 15_000);
    const firstEpoch = await epochOf(redis, prefix);
    const b = spawn(1);
    await eventually('a is mid-burst', () => (proxies[0].mutating.get('RunTask') ?? 0) >= 20, 20_000);
    net.freeze();
    await new Promise((r) => setTimeout(r, 300)); // a keeps writing launch intents into the frozen network
    a.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    await eventually('b leads', async () => (await leaderPid(redis, prefix)) === b.child.pid, 10_000);
    const takeoverMs = Date.now() - stoppedAt;
    await new Promise((r) => setTimeout(r, Math.max(0, 2 * LEASE_MS - (Date.now() - stoppedAt))));
    const aBeforeWake = proxies[0].mutatingTotal();
    a.child.kill('SIGCONT');
    net.thaw(); // within REDIS_COMMAND_TIMEOUT_MS of the held writes, so they do reach Redis
    await eventually(`${N} sessions Running`, () => allRunning(client, N), 40_000);
    const before = await statuses(client);
    await new Promise((r) => setTimeout(r, RESYNC_MS + 1000)); // a is awake for a full resync period
    const after = await statuses(client);
    const regressions = [...before].filter(([id, s]) => {
      const now = after.get(id);
      return !now || now.phase !== 'Running' || now.incarnation < s!.incarnation || now.observedGeneration < s!.observedGeneration || now.taskArn !== s!.taskArn;
    });
    const out = a.output();
    const fenced = (out.match(/stale write rejected by fencing/g) ?? []).length;
    const d = duplicates(core);
    console.log(`ha stop: takeover ${takeoverMs} ms while paused; stale writes rejected after SIGCONT ${fenced}; a's mutating calls after waking ${proxies[0].mutatingTotal() - aBeforeWake}; duplicates ${d.duplicates}; tasks ever launched ${d.everLaunched}; status regressions ${regressions.length}`);
    expect(takeoverMs).toBeLessThan(LEASE_MS + RESYNC_MS + 2000); // the bound (lease + one resync), with slack for a loaded CI box
    expect(await leaderPid(redis, prefix)).toBe(b.child.pid);
    expect(d.duplicates).toBe(0);
    expect(d.perSession.size).toBe(N);
    expect(d.everLaunched).toBe(N);
    expect(regressions).toEqual([]);
    expect(fenced).toBeGreaterThan(0);
    expect(await epochOf(redis, prefix)).toBeGreaterThan(firstEpoch);
    expect(a.child.exitCode).toBeNull(); // a lives on as a follower
  });
});
