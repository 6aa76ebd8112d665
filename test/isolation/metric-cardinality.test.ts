/**
 * Issue 18, item 7: metric label cardinality is bounded by what the operator configured, never by
 * what the gateway writes. A controller wired as in production (real Redis, the simulator over
 * HTTP, /metrics over HTTP) with two configured pools is driven twice: 100 sessions of 100 users,
 * then 300 more sessions of 300 more users, 2,000 pool records under names nobody configured,
 * invalid records of every kind, and failing AWS calls. The series count after the second round
 * equals the count after the first, stays within the README's bound, and no label carries a
 * session id, user id or unconfigured pool name.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyLayout } from '../../src/desired/keys.js';
import { SCHEMA_VERSION } from '../../src/desired/schema.js';
import { UNCONFIGURED_POOL } from '../../src/metrics/esr-metrics.js';
import { parseExposition, startObservedStack, type ObservedStack } from '../app/observed-stack.js';
import { connectTestRedis } from '../support/redis.js';
import { eventually } from '../support/stack.js';

/** The README's bound (Operating it > Metrics reference): series of the process for P configured pools. */
const seriesBound = (configuredPools: number): number => 1000 + 4 * configuredPools;
const POOLS = { 'warm-a': { template: 'shell', maxSize: 3 }, 'warm-b': { template: 'shell', maxSize: 3 } };

let s: ObservedStack;
const redis = connectTestRedis();
beforeAll(async () => {
  s = await startObservedStack({ env: { RECONCILER_POOLS: JSON.stringify(POOLS) } });
}, 60_000);
afterAll(async () => {
  await s?.stop();
  redis.disconnect();
});

async function scrape(): Promise<{ series: Map<string, number>; bytes: number }> {
  const text = await (await fetch(`${s.http.url}/metrics`)).text();
  return { series: parseExposition(text), bytes: Buffer.byteLength(text) };
}

async function round(from: number, n: number): Promise<void> {
  const ids = Array.from({ length: n }, (_, i) => `card-${from + i}`);
  for (let i = 0; i < ids.length; i += 50) {
    await Promise.all(ids.slice(i, i + 50).map((id, j) => s.client.ensureSession({ id, userId: `user-${from + i + j}@example.com`, template: 'shell', persistence: j % 5 === 0 ? 'preferred' : 'none' })));
  }
  await eventually(`${n} sessions Running`, () => ids.every((id) => s.daemon.controller.cache.sessions.get(id)?.status?.phase === 'Running'), 60_000);
}

/** What a misbehaving gateway can write: pools nobody configured, and records of every invalid kind. */
async function strayRecords(count: number): Promise<void> {
  const k = keyLayout(s.prefix);
  const p = redis.pipeline();
  for (let i = 0; i < count; i++) {
    const name = `stray-${i}-${Math.random().toString(36).slice(2, 10)}`;
    p.set(k.pool(name), JSON.stringify({ schemaVersion: SCHEMA_VERSION, name, template: 'shell', target: 5, generation: 1, updatedAt: Date.now() }));
    p.zadd(k.poolIndex, 0, name);
  }
  for (let i = 0; i < 50; i++) {
    const id = `bad-${i}`;
    const kind = i % 4;
    if (kind === 0) p.set(k.sessionSpec(id), 'not json');
    else if (kind === 1) p.set(k.sessionSpec(id), JSON.stringify({ schemaVersion: SCHEMA_VERSION, id, weird: true }));
    else if (kind === 2) p.hset(k.sessionSpec(id), 'a', 'b');
    else p.set(k.sessionSpec(id), 'x'.repeat(70_000));
    p.zadd(k.sessionIndex, 0, id);
  }
  p.zadd(k.sessionIndex, 0, 'Not A Valid Id!');
  await p.exec();
}

function labelValues(series: Map<string, number>): Set<string> {
  const out = new Set<string>();
  for (const key of series.keys()) for (const m of key.matchAll(/="((?:[^"\\]|\\.)*)"/g)) out.add(m[1]!);
  return out;
}

describe('metric label cardinality', () => {
  it('does not grow with sessions, users or pool names the gateway writes', async () => {
    await s.client.setWarmPoolTarget('warm-a', 2, { template: 'shell' });
    await round(0, 100);
    await strayRecords(200);
    const resynced = async (): Promise<void> => {
      const before = s.daemon.controller.cache.observedSyncedAt ?? 0;
      await eventually('a full resync', () => (s.daemon.controller.cache.observedSyncedAt ?? 0) > before, 20_000);
    };
    await resynced();
    const first = await scrape();

    s.core.mergeFaults({ errorRate: { RunTask: 0.2, DescribeTasks: 0.1 } });
    await round(100, 300);
    s.core.mergeFaults({ errorRate: { RunTask: 0, DescribeTasks: 0 } });
    await strayRecords(2000);
    await resynced();
    await resynced();
    const second = await scrape();

    const grown = [...second.series.keys()].filter((key) => !first.series.has(key));
    console.log(`metric series: ${first.series.size} after 100 sessions, ${second.series.size} after 400 sessions and 2,200 stray pools (${second.bytes} bytes); new: ${grown.join(', ') || 'none'}`);
    expect(second.series.size).toBeLessThanOrEqual(seriesBound(Object.keys(POOLS).length));
    // Growth between the rounds only where a series appears with its first observation
    // (an error outcome of an AWS call, a histogram of a path); none per session, user or pool.
    expect(grown.filter((key) => /card-|user-|stray-|bad-/.test(key))).toEqual([]);
    expect(second.series.size - first.series.size).toBeLessThanOrEqual(grown.length);
    const values = labelValues(second.series);
    for (const v of values) expect(v, 'label value').not.toMatch(/^(card-|user-|stray-|bad-)|@example\.com/);
    const pools = [...second.series.keys()].filter((key) => key.includes('pool="')).map((key) => /pool="([^"]*)"/.exec(key)![1]!);
    expect(new Set(pools)).toEqual(new Set(['warm-a', 'warm-b']));
    expect(second.series.get('esr_warm_pool_target{pool="warm-b"}')).toBe(0);
    expect(values.has(UNCONFIGURED_POOL)).toBe(false);
    // A scrape stays small whatever the number of sessions, and health answers during a burst of them.
    expect(second.bytes).toBeLessThan(256 * 1024);
    const burst = Array.from({ length: 20 }, () => fetch(`${s.http.url}/metrics`).then((r) => r.status));
    expect((await fetch(`${s.http.url}/healthz`)).status).toBe(200);
    expect(await Promise.all(burst)).toEqual(Array(20).fill(200));
  }, 180_000);
});
