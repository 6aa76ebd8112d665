/**
 * Fuzzing what AWS says: the whole controller (simulation world, production wiring) runs while
 * a share of the simulator's answers are malformed or cut off. It must read tolerantly or fail
 * the one call with a clear error, never crash or crash-loop: every invariant of the simulation
 * still holds, and once the answers are sound again every session converges.
 */
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../src/common/rng.js';
import { knownBugOf } from '../simulation/known-bugs.js';
import { replayCommand, runSeed } from '../simulation/run.js';
import { subSeed, type Mutation } from '../simulation/world.js';
import { mangleResponses, type ManglerStats } from './response-mangler.js';

function mangled(seed: number, stats: ManglerStats): Mutation {
  let on = true;
  return {
    name: 'mangled-responses',
    wrapCore: (core) => mangleResponses(core, new SeededRng(subSeed(seed, 99)), () => (on ? 0.25 : 0), stats),
    onQuiet: () => {
      on = false;
    },
    impairing: () => on,
  };
}

describe('fuzzing AWS responses (missing fields, unknown enums, wrong types, truncated bodies)', () => {
  it('keeps the loop running and converges once the answers are sound again', async () => {
    const seeds = 12;
    let mangledTotal = 0;
    let truncatedTotal = 0;
    const failures: string[] = [];
    for (let seed = 1; seed <= seeds; seed++) {
      const stats: ManglerStats = { mangled: 0, truncated: 0 };
      const r = await runSeed({ seed, mutation: mangled(seed, stats) });
      mangledTotal += stats.mangled;
      truncatedTotal += stats.truncated;
      if (r.violation && !knownBugOf(r.violation)) failures.push(`seed ${seed}: invariant ${r.violation.invariant}: ${r.violation.message} (${replayCommand(seed)}, with the mangler)`);
      else if (!r.violation) expect(r.convergedAfterMs).toBeDefined();
    }
    console.log(`fuzzed ${seeds} runs: ${mangledTotal} mangled answers (${truncatedTotal} truncated)`);
    expect(mangledTotal).toBeGreaterThan(100);
    expect(truncatedTotal).toBeGreaterThan(10);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 300_000);
});
