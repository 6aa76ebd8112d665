import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { RunTaskTokens } from '../../src/sim/run-task-tokens.js';
import type { RunTaskInput } from '../../src/sim/ecs-schemas.js';

const HOUR = 3_600_000;
const req = (token: string): RunTaskInput => ({ taskDefinition: 'td:1', clientToken: token }) as RunTaskInput;

describe('RunTaskTokens memory', () => {
  it('keeps only the tokens of the last TTL, also those never replayed (bounded over days of launches)', async () => {
    const clock = new VirtualClock(0);
    const tokens = new RunTaskTokens(clock, () => 24 * HOUR);
    // Three days of one launch a minute, none replayed: at most one day's worth stays.
    for (let m = 0; m < 3 * 24 * 60; m++) {
      tokens.remember('c', `t${m}`, req(`t${m}`), [`id${m}`], [`arn${m}`], []);
      await clock.advance(60_000);
    }
    expect(tokens.size()).toBeLessThanOrEqual(24 * 60 + 1);
    expect(tokens.size()).toBeGreaterThanOrEqual(24 * 60 - 1);
    // A token within the TTL still answers its replay; an expired one is gone.
    const last = 3 * 24 * 60 - 1;
    expect(tokens.lookup('c', `t${last}`, req(`t${last}`))?.taskIds).toEqual([`id${last}`]);
    expect(tokens.lookup('c', 't0', req('t0'))).toBeUndefined();
  });

  it('a token remembered again moves to the back of the expiry order', async () => {
    const clock = new VirtualClock(0);
    const tokens = new RunTaskTokens(clock, () => HOUR);
    tokens.remember('c', 'a', req('a'), ['1'], ['arn1'], []);
    tokens.remember('c', 'b', req('b'), ['2'], ['arn2'], []);
    await clock.runUntil(HOUR - 1);
    tokens.remember('c', 'a', req('a'), ['1'], ['arn1'], []);
    await clock.runUntil(HOUR + 10);
    tokens.remember('c', 'z', req('z'), ['3'], ['arn3'], []);
    expect(tokens.lookup('c', 'a', req('a'))?.taskIds).toEqual(['1']);
    expect(tokens.lookup('c', 'b', req('b'))).toBeUndefined();
    expect(tokens.size()).toBe(2);
  });
});
