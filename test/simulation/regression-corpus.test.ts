/**
 * The regression corpus: every seed that once found a bug runs in CI, strictly (known bugs
 * fail here too).
 */
import { describe, expect, it } from 'vitest';
import { REGRESSION_SEEDS } from './regression-seeds.js';
import { replayCommand, runSeed } from './run.js';

describe('deterministic simulation: regression corpus', () => {
  for (const { seed, caught } of REGRESSION_SEEDS) {
    for (const events of [false, true]) {
      it(`seed ${seed}${events ? ' with task events on' : ''} holds every invariant (once caught: ${caught})`, async () => {
        const r = await runSeed({ seed, events });
        expect(r.violation, r.violation ? `${r.violation.message}\n  replay: ${replayCommand(seed, undefined, events)}` : '').toBeUndefined();
        expect(r.convergedAfterMs).toBeDefined();
      }, 120_000);
    }
  }
});
