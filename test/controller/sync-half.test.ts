import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { RetryPolicy } from '../../src/common/retry-policy.js';
import { SeededRng } from '../../src/common/rng.js';
import { SyncHalf } from '../../src/controller/sync-half.js';

/** A half whose reads take `readMs` of virtual time each and fail while `failing` says so. */
function halfWith(clock: VirtualClock, readMs: number, failing: () => boolean): SyncHalf {
  const half = new SyncHalf({
    name: 'observed',
    read: async () => {
      await clock.sleep(readMs);
      if (failing()) throw new Error('ListTasks failed');
    },
    onSuccess: () => undefined,
    onError: () => undefined,
    clock,
    policy: new RetryPolicy({ baseMs: 1000, capMs: 8000, rng: new SeededRng(1) }),
  });
  half.arm();
  return half;
}

describe('SyncHalf freshness', () => {
  it('names when the last successful read began, not when it ended: a read begun before an event may not show it', async () => {
    const clock = new VirtualClock(0);
    const half = halfWith(clock, 500, () => false);
    const read = half.run();
    await clock.advance(500);
    await read;
    expect(half.lastSuccessBeganAt).toBe(0);
    expect(half.lastSuccessAt).toBe(500);
  });

  it('a failed read leaves the last success as it was; the retry that succeeds moves both', async () => {
    const clock = new VirtualClock(0);
    let failing = false;
    const half = halfWith(clock, 100, () => failing);
    const first = half.run();
    await clock.advance(100);
    await first;
    failing = true;
    const second = half.run().catch(() => undefined);
    await clock.advance(100);
    await second;
    expect(half.retrying).toBe(true);
    expect(half.lastSuccessBeganAt).toBe(0);
    failing = false;
    await clock.advanceUntil(() => half.lastSuccessBeganAt !== 0, 20_000);
    expect(half.lastSuccessBeganAt).toBeGreaterThan(200);
    expect(half.lastSuccessAt).toBe(half.lastSuccessBeganAt! + 100);
  });
});
