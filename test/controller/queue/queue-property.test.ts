import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { VirtualClock } from '../../../src/common/clock.js';
import { SeededRng } from '../../../src/common/rng.js';
import { RateLimitingQueue } from '../../../src/controller/queue/rate-limiting-queue.js';
import { ExponentialJitterLimiter } from '../../../src/controller/queue/exponential-jitter-limiter.js';
import { runWorkers } from '../../../src/controller/queue/worker-runner.js';

const keyArb = fc.constantFrom('a', 'b', 'c', 'd', 'e');
const opArb = fc.oneof(
  fc.record({ op: fc.constant('add' as const), key: keyArb, resync: fc.boolean() }),
  fc.record({ op: fc.constant('addAfter' as const), key: keyArb, delay: fc.integer({ min: -10, max: 3000 }) }),
  fc.record({ op: fc.constant('addRateLimited' as const), key: keyArb }),
  fc.record({ op: fc.constant('forget' as const), key: keyArb }),
  fc.record({ op: fc.constant('get' as const) }),
  fc.record({ op: fc.constant('done' as const), pick: fc.nat() }),
  fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2000 }) }),
);

describe('work queue properties (random add/get/done/addAfter/addRateLimited sequences)', () => {
  it('never hands out a held key, and every key is processed after its last add', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 5, maxLength: 150, size: 'max' }), fc.integer(), async (ops, seed) => {
        const clock = new VirtualClock(0);
        const limiter = new ExponentialJitterLimiter<string>({ baseMs: 50, capMs: 2000, rng: new SeededRng(seed) });
        const q = new RateLimitingQueue<string>({ clock, rateLimiter: limiter, agingMs: 500 });
        const held: string[] = [];
        const lastAdd = new Map<string, number>();
        const lastGet = new Map<string, number>();
        let seq = 0;
        const take = (k: string | undefined): void => {
          if (k === undefined) return;
          expect(held).not.toContain(k);
          held.push(k);
          lastGet.set(k, ++seq);
        };
        for (const o of ops) {
          switch (o.op) {
            case 'add': q.add(o.key, { priority: o.resync ? 'resync' : 'changed' }); lastAdd.set(o.key, ++seq); break;
            case 'addAfter': q.addAfter(o.key, o.delay); lastAdd.set(o.key, ++seq); break;
            case 'addRateLimited': q.addRateLimited(o.key); lastAdd.set(o.key, ++seq); break;
            case 'forget': q.forget(o.key); break;
            case 'get': take(q.tryGet()); break;
            case 'done': if (held.length > 0) q.done(held.splice(o.pick % held.length, 1)[0] as string); break;
            case 'advance': await clock.advance(o.ms); break;
          }
        }
        // Drain: finish held keys, let every delay pass, process until quiescent.
        for (let round = 0; round < 1000; round++) {
          for (const k of held.splice(0)) q.done(k);
          let k: string | undefined;
          while ((k = q.tryGet()) !== undefined) take(k);
          if (held.length === 0 && q.delayedLen() === 0 && q.len() === 0) break;
          await clock.advance(2000);
        }
        expect(q.len() + q.delayedLen() + q.inFlight()).toBe(0);
        for (const [key, addSeq] of lastAdd) expect(lastGet.get(key) ?? -1).toBeGreaterThan(addSeq);
      }),
      { numRuns: 200 },
    );
  });

  it('with runWorkers and async handlers, no key runs twice at once and none is lost', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ key: keyArb, at: fc.integer({ min: 0, max: 5000 }), resync: fc.boolean() }), { minLength: 1, maxLength: 60, size: 'max' }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer(),
        async (adds, concurrency, seed) => {
          const clock = new VirtualClock(0);
          const rng = new SeededRng(seed);
          const q = new RateLimitingQueue<string>({ clock, rng });
          const running = new Set<string>();
          const lastAddAt = new Map<string, number>();
          const lastStartAt = new Map<string, number>();
          let failures = 0;
          let overlaps = 0;
          const pool = runWorkers(q, concurrency, async (key) => {
            // Recorded, not thrown: the runner would turn a throw into a retry.
            if (running.has(key)) overlaps++;
            running.add(key);
            lastStartAt.set(key, clock.now());
            await clock.sleep(Math.floor(rng.next() * 300));
            running.delete(key);
            if (rng.next() < 0.2 && failures++ < 20) throw new Error('flaky');
            return undefined;
          });
          for (const a of [...adds].sort((x, y) => x.at - y.at)) {
            await clock.runUntil(a.at);
            q.add(a.key, { priority: a.resync ? 'resync' : 'changed' });
            lastAddAt.set(a.key, clock.now());
          }
          await clock.advanceUntil(() => q.len() + q.delayedLen() + q.inFlight() === 0, 600_000);
          expect(overlaps).toBe(0);
          for (const [key, at] of lastAddAt) expect(lastStartAt.get(key) ?? -1).toBeGreaterThanOrEqual(at);
          const report = await pool.shutdown(1000);
          await pool.finished;
          expect(report.drained).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
