/**
 * Chaos with real processes: the simulator over HTTP, a private real redis-server, two
 * controller processes. During a burst of 500 sessions (and 50 deletions) the controllers are
 * SIGKILLed and restarted, SIGSTOPped and SIGCONTed at random, and Redis is restarted on the
 * same port (after an RDB SAVE, so it comes back with its data, minus whatever was written
 * after the save). Then, from outside (the simulator's state and Redis), the invariants of the
 * deterministic simulation: one task per session and per launch intent, foreign tasks never
 * stopped, every wanted session Running with the right endpoint, deleted sessions' tasks gone,
 * no orphans, and a bounded number of mutating calls.
 *
 * Until leader election is wired into the daemon, both controllers act at once: these
 * invariants then hold through idempotency alone, which is itself worth testing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRng, randomInt } from '../../src/common/rng.js';
import { pingRedis, startPrivateRedis } from '../../src/common/local-redis.js';
import { connectSessionClient } from '../../src/desired/client.js';
import { spawnDaemon, type DaemonProcess } from '../support/daemon-process.js';
import { eventually, stackEnv, startSim, TEMPLATES } from '../support/stack.js';

const SESSIONS = 500;
const DELETED = 50;
const CHAOS_MS = 20_000;
const SEED = Number(process.env['CHAOS_SEED'] ?? 9);
const OWNER = 'esr-chaos';

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => undefined);
});

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Starts redis-server on `port` with `dir` as its data directory (loads dump.rdb when present). */
async function redisOnPort(port: number, dir: string): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', 'dump.rdb', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  await eventually('restarted redis answers PING', () => pingRedis('127.0.0.1', port, 200), 10_000);
  return child;
}

async function retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= 50) throw new Error(`${what}: still failing after 50 attempts`, { cause: err });
      await sleep(200);
    }
  }
}

describe('chaos: two controller processes, SIGKILL/SIGSTOP and a Redis restart during a burst', () => {
  it(`keeps every invariant for ${SESSIONS} sessions`, async () => {
    const rng = new SeededRng(SEED);
    const { core, sim } = await startSim();
    cleanups.push(() => sim.close());
    // A private redis-server (we restart it); it is re-launched at once on its port with a data
    // directory of ours, so that a SAVE before the restart lands there (CONFIG SET dir is protected).
    const redis = await startPrivateRedis();
    await redis.stop();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'esr-chaos-'));
    let redisChild: ChildProcess = await redisOnPort(redis.port, dataDir);
    cleanups.push(async () => {
      redisChild.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    const prefix = 'esrchaos';
    const env = stackEnv(sim.url, prefix, { REDIS_URL: redis.url, RECONCILER_OWNER_ID: OWNER, RECONCILER_LOG_LEVEL: 'error', RECONCILER_HTTP_PORT: '0' });
    const client = connectSessionClient({ env, prefix });
    cleanups.push(() => client.close());

    // Tasks that are not ours, with our startedBy; one even carries a session tag.
    const td = core.ecs.registerTaskDefinition({ family: 'other-app', networkMode: 'awsvpc', requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512', containerDefinitions: [{ name: 'app', image: 'other/app:1', essential: true }] }).taskDefinition!.taskDefinitionArn!;
    const foreign = [undefined, 'c-3', 'c-4', 'gone'].map((session) =>
      core.ecs.runTask({ cluster: 'sessions', taskDefinition: td, startedBy: 'esr-reconciler', launchType: 'FARGATE', networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } }, tags: [{ key: 'esr:role', value: 'session' }, ...(session ? [{ key: 'esr:session', value: session }, { key: 'esr:incarnation', value: '0' }] : [])] }).tasks![0]!.taskArn!,
    );

    const procs: Array<DaemonProcess | undefined> = [spawnDaemon(env), spawnDaemon(env)];
    const spawnedAt = [Date.now(), Date.now()];
    const stopped = [false, false];
    cleanups.push(async () => {
      for (const p of procs) {
        p?.child.kill('SIGCONT');
        p?.child.kill('SIGKILL');
      }
    });

    const wanted = new Set<string>();
    const deleted = new Set<string>();
    const burstStart = Date.now();
    const burst = (async () => {
      for (let i = 0; i < SESSIONS; i += 25) {
        await Promise.all(Array.from({ length: 25 }, async (_, j) => {
          const id = `c-${i + j}`;
          await retrying(`ensure ${id}`, () => client.ensureSession({ id, userId: `u-${(i + j) % 40}`, template: 'shell', persistence: (i + j) % 3 === 0 ? 'preferred' : 'none' }));
          wanted.add(id);
        }));
        await sleep(150);
      }
      // Deletions come once tasks run, in the middle of the chaos.
      await sleep(Math.max(0, CHAOS_MS / 2 - (Date.now() - burstStart)));
      for (let i = 0; i < DELETED; i++) {
        const id = `c-${i * 7}`;
        await retrying(`delete ${id}`, () => client.deleteSession(id));
        wanted.delete(id);
        deleted.add(id);
      }
    })();

    const actions: string[] = [];
    let redisRestarted = false;
    const start = Date.now();
    while (Date.now() - start < CHAOS_MS) {
      await sleep(300 + randomInt(rng, 1200));
      const i = randomInt(rng, 2);
      const r = rng.next();
      if (!redisRestarted && Date.now() - start > CHAOS_MS / 3 && r < 0.3) {
        const admin = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
        await admin.save();
        admin.disconnect();
        const exited = new Promise((res) => redisChild.once('exit', res));
        redisChild.kill('SIGKILL');
        await exited;
        await sleep(500 + randomInt(rng, 1500));
        redisChild = await redisOnPort(redis.port, dataDir);
        redisRestarted = true;
        actions.push('redis-restart');
      } else if (stopped[i]) {
        procs[i]!.child.kill('SIGCONT');
        stopped[i] = false;
        actions.push(`SIGCONT ${i}`);
      } else if (r < 0.55) {
        procs[i]!.child.kill('SIGKILL');
        await procs[i]!.exited;
        await sleep(randomInt(rng, 1000));
        procs[i] = spawnDaemon(env);
        spawnedAt[i] = Date.now();
        actions.push(`SIGKILL+restart ${i}`);
      } else {
        procs[i]!.child.kill('SIGSTOP');
        stopped[i] = true;
        actions.push(`SIGSTOP ${i}`);
      }
    }
    await burst;
    for (let i = 0; i < 2; i++) if (stopped[i]) procs[i]!.child.kill('SIGCONT');
    // A gateway re-asserts what it wants after trouble (writes after the RDB save were lost).
    for (const id of wanted) await retrying(`re-ensure ${id}`, () => client.ensureSession({ id, userId: `u-${Number(id.slice(2)) % 40}`, template: 'shell', persistence: Number(id.slice(2)) % 3 === 0 ? 'preferred' : 'none' }));
    for (const id of deleted) await retrying(`re-delete ${id}`, () => client.deleteSession(id));

    const liveOurs = () => core.dump().tasks.filter((t) => t.tags['esr:owner'] === OWNER && t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED');
    const problems = async (): Promise<string[]> => {
      const out: string[] = [];
      const tasks = core.dump().tasks;
      const byArn = new Map(tasks.map((t) => [t.taskArn, t]));
      const page = await client.listSessions({ limit: 1000 });
      const entries = new Map(page.sessions.map((e) => [e.id, e]));
      for (const id of wanted) {
        const st = entries.get(id)?.status;
        const t = st?.taskArn ? byArn.get(st.taskArn) : undefined;
        if (st?.phase !== 'Running' || !t || t.lastStatus !== 'RUNNING' || t.tags['esr:session'] !== id) out.push(`${id}: ${st?.phase ?? 'no status'}`);
        else if (st.endpoint?.ip !== t.privateIp || st.endpoint.port !== TEMPLATES.shell.port) out.push(`${id}: endpoint ${JSON.stringify(st.endpoint)} vs ${t.privateIp}`);
      }
      const perSession = new Map<string, number>();
      for (const t of liveOurs()) perSession.set(t.tags['esr:session'] ?? '-', (perSession.get(t.tags['esr:session'] ?? '-') ?? 0) + 1);
      for (const [id, n] of perSession) {
        if (!wanted.has(id)) out.push(`${id}: ${n} live task(s) but not wanted${deleted.has(id) ? ' (deleted)' : ''}`);
        else if (n > 1) out.push(`${id}: ${n} live tasks`);
      }
      return out;
    };
    let last: string[] = [];
    const waited = await eventually('every invariant at quiescence', async () => (last = await problems()).length === 0, 45_000).catch((err: Error) => {
      throw new Error(`${err.message}: ${last.length} problems, e.g. ${last.slice(0, 5).join('; ')}`);
    });

    const all = core.dump().tasks;
    const perIntent = new Map<string, number>();
    for (const t of all) if (t.tags['esr:owner'] === OWNER) perIntent.set(`${t.tags['esr:session']}/${t.tags['esr:incarnation']}`, (perIntent.get(`${t.tags['esr:session']}/${t.tags['esr:incarnation']}`) ?? 0) + 1);
    const duplicateLaunches = [...perIntent].filter(([, n]) => n > 1);
    const foreignStopped = foreign.filter((arn) => all.find((t) => t.taskArn === arn)?.desiredStatus !== 'RUNNING');
    const stats = core.getStats();
    console.log(`chaos seed ${SEED}: ${actions.join(', ')}; converged ${waited} ms after the chaos; tasks ever ${all.length - foreign.length}; RunTask ${stats.byOperation.RunTask?.calls ?? 0}, StopTask ${stats.byOperation.StopTask?.calls ?? 0}, mutating ${stats.total.mutatingCalls}`);

    expect(redisRestarted || actions.length > 0).toBe(true);
    expect(duplicateLaunches, 'one launch intent, one task').toEqual([]);
    expect(foreignStopped, 'tasks without our owner tag are never stopped').toEqual([]);
    expect(liveOurs()).toHaveLength(wanted.size);
    expect(stats.total.mutatingCalls).toBeLessThan(8 * SESSIONS);
    // Both controllers are still up (a start-up that failed during the Redis restart would have
    // ended its process: a crash loop), and stop cleanly.
    // A process restarted a moment ago may still be in Node's own start-up, before any of our
    // code runs (its SIGTERM is then Node's default: killed). It gets 2 s to reach our entry
    // script, which from its first line turns SIGTERM into a clean stop.
    for (const at of spawnedAt) if (Date.now() - at < 2_000) await sleep(2_000 - (Date.now() - at));
    for (const p of procs) p?.child.kill('SIGTERM');
    for (const p of procs) expect(await p!.exited, p!.output().slice(-2000)).toBe(0);
  }, 120_000);
});
