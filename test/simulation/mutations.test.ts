/**
 * The checker must be able to fail: each deliberately broken controller is caught within a
 * bounded number of seeds, by the invariant that guards what was broken. The schedule is
 * biased towards the faults that exercise the broken part (still random per seed).
 */
import { describe, expect, it } from 'vitest';
import { knownBugOf } from './known-bugs.js';
import { contentBlindClaims, dropGatewayEnv, ignoreExpiry, noFencing, noIdempotencyTokens, noOwnershipCheck, unconditionalStatus } from './mutations.js';
import { runSeed } from './run.js';
import { REGRESSION_SEEDS } from './regression-seeds.js';
import type { ScheduleOptions } from './schedule.js';
import type { Mutation } from './world.js';

/** The most seeds a mutation may survive. */
const MAX_SEEDS = 12;

async function firstCatch(mutation: Mutation, emphasis: ScheduleOptions['emphasis']): Promise<{ seed: number; tried: number; invariant: number; message: string } | undefined> {
  for (let seed = 1; seed <= MAX_SEEDS; seed++) {
    const r = await runSeed({ seed, mutation, schedule: { emphasis } });
    if (r.violation && !knownBugOf(r.violation)) return { seed, tried: seed, invariant: r.violation.invariant, message: r.violation.message };
  }
  return undefined;
}

describe('mutation tests: a broken controller is caught', () => {
  it('(a) RunTask without idempotency tokens: one launch intent starts two tasks (invariant 1)', async () => {
    const caught = await firstCatch(noIdempotencyTokens, 'lostResponses');
    console.log(`no-idempotency caught after ${caught?.tried} seed(s): ${caught?.message}`);
    expect(caught?.invariant).toBe(1);
  }, 180_000);

  it('(b) no ownership check: a foreign task is stopped (invariant 2)', async () => {
    const caught = await firstCatch(noOwnershipCheck, 'foreign');
    console.log(`no-ownership caught after ${caught?.tried} seed(s): ${caught?.message}`);
    expect(caught?.invariant).toBe(2);
  }, 180_000);

  it('(c) a store that ignores fencing tokens: a paused old leader\'s write is accepted (invariant 6)', async () => {
    const caught = await firstCatch(noFencing, 'pausedLeader');
    console.log(`no-fencing caught after ${caught?.tried} seed(s): ${caught?.message}`);
    expect(caught?.invariant).toBe(6);
    expect(caught?.message).toMatch(/fencing token/);
  }, 180_000);

  it('(d) RunTask without the gateway env: a Running+Ready session runs other content than its spec (invariant 8)', async () => {
    const caught = await firstCatch(dropGatewayEnv, undefined);
    console.log(`drop-gateway-env caught after ${caught?.tried} seed(s): ${caught?.message}`);
    expect(caught?.invariant).toBe(8);
  }, 180_000);

  it('(f) content-blind claims (warm tasks handed out, and tasks counted as serving, without comparing the gateway env): invariant 8', async () => {
    const caught = await firstCatch(contentBlindClaims, 'warmEnv');
    console.log(`content-blind-claims caught after ${caught?.tried} seed(s): ${caught?.message}`);
    expect(caught?.invariant).toBe(8);
    expect(caught?.message).toMatch(/env LOCALE/);
  }, 180_000);

  it('(g) lifetimes ignored (no session ever expires): a Running+Ready session past its end (invariant 10)', async () => {
    const caught = await firstCatch(ignoreExpiry, 'lifetimes');
    console.log(`ignore-expiry caught after ${caught?.tried} seed(s): ${caught?.message}`);
    expect(caught?.invariant).toBe(10);
    expect(caught?.message).toMatch(/past its end/);
  }, 180_000);

  it('(e) a store that writes statuses computed for another spec generation: caught on the regression seeds (invariant 6 or 8)', async () => {
    const hits: number[] = [];
    for (const { seed } of REGRESSION_SEEDS) {
      const r = await runSeed({ seed, mutation: unconditionalStatus });
      if (r.violation && !knownBugOf(r.violation)) hits.push(r.violation.invariant);
    }
    console.log(`unconditional-status caught on ${hits.length} of ${REGRESSION_SEEDS.length} regression seeds: invariants ${hits.join(', ')}`);
    expect(hits.length).toBeGreaterThan(0);
    for (const inv of hits) expect([6, 8]).toContain(inv);
  }, 300_000);
});
