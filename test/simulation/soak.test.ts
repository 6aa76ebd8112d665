/**
 * The short soak in CI: one virtual day of churn at 100 sessions (soak.ts), every in-memory map
 * and desired-store key family within its stated bound (soak-bounds.ts), invariants held, and
 * convergence after the churn. `npm run soak -- --days 7 --sessions 1000` is the long one
 * (docs/simulation.md, "Soak and bounds").
 */
import { describe, expect, it } from 'vitest';
import { formatRows, runSoak } from './soak.js';

describe('soak: nothing grows without bound', () => {
  it('1 virtual day at 100 sessions: every size within its stated bound, invariants held, converged', async () => {
    const r = await runSoak({ days: 1, sessions: 100, seed: 7, resyncMs: 600_000, sampleEveryMs: 60 * 60_000 });
    console.log(`soak: ${(r.virtualMs / 3_600_000).toFixed(1)} virtual h in ${(r.wallMs / 1000).toFixed(1)} s wall; ${JSON.stringify(r.stats)}\n${formatRows(r.rows).join('\n')}`);
    expect(r.violation).toBeUndefined();
    expect(r.stats.convergedAfterMs).toBeDefined();
    // The day really churned: every session was replaced many times over, the pool moved, a leader restarted.
    expect(r.stats.deleted).toBeGreaterThanOrEqual(24 * 60);
    expect(r.stats.recreated).toBeGreaterThan(0);
    expect(r.stats.poolChanges).toBeGreaterThan(0);
    expect(r.stats.restarts).toBeGreaterThan(0);
    // Every family is measured (controller, store, simulator), and each one within its bound.
    for (const name of ['cache.tasks', 'cache.batchesSeen', 'queue.backoffKeys', 'guard.heldByBreaker', 'store.tombstones', 'store.claims', 'store.stopping', 'ecs.runTaskTokens', 'efs.accessPoints']) {
      expect(r.rows.map((x) => x.name)).toContain(name);
    }
    expect(r.failures.map((f) => `${f.name}: ${f.max} > ${f.bound ?? 'none'}`)).toEqual([]);
  }, 600_000);

  it('6 virtual hours at 50 sessions with ECS task events through SQS: the event source, emitter and queue within their bounds too', async () => {
    const r = await runSoak({ days: 0.25, sessions: 50, seed: 11, resyncMs: 600_000, sampleEveryMs: 30 * 60_000, restartEveryMs: 3 * 3_600_000, events: true });
    expect(r.violation).toBeUndefined();
    expect(r.stats.convergedAfterMs).toBeDefined();
    expect(r.rows.map((x) => x.name)).toEqual(expect.arrayContaining(['events.tracked', 'events.deliveries', 'sqs.messages']));
    expect(r.failures.map((f) => `${f.name}: ${f.max} > ${f.bound ?? 'none'}`)).toEqual([]);
  }, 600_000);

  it('catches a size that grows with churn, and a size with no stated bound', async () => {
    // A deliberately unbounded count: the gateway's spec writes so far (it only ever grows),
    // claimed to be bounded like the store's specs (sessions + a few tombstones).
    const r = await runSoak({
      days: 1 / 24,
      sessions: 20,
      seed: 3,
      restartEveryMs: 0,
      sampleEveryMs: 10 * 60_000,
      extraSizes: (w) => ({ 'leak.specWrites': w.gateway.changes, 'leak.unstated': 1 }),
      extraBounds: { 'leak.specWrites': { bound: 25, rule: 'claimed: as store.specs' } },
    });
    expect(r.violation).toBeUndefined();
    expect(r.failures.map((f) => f.name).sort()).toEqual(['leak.specWrites', 'leak.unstated']);
    expect(r.failures.find((f) => f.name === 'leak.specWrites')!.max).toBeGreaterThan(25);
  }, 600_000);
});
