import { describe, expect, it } from 'vitest';
import { singleFlight } from '../../../src/controller/execute/single-flight.js';

describe('singleFlight', () => {
  it('shares one call among concurrent callers of a key, and calls again once it settled', async () => {
    const inflight = new Map<string, Promise<void>>();
    let calls = 0;
    let release!: () => void;
    const run = () => {
      calls++;
      return new Promise<void>((r) => (release = r));
    };
    const a = singleFlight(inflight, 'k', run);
    const b = singleFlight(inflight, 'k', run);
    const other = singleFlight(inflight, 'other', () => Promise.resolve());
    expect(calls).toBe(1);
    release();
    await Promise.all([a, b, other]);
    expect(inflight.size).toBe(0);
    await singleFlight(inflight, 'k', async () => void calls++);
    expect(calls).toBe(2);
  });

  it('passes a failure to every waiter and forgets it', async () => {
    const inflight = new Map<string, Promise<void>>();
    const fail = () => Promise.reject(new Error('boom'));
    await expect(Promise.all([singleFlight(inflight, 'k', fail), singleFlight(inflight, 'k', fail)])).rejects.toThrow('boom');
    expect(inflight.has('k')).toBe(false);
  });
});
