import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SeededRng, randomInt } from '../../src/common/rng.js';

describe('VirtualClock', () => {
  it('fires timers in due order, same-instant timers in the order they were set', async () => {
    const clock = new VirtualClock(0);
    const fired: string[] = [];
    clock.setTimer(() => fired.push('b@20'), 20);
    clock.setTimer(() => fired.push('a@10'), 10);
    clock.setTimer(() => fired.push('c@20'), 20);
    await clock.advance(15);
    expect(fired).toEqual(['a@10']);
    expect(clock.now()).toBe(15);
    await clock.advance(5);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
  });

  it('runs promise continuations between timers', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    const loop = async (): Promise<void> => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(100);
        seen.push(clock.now());
      }
    };
    const done = loop();
    await clock.advance(1000);
    await done;
    expect(seen).toEqual([100, 200, 300]);
  });

  it('sleep rejects with the abort reason and cancels its timer', async () => {
    const clock = new VirtualClock(0);
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pendingTimers()).toBe(0);
  });

  it('advanceUntil throws when the condition never holds', async () => {
    const clock = new VirtualClock(0);
    await expect(clock.advanceUntil(() => false, 1000)).rejects.toThrow(/not met/);
  });
});

describe('SeededRng', () => {
  it('replays the same sequence for the same seed and differs across seeds', () => {
    const a = new SeededRng(42);
    const b = new SeededRng(42);
    const c = new SeededRng(43);
    const sa = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(sa);
  });

  it('stays within [0, 1) and covers the range roughly uniformly', () => {
    const rng = new SeededRng(7);
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < 10_000; i++) {
      const x = rng.next();
      expect(x).toBeGreaterThanOrEqual(0);
      expect(x).toBeLessThan(1);
      buckets[randomInt({ next: () => x }, 10)]! += 1;
    }
    for (const n of buckets) expect(n).toBeGreaterThan(800);
  });
});
