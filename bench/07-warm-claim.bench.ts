/**
 * Scenario 7 (real Redis, real time): warm-claim latency. The in-process daemon (production
 * wiring: Redis store, hints stream, guard, SDK clients to the simulator over HTTP) keeps a warm
 * pool larger than the number of claims, so it never runs dry. Each claim, one at a time: the
 * gateway's client writes a session (`ensureSession`) and waits with `waitForReady` (push-based)
 * until the status is Running with an endpoint. Latency = wall time of those two calls.
 * The snapshot read (#3) and queue throughput (#4) are the desired-snapshot and queue benches.
 */
import { percentile, round } from './support/stats.js';
import { idleWarmTasks, startRedisStack } from './support/redis-stack.js';
import { POOL, TEMPLATE } from './support/world.js';
import type { BenchResult } from './types.js';

export const name = '7 warm-claim latency (real Redis, real time)';

export interface ClaimLatencies {
  latenciesMs: number[];
  warmHits: number;
  poolFillMs: number;
}

/** The largest warm pool the configuration accepts (RECONCILER_POOLS maxSize). */
const POOL_MAX = 1000;

/**
 * `claims` claims one after another against a pool of min(claims + margin, 1000) idle tasks; the
 * controller replenishes the pool as tasks are claimed, so it stays non-empty.
 */
export async function measureWarmClaims(claims: number, margin = 20): Promise<ClaimLatencies> {
  const target = Math.min(POOL_MAX, claims + margin);
  const stack = await startRedisStack({ poolMaxSize: target, workers: 32 });
  try {
    const t0 = performance.now();
    await stack.client.setWarmPoolTarget(POOL, target, { template: TEMPLATE });
    while (idleWarmTasks(stack.core) < target) {
      if (performance.now() - t0 > 120_000) throw new Error(`warm pool not filled to ${target} within 120 s (${idleWarmTasks(stack.core)} idle)`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const poolFillMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 500)); // let the last status and pool writes settle
    const latenciesMs: number[] = [];
    let warmHits = 0;
    for (let i = 0; i < claims; i++) {
      const id = `claim-${i}`;
      const t = performance.now();
      const { spec } = await stack.client.ensureSession({ id, userId: `u${i}`, template: TEMPLATE, persistence: 'none' });
      const status = await stack.client.waitForReady(id, { generation: spec.generation, signal: AbortSignal.timeout(30_000) });
      latenciesMs.push(performance.now() - t);
      if (status.warm) warmHits++;
    }
    return { latenciesMs, warmHits, poolFillMs };
  } finally {
    await stack.stop();
  }
}

export async function run({ quick }: { quick: boolean }): Promise<BenchResult> {
  const claims = quick ? 100 : 1000;
  const r = await measureWarmClaims(claims);
  return [
    { metric: 'claims (one at a time, pool never empty)', value: claims, unit: 'claims' },
    { metric: 'served from the warm pool', value: r.warmHits, unit: 'claims', target: `${claims}` },
    { metric: 'ensureSession -> Running with endpoint, p50', value: round(percentile(r.latenciesMs, 50), 2), unit: 'ms' },
    { metric: 'ensureSession -> Running with endpoint, p99', value: round(percentile(r.latenciesMs, 99), 2), unit: 'ms', target: '<= 10 ms' },
    { metric: 'ensureSession -> Running with endpoint, max', value: round(Math.max(...r.latenciesMs), 2), unit: 'ms' },
    { metric: `pool fill to ${Math.min(POOL_MAX, claims + 20)} (set-up, for reference)`, value: Math.round(r.poolFillMs), unit: 'ms' },
  ];
}
