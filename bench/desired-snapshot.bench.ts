/**
 * Reads a DesiredSnapshot of 100,000 sessions (10,000 with --quick) from real Redis.
 * Every session has a spec and a Running status (the steady state), written pipelined under a
 * unique key prefix that is deleted afterwards.
 *
 * Memory: the heap growth while the snapshot is held (process.memoryUsage().heapUsed after
 * minus before, with gc() first when node runs with --expose-gc; without it the figure also
 * includes garbage not yet collected, so it over-states). External/Buffer memory is reported too.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { locateRedis } from '../src/common/local-redis.js';
import { RedisDesiredStore } from '../src/desired/redis-store.js';
import { SCHEMA_VERSION, type SessionSpec, type SessionStatus } from '../src/desired/schema.js';
import type { BenchRow } from './types.js';
import { deleteStoreKeys } from '../src/desired/delete-prefix.js';

export const name = '7 desired-snapshot read (real Redis)';

const gc = (globalThis as { gc?: () => void }).gc;

function records(i: number, now: number): { spec: SessionSpec; status: SessionStatus } {
  const id = `sess-${i.toString(36).padStart(6, '0')}`;
  return {
    spec: {
      schemaVersion: SCHEMA_VERSION, id, userId: `user-${i % 40_000}`, template: 'shell', env: { TERM: 'xterm-256color', LANG: 'C.UTF-8' },
      persistence: 'preferred', labels: { tier: i % 10 === 0 ? 'pro' : 'free' }, generation: 1, deleted: false, createdAt: now, updatedAt: now,
    },
    status: {
      schemaVersion: SCHEMA_VERSION, phase: 'Running', observedGeneration: 1, taskArn: `arn:aws:ecs:eu-west-1:123456789012:task/prod/${randomBytes(16).toString('hex')}`,
      endpoint: { ip: `10.0.${(i >> 8) & 255}.${i & 255}`, port: 7000 }, incarnation: 1,
      launchIntent: { clientToken: `${id}-i1`, incarnation: 1, requestedAt: now },
      conditions: [{ type: 'Ready', status: 'True', reason: 'TaskRunning', message: '', lastTransitionTime: now }],
      startedAt: now, warm: i % 3 === 0, attempts: 1, updatedAt: now,
    },
  };
}

async function fill(redis: Redis, store: RedisDesiredStore, n: number): Promise<void> {
  const k = store.keys;
  const now = Date.now();
  for (let start = 0; start < n; start += 5000) {
    const pipe = redis.pipeline();
    const ids: string[] = [];
    for (let i = start; i < Math.min(n, start + 5000); i++) {
      const { spec, status } = records(i, now);
      ids.push(spec.id);
      pipe.set(k.sessionSpec(spec.id), JSON.stringify(spec));
      pipe.set(k.sessionStatus(spec.id), JSON.stringify(status));
    }
    pipe.zadd(k.sessionIndex, ...ids.flatMap((id) => [0, id]));
    await pipe.exec();
  }
}


interface Measured {
  ms: number;
  heap: number;
  external: number;
  sessions: number;
  invalid: number;
}

/** Discards one snapshot (JIT warm-up, script cache). */
async function warmUp(store: RedisDesiredStore): Promise<void> {
  await store.snapshot();
}

/**
 * One timed snapshot, measured in its own frame: a suspended async frame can keep its last
 * awaited value alive, which would make "before" include the previous snapshot.
 */
async function measureOnce(store: RedisDesiredStore): Promise<Measured> {
  gc?.();
  const before = process.memoryUsage();
  const t = performance.now();
  const snap = await store.snapshot();
  const ms = performance.now() - t;
  gc?.();
  const after = process.memoryUsage();
  return {
    ms,
    heap: after.heapUsed - before.heapUsed,
    external: after.external + after.arrayBuffers - before.external - before.arrayBuffers,
    sessions: snap.sessions.size,
    invalid: snap.invalidCount,
  };
}

const mb = (bytes: number): number => Math.round((bytes / 2 ** 20) * 10) / 10;

export async function run({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  const n = quick ? 10_000 : 100_000;
  const located = await locateRedis();
  const redis = new Redis(located.url, { maxRetriesPerRequest: 2 });
  const prefix = `esrbench-${randomBytes(4).toString('hex')}`;
  const store = new RedisDesiredStore({ redis, prefix });
  try {
    const t0 = performance.now();
    await fill(redis, store, n);
    const fillMs = performance.now() - t0;
    await warmUp(store);
    const runs: Measured[] = [];
    for (let r = 0; r < 3; r++) runs.push(await measureOnce(store));
    for (const m of runs) {
      if (m.sessions !== n || m.invalid !== 0) throw new Error(`snapshot read ${m.sessions} sessions (${m.invalid} invalid), expected ${n}`);
    }
    const times = runs.map((m) => m.ms);
    const heapDelta = Math.max(...runs.map((m) => m.heap));
    const externalDelta = Math.max(...runs.map((m) => m.external));
    times.sort((a, b) => a - b);
    return [
      { metric: `sessions`, value: n, unit: 'count' },
      { metric: 'fill (pipelined writes, spec+status)', value: Math.round(fillMs), unit: 'ms' },
      { metric: 'snapshot read, best of 3', value: Math.round(times[0]!), unit: 'ms', target: quick ? undefined : '<= 1000 ms' },
      { metric: 'snapshot read, worst of 3', value: Math.round(times[times.length - 1]!), unit: 'ms' },
      { metric: `snapshot heap growth${gc ? ' (after gc)' : ' (no --expose-gc: includes garbage)'}`, value: mb(heapDelta), unit: 'MB', target: quick ? undefined : '<= 200 MB' },
      { metric: 'snapshot external+arrayBuffers growth', value: mb(externalDelta), unit: 'MB' },
    ];
  } finally {
    await deleteStoreKeys(redis, prefix);
    await store.close();
    redis.disconnect();
    await located.stop();
  }
}
