import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/common/clock.js';
import { Parking, RateLimitingQueue, runWorkers } from '../../../src/controller/queue/index.js';
import { SeededRng } from '../../../src/common/rng.js';

describe('runWorkers with parking', () => {
  it('a worker parked on a rate limit lends its slot: other keys run while it waits, and it still holds its key', async () => {
    const clock = new VirtualClock(0);
    const queue = new RateLimitingQueue<string>({ clock, rng: new SeededRng(1) });
    const parking = new Parking();
    const done: string[] = [];
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((r) => (releaseSlow = r));
    const pool = runWorkers(queue, 1, async (key) => {
      if (key === 'slow') {
        const unpark = parking.park();
        await slowGate;
        unpark();
      }
      done.push(key);
    }, { parking });
    queue.add('slow');
    await clock.advance(1);
    queue.add('fast-1');
    queue.add('fast-2');
    queue.add('slow'); // re-added while in flight: must wait, never run twice at once
    await clock.advance(1);
    expect(done).toEqual(['fast-1', 'fast-2']);
    expect(queue.isProcessing('slow')).toBe(true);
    releaseSlow();
    await clock.advance(1);
    expect(done).toEqual(['fast-1', 'fast-2', 'slow', 'slow']);
    await pool.shutdown(0);
  });

  it('without parking the same slow key blocks the single worker', async () => {
    const clock = new VirtualClock(0);
    const queue = new RateLimitingQueue<string>({ clock, rng: new SeededRng(1) });
    const done: string[] = [];
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((r) => (releaseSlow = r));
    const pool = runWorkers(queue, 1, async (key) => {
      if (key === 'slow') await slowGate;
      done.push(key);
    });
    queue.add('slow');
    queue.add('fast-1');
    await clock.advance(2);
    expect(done).toEqual([]);
    releaseSlow();
    await clock.advance(1);
    expect(done).toEqual(['slow', 'fast-1']);
    await pool.shutdown(0);
  });
});
