import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/common/clock.js';
import { SeededRng } from '../../../src/common/rng.js';
import { ExponentialJitterLimiter } from '../../../src/controller/queue/exponential-jitter-limiter.js';
import { MaxOfLimiter } from '../../../src/controller/queue/max-of-limiter.js';
import { OverallBucketLimiter } from '../../../src/controller/queue/overall-bucket-limiter.js';
import { RateLimitingQueue } from '../../../src/controller/queue/rate-limiting-queue.js';

describe('ExponentialJitterLimiter (full jitter)', () => {
  it('every delay lies in [0, min(cap, base * 2^failures))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.integer({ min: 1, max: 100 }), fc.integer(), fc.integer({ min: 1, max: 40 }),
        (baseMs, capFactor, seed, attempts) => {
          const capMs = baseMs * capFactor;
          const l = new ExponentialJitterLimiter<string>({ baseMs, capMs, rng: new SeededRng(seed) });
          for (let n = 0; n < attempts; n++) {
            const d = l.when('k');
            expect(d).toBeGreaterThanOrEqual(0);
            expect(d).toBeLessThan(Math.min(capMs, baseMs * 2 ** n));
          }
          expect(l.numRequeues('k')).toBe(attempts);
        }),
    );
  });

  it('ceilings grow exponentially and are capped; samples fill the range; forget resets', () => {
    const l = new ExponentialJitterLimiter<string>({ baseMs: 100, capMs: 5000, rng: new SeededRng(7) });
    expect([0, 1, 2, 5, 6, 30].map((n) => l.ceilingMs(n))).toEqual([100, 200, 400, 3200, 5000, 5000]);
    const samples: number[] = [];
    for (let i = 0; i < 2000; i++) {
      l.forget('k');
      for (let n = 0; n < 10; n++) samples.push(l.when('k'));
    }
    // Jitter covers the range at the cap (not always near 0, not always near the ceiling).
    expect(Math.max(...samples)).toBeGreaterThan(4500);
    expect(Math.min(...samples)).toBeLessThan(50);
    l.forget('k');
    expect(l.numRequeues('k')).toBe(0);
    expect(l.when('k')).toBeLessThan(100);
  });

  it('rejects a cap below the base', () => {
    expect(() => new ExponentialJitterLimiter({ baseMs: 100, capMs: 10, rng: new SeededRng(1) })).toThrow(/baseMs=100 capMs=10/);
  });
});

describe('MaxOfLimiter with an overall bucket', () => {
  it('takes the longest delay of its limiters', () => {
    const clock = new VirtualClock(0);
    const overall = new OverallBucketLimiter<string>({ clock, ratePerSec: 10, burst: 2 });
    const perKey = new ExponentialJitterLimiter<string>({ baseMs: 1, capMs: 1, rng: new SeededRng(3) });
    const l = new MaxOfLimiter<string>(perKey, overall);
    expect(l.when('a')).toBeLessThan(1);
    expect(l.when('b')).toBeLessThan(1);
    expect(l.when('c')).toBeCloseTo(100); // bucket empty: the 3rd token exists 100 ms later
    expect(l.when('d')).toBeCloseTo(200);
    expect(l.numRequeues('a')).toBe(1);
  });
});

describe('RateLimitingQueue.addRateLimited', () => {
  it('requeues after a jittered backoff that grows with failures and resets on forget', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ExponentialJitterLimiter<string>({ baseMs: 1000, capMs: 8000, rng: new SeededRng(11) });
    const q = new RateLimitingQueue<string>({ clock, rateLimiter: limiter });
    for (let n = 0; n < 5; n++) {
      const before = clock.now();
      q.addRateLimited('k');
      const readyAt = q.readyAt('k') ?? before;
      expect(readyAt - before).toBeLessThan(Math.min(8000, 1000 * 2 ** n));
      await clock.advance(readyAt - before);
      expect(q.tryGet()).toBe('k');
      q.done('k');
    }
    expect(q.numRequeues('k')).toBe(5);
    q.forget('k');
    expect(q.numRequeues('k')).toBe(0);
  });
});
