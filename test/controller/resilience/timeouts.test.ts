import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/common/clock.js';
import { Deadline, DeadlineExceededError } from '../../../src/controller/resilience/deadline.js';
import { loadTimeoutsConfig, TimeoutBudgetError, timeoutsConfigSchema, validateTimeoutBudgets } from '../../../src/controller/resilience/timeouts-config.js';

describe('timeout budget validation', () => {
  it('accepts the defaults (overall >= sum(steps) x 1.5)', () => {
    const cfg = loadTimeoutsConfig();
    const sum = Object.values(cfg.steps).reduce((a, b) => a + b, 0);
    expect(cfg.sessionStartMs).toBeGreaterThanOrEqual(sum * 1.5);
  });

  it('refuses an overall deadline below sum(steps) x 1.5, naming every step, the sum, the factor and the overall', () => {
    const cfg = timeoutsConfigSchema.parse({
      steps: { ensureAccessPoint: 2000, registerTaskDefinition: 1000, runTask: 3000, waitForRunning: 4000, tagResource: 1000 },
      sessionStartMs: 15_000,
    });
    let err: unknown;
    try {
      validateTimeoutBudgets(cfg);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(TimeoutBudgetError);
    const msg = (err as Error).message;
    for (const line of ['ensureAccessPoint: 2000 ms', 'registerTaskDefinition: 1000 ms', 'runTask: 3000 ms', 'waitForRunning: 4000 ms', 'tagResource: 1000 ms', 'sum: 11000 ms']) {
      expect(msg).toContain(line);
    }
    expect(msg).toContain('15000 ms is less than sum(steps) x 1.5 = 11000 ms x 1.5 = 16500 ms');
    expect(err).toMatchObject({ sumMs: 11_000, factor: 1.5, requiredMs: 16_500, overallMs: 15_000 });
    expect(() => loadTimeoutsConfig({ sessionStartMs: 1000 })).toThrow(TimeoutBudgetError);
  });
});

describe('Deadline', () => {
  it('gives each step min(step budget, remaining) and aborts its signal when that passes', async () => {
    const clock = new VirtualClock(0);
    const d = Deadline.in(clock, 10_000);
    expect(d.budgetFor(3000)).toBe(3000);
    await clock.advance(8000);
    expect(d.budgetFor(3000)).toBe(2000);
    const s = d.scope('runTask', 3000);
    expect(s.budgetMs).toBe(2000);
    await clock.advance(1999);
    expect(s.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(s.signal.aborted).toBe(true);
    expect(s.signal.reason).toBeInstanceOf(DeadlineExceededError);
    expect((s.signal.reason as Error).message).toContain('runTask');
    expect(d.expired()).toBe(true);
    expect(d.scope('late', 5000).signal.aborted).toBe(true);
  });

  it('propagates the parent signal and releases its timer on dispose', async () => {
    const clock = new VirtualClock(0);
    const parent = new AbortController();
    const d = Deadline.in(clock, 10_000, parent.signal);
    const s = d.scope('step', 5000);
    parent.abort(new Error('shutdown'));
    expect(s.signal.reason).toEqual(new Error('shutdown'));
    s.dispose();
    const s2 = Deadline.in(clock, 1000).scope('x');
    s2.dispose();
    expect(clock.pendingTimers()).toBe(0);
  });
});
