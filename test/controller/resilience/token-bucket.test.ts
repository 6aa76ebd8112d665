import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/common/clock.js';
import { TokenBucket, TokenRequestTooLargeError } from '../../../src/controller/resilience/token-bucket.js';
import { RateLimiterRegistry } from '../../../src/controller/resilience/rate-limiter-registry.js';
import { parseRateLimitsConfig } from '../../../src/controller/resilience/rate-limits-config.js';

describe('TokenBucket on virtual time', () => {
  it('never hands out more than burst + rate x t tokens in any window t', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.record({ at: fc.integer({ min: 0, max: 5000 }), tokens: fc.integer({ min: 1, max: 3 }) }), { minLength: 1, maxLength: 80, size: 'max' }),
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 3 }),
        async (burst, ratePerSec, requests, throttleAt) => {
          const clock = new VirtualClock(0);
          const bucket = new TokenBucket({ clock, name: 'p', burst: Math.max(burst, 3), ratePerSec });
          const grants: Array<{ t: number; tokens: number }> = [];
          const events = [
            ...requests.map((r) => ({ at: r.at, run: () => void bucket.acquire(r.tokens).then(() => grants.push({ t: clock.now(), tokens: r.tokens })) })),
            ...throttleAt.map((at) => ({ at, run: () => bucket.onThrottled() })),
          ].sort((a, b) => a.at - b.at);
          for (const e of events) {
            await clock.runUntil(e.at);
            e.run();
          }
          await clock.advanceUntil(() => grants.length === requests.length, 10_000_000);
          const cap = Math.max(burst, 3);
          for (let i = 0; i < grants.length; i++) {
            let sum = 0;
            for (let j = i; j < grants.length; j++) {
              sum += (grants[j] as { tokens: number }).tokens;
              const windowSec = ((grants[j] as { t: number }).t - (grants[i] as { t: number }).t) / 1000;
              expect(sum).toBeLessThanOrEqual(cap + ratePerSec * windowSec + 1e-9);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('serves waiters first-in first-out and tells each its position and estimated wait', async () => {
    const clock = new VirtualClock(0);
    const b = new TokenBucket({ clock, name: 'ecs:RunTask', burst: 2, ratePerSec: 10 });
    const order: string[] = [];
    for (const k of ['a', 'b', 'c', 'd', 'e']) void b.acquire(1, { key: k }).then(() => order.push(k));
    await clock.advance(0);
    expect(order).toEqual(['a', 'b']);
    expect(b.positionOf('c')).toEqual({ position: 1, estimatedWaitMs: 100 });
    expect(b.positionOf('e')).toEqual({ position: 3, estimatedWaitMs: 300 });
    expect(b.positionOf('a')).toBeUndefined();
    await clock.advance(100);
    expect(order).toEqual(['a', 'b', 'c']);
    await clock.advance(200);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('an aborted waiter leaves the line with the abort reason', async () => {
    const clock = new VirtualClock(0);
    const b = new TokenBucket({ clock, name: 'x', burst: 1, ratePerSec: 1 });
    await b.acquire();
    const ac = new AbortController();
    const p = b.acquire(1, { signal: ac.signal, key: 'k' });
    ac.abort(new Error('gave up'));
    await expect(p).rejects.toThrow('gave up');
    expect(b.waiting()).toBe(0);
  });

  it('refuses a request larger than the bucket', async () => {
    const b = new TokenBucket({ clock: new VirtualClock(0), name: 'fargate:TaskLaunch', burst: 100, ratePerSec: 20 });
    await expect(b.acquire(101)).rejects.toBeInstanceOf(TokenRequestTooLargeError);
  });

  it('slows down multiplicatively on throttling and recovers additively on success', async () => {
    const clock = new VirtualClock(0);
    const b = new TokenBucket({
      clock, name: 'ecs:DescribeTasks', burst: 10, ratePerSec: 20,
      adaptive: { decreaseFactor: 0.5, minRateFraction: 0.1, recoveryFractionPerSuccess: 0.1 },
    });
    b.onThrottled();
    expect(b.ratePerSec).toBe(10);
    expect(b.available()).toBe(0);
    b.onThrottled();
    b.onThrottled();
    b.onThrottled();
    expect(b.ratePerSec).toBe(2); // floor: 10% of 20
    // At the reduced rate a token takes 500 ms instead of 50 ms.
    let got = false;
    void b.acquire().then(() => { got = true; });
    await clock.advance(499);
    expect(got).toBe(false);
    await clock.advance(1);
    expect(got).toBe(true);
    for (let i = 0; i < 5; i++) b.onSuccess();
    expect(b.ratePerSec).toBeCloseTo(12);
    for (let i = 0; i < 50; i++) b.onSuccess();
    expect(b.ratePerSec).toBe(20);
  });
});

describe('RateLimiterRegistry', () => {
  it('shares one bucket per service:operation, with ECS defaults and config overrides', () => {
    const clock = new VirtualClock(0);
    const reg = new RateLimiterRegistry(clock, parseRateLimitsConfig({ buckets: { 'ecs:StopTask': { burst: 5, ratePerSec: 2 } } }));
    expect(reg.bucket('ecs:RunTask')).toBe(reg.bucket('ecs:RunTask'));
    expect(reg.bucket('ecs:RunTask').configuredRatePerSec).toBe(20);
    expect(reg.bucket('fargate:TaskLaunch').burst).toBe(100);
    expect(reg.bucket('ecs:StopTask').burst).toBe(5);
    expect(reg.bucket('ecs:SomethingNew').burst).toBe(20);
    expect(() => parseRateLimitsConfig({ buckets: { RunTask: { burst: 1, ratePerSec: 1 } } })).toThrow(/service:Operation/);
  });

  it('positionOf finds a key waiting on any bucket', async () => {
    const clock = new VirtualClock(0);
    const reg = new RateLimiterRegistry(clock, parseRateLimitsConfig({ buckets: { 'ecs:RunTask': { burst: 1, ratePerSec: 1 } } }));
    await reg.acquire('ecs:RunTask', 1, { key: 'first' });
    void reg.acquire('ecs:RunTask', 1, { key: 's1' });
    void reg.acquire('ecs:RunTask', 1, { key: 's2' });
    expect(reg.positionOf('s2')).toEqual({ bucket: 'ecs:RunTask', position: 2, estimatedWaitMs: 2000 });
    expect(reg.positionOf('nobody')).toBeUndefined();
  });
});
