import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { TokenBucket } from '../../src/sim/token-bucket.js';
import { Throttler, DEFAULT_LIMITS } from '../../src/sim/throttle.js';

describe('TokenBucket on a VirtualClock', () => {
  it('starts full, takes all-or-nothing, and refills continuously up to the burst', async () => {
    const clock = new VirtualClock(0);
    const b = new TokenBucket(clock, { burst: 10, refillPerSec: 4 });
    expect(b.tryTake(10)).toBe(true);
    expect(b.tryTake(1)).toBe(false);
    expect(b.msUntil(1)).toBe(250);
    await clock.advance(249);
    expect(b.tryTake(1)).toBe(false);
    await clock.advance(1);
    expect(b.tryTake(1)).toBe(true);
    await clock.advance(500); // 2 tokens
    expect(b.tryTake(3)).toBe(false);
    expect(b.tryTake(2)).toBe(true);
    await clock.advance(60_000);
    expect(b.available()).toBe(10);
    expect(b.msUntil(11)).toBe(Infinity);
  });

  it('rejects negative limits', () => {
    expect(() => new TokenBucket(new VirtualClock(0), { burst: -1, refillPerSec: 1 })).toThrow(/burst/);
  });
});

describe('Throttler', () => {
  it('keeps one bucket per action and a shared task-launch bucket; disabled admits everything', async () => {
    const clock = new VirtualClock(0);
    const t = new Throttler(clock, { ...DEFAULT_LIMITS, actions: { RunTask: { burst: 2, refillPerSec: 1 } }, taskLaunch: { burst: 5, refillPerSec: 1 } });
    expect(t.admitCall('RunTask')).toBe(true);
    expect(t.admitCall('RunTask')).toBe(true);
    expect(t.admitCall('RunTask')).toBe(false);
    expect(t.admitCall('StopTask')).toBe(true);
    expect(t.admitLaunches(5)).toBe(true);
    expect(t.admitLaunches(1)).toBe(false);
    await clock.advance(1000);
    expect(t.admitCall('RunTask')).toBe(true);
    expect(t.admitLaunches(1)).toBe(true);
    const off = new Throttler(clock, { ...DEFAULT_LIMITS, enabled: false, taskLaunch: { burst: 0, refillPerSec: 0 } });
    for (let i = 0; i < 1000; i++) expect(off.admitCall('RunTask')).toBe(true);
    expect(off.admitLaunches(10)).toBe(true);
  });
});
