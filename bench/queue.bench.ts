/**
 * Work-queue throughput with no-op work, and token-bucket accuracy against its configured rate.
 * Targets (issue #4): >= 100,000 keys/s through the queue; the limiter within a few % of its rate.
 */
import { RealClock, VirtualClock, type Clock } from '../src/common/clock.js';
import { SeededRng } from '../src/common/rng.js';
import { RateLimitingQueue } from '../src/controller/queue/rate-limiting-queue.js';
import { runWorkers } from '../src/controller/queue/worker-runner.js';
import { TokenBucket } from '../src/controller/resilience/token-bucket.js';
import type { BenchRow } from './types.js';

export const name = '7 queue throughput (real time)';

async function runnerThroughput(keys: number, concurrency: number): Promise<number> {
  const clock = new RealClock();
  const q = new RateLimitingQueue<string>({ clock, rng: new SeededRng(1) });
  let processed = 0;
  let resolveDone: () => void = () => undefined;
  const allDone = new Promise<void>((r) => { resolveDone = r; });
  const pool = runWorkers(q, concurrency, async () => {
    if (++processed === keys) resolveDone();
  });
  const ids = Array.from({ length: keys }, (_, i) => `session-${i}`);
  const t0 = performance.now();
  for (const id of ids) q.add(id);
  await allDone;
  const seconds = (performance.now() - t0) / 1000;
  await pool.shutdown(1000);
  return keys / seconds;
}

function syncThroughput(keys: number): number {
  const q = new RateLimitingQueue<string>({ clock: new RealClock(), rng: new SeededRng(1) });
  const ids = Array.from({ length: keys }, (_, i) => `session-${i}`);
  const t0 = performance.now();
  for (const id of ids) q.add(id, { priority: (id.length & 1) === 0 ? 'changed' : 'resync' });
  let k: string | undefined;
  while ((k = q.tryGet()) !== undefined) {
    q.forget(k);
    q.done(k);
  }
  return keys / ((performance.now() - t0) / 1000);
}

/** Saturating demand for `seconds`; returns the sustained grant rate after the initial burst. */
async function measuredRate(clock: Clock, advance: (ms: number) => Promise<void>, ratePerSec: number, burst: number, seconds: number): Promise<number> {
  const bucket = new TokenBucket({ clock, name: 'bench:RunTask', burst, ratePerSec });
  let granted = 0;
  let stop = false;
  const start = clock.now();
  const workers = Array.from({ length: 4 }, async () => {
    while (!stop) {
      await bucket.acquire(1);
      if (!stop) granted++;
    }
  });
  await advance(seconds * 1000);
  stop = true;
  const elapsed = (clock.now() - start) / 1000;
  void workers;
  return (granted - burst) / elapsed;
}

/** The machine's floor: one Map.set and one Map.delete per key, nothing else. */
function mapBaseline(keys: number): number {
  const ids = Array.from({ length: keys }, (_, i) => `session-${i}`);
  const m = new Map<string, number>();
  const t0 = performance.now();
  for (const id of ids) m.set(id, t0);
  for (const id of ids) m.delete(id);
  return keys / ((performance.now() - t0) / 1000);
}

export async function run({ quick }: { quick: boolean }): Promise<BenchRow[]> {
  const keys = quick ? 50_000 : 300_000;
  const rows: BenchRow[] = [];
  rows.push({ metric: 'baseline: Map.set + Map.delete per key', value: Math.round(mapBaseline(keys)), unit: 'keys/s' });
  syncThroughput(10_000); // warm-up
  rows.push({ metric: 'queue add+get+done, sync (no runner)', value: Math.round(syncThroughput(keys)), unit: 'keys/s', target: '>= 100000' });
  await runnerThroughput(10_000, 8); // warm-up
  for (const c of [1, 8, 64]) {
    rows.push({ metric: `runWorkers no-op, concurrency ${c}`, value: Math.round(await runnerThroughput(keys, c)), unit: 'keys/s', target: '>= 100000' });
  }
  const v = new VirtualClock(0);
  const vRate = await measuredRate(v, (ms) => v.advance(ms), 20, 20, quick ? 60 : 600);
  rows.push({ metric: 'token bucket 20/s, virtual time, measured', value: vRate.toFixed(3), unit: 'calls/s', target: '20 (error < 1%)' });
  rows.push({ metric: 'token bucket 20/s, virtual time, error', value: ((Math.abs(vRate - 20) / 20) * 100).toFixed(3), unit: '%' });
  const real = new RealClock();
  const rRate = await measuredRate(real, (ms) => new Promise((r) => setTimeout(r, ms)), 20, 20, quick ? 3 : 10);
  rows.push({ metric: 'token bucket 20/s, real time, measured', value: rRate.toFixed(2), unit: 'calls/s', target: '20 (burst 20 absorbs timer slack)' });
  rows.push({ metric: 'token bucket 20/s, real time, error', value: ((Math.abs(rRate - 20) / 20) * 100).toFixed(2), unit: '%' });
  return rows;
}
