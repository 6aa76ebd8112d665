import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/common/clock.js';
import { TokenBucket } from '../../../src/controller/resilience/token-bucket.js';
import { rankOf, type RequestOrder } from '../../../src/controller/queue/request-order.js';

/** A bucket with no tokens left, so every request below has to wait in line. */
function drained(poolYieldMs = 30_000): { clock: VirtualClock; bucket: TokenBucket } {
  const clock = new VirtualClock(0);
  const bucket = new TokenBucket({ clock, name: 'ecs:RunTask', burst: 10, ratePerSec: 10, poolYieldMs });
  for (let i = 0; i < 10; i++) expect(bucket.tryTake()).toBe(true);
  return { clock, bucket };
}

describe('rate-limit waiters in request order (sessions first, FIFO by request time)', () => {
  it('a pool batch waiting first is overtaken by sessions asked before it and within its yield window, not by later ones', async () => {
    const { clock, bucket } = drained(30_000);
    const served: string[] = [];
    const ask = (key: string, tokens: number, order: RequestOrder): void => void bucket.acquire(tokens, { key, order }).then(() => served.push(key));
    ask('pool:warm', 3, { class: 'pool', requestedAt: 0 });
    ask('s-late', 1, { class: 'session', requestedAt: 40_000 });
    ask('s2', 1, { class: 'session', requestedAt: 5 });
    ask('s1', 1, { class: 'session', requestedAt: 0 });
    ask('s3', 1, { class: 'session', requestedAt: 29_000 });
    expect(bucket.positionOf('s1')).toEqual({ position: 1, estimatedWaitMs: 100 });
    expect(bucket.positionOf('pool:warm')?.position).toBe(4);
    // Estimates count the tokens of everyone ahead: 1 + 1 + 1 + 3 tokens at 10/s.
    expect(bucket.positionOf('pool:warm')?.estimatedWaitMs).toBe(600);
    await clock.advanceUntil(() => served.length === 5, 10_000);
    expect(served).toEqual(['s1', 's2', 's3', 'pool:warm', 's-late']);
  });

  it('a later request ranked before every waiter takes free tokens at once; one ranked behind waits its turn', async () => {
    const clock = new VirtualClock(0);
    const bucket = new TokenBucket({ clock, name: 'b', burst: 10, ratePerSec: 1 });
    for (let i = 0; i < 5; i++) expect(bucket.tryTake()).toBe(true);
    let poolServed = false;
    // The pool asks for more than is there and waits; 5 tokens stay free.
    void bucket.acquire(10, { order: { class: 'pool', requestedAt: 0 } }).then(() => (poolServed = true));
    await bucket.acquire(1, { order: { class: 'session', requestedAt: 0 } });
    expect(bucket.available()).toBeCloseTo(4, 6);
    let laterPoolServed = false;
    void bucket.acquire(1, { order: { class: 'pool', requestedAt: 1 } }).then(() => (laterPoolServed = true));
    await clock.advance(0);
    expect(laterPoolServed).toBe(false);
    await clock.advanceUntil(() => poolServed && laterPoolServed, 60_000);
  });

  it('serves any mix of requests exactly in rank order (ties by arrival)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ pool: fc.boolean(), at: fc.integer({ min: 0, max: 60_000 }), tokens: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 0, max: 40_000 }),
        async (requests, yieldMs) => {
          const { clock, bucket } = drained(yieldMs);
          const served: number[] = [];
          requests.forEach((r, i) => void bucket.acquire(r.tokens, { order: { class: r.pool ? 'pool' : 'session', requestedAt: r.at } }).then(() => served.push(i)));
          await clock.advanceUntil(() => served.length === requests.length, 10_000_000);
          const rank = (i: number): number => rankOf({ class: requests[i]!.pool ? 'pool' : 'session', requestedAt: requests[i]!.at }, yieldMs);
          const expected = requests.map((_, i) => i).sort((a, b) => rank(a) - rank(b) || a - b);
          expect(served).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});
