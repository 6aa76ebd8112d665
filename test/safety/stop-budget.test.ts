import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { StopBudget } from '../../src/controller/safety/index.js';

describe('StopBudget', () => {
  it('allows N stops a minute, then makes the rest wait until a token refills', async () => {
    const clock = new VirtualClock();
    const budget = new StopBudget(clock, 6); // one token every 10 s
    const first = Array.from({ length: 6 }, () => budget.take());
    expect(first.every((d) => d === 'allow')).toBe(true);
    const seventh = budget.take();
    expect(seventh).toEqual({ wait: 'stop budget of 6/min spent', retryAfterMs: 10_000 });
    await clock.advance(4_000);
    expect(budget.take()).toMatchObject({ retryAfterMs: 6_000 });
    await clock.advance(6_000);
    expect(budget.take()).toBe('allow');
    expect(budget.available()).toBe(0);
    await clock.advance(10 * 60_000);
    expect(budget.available()).toBe(6); // capped at one minute's worth
  });

  it('rejects a budget below 1', () => {
    expect(() => new StopBudget(new VirtualClock(), 0)).toThrow(RangeError);
  });
});
