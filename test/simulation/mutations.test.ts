/**
 * The checker must be able to fail: each deliberately broken controller is caught within a
 * bounded number of seeds, by the invariant that guards what was broken. The schedule is
 * biased towards the faults that exercise the broken part (still random per seed).
 */
import { describe, expect, it } from 'vitest';
import { knownBugOf } from './known-bugs.js';
import { noFencing, noIdempotencyTokens, noOwnershipCheck } from './mutations.js';
import { runSeed } from './run.js';
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
});
