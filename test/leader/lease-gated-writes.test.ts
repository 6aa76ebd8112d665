/**
 * Store writes go out only while this process's own lease view is live: an old leader that wakes
 * from a pause does not send (fencing could only refuse it if the store still held the newer
 * term's epoch). Reads are never gated.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { isLeaseExpiringError } from '../../src/controller/leader/lease-gate.js';
import { leaseGatedWrites, STORE_WRITE_METHODS } from '../../src/controller/leader/lease-gated-writes.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { aStatus } from '../fixtures/builders.js';

describe('lease-gated store writes', () => {
  it('refuses every controller write once the lease view has ended, lets reads through, and writes again once leading', async () => {
    const clock = new VirtualClock(1_000);
    const inner = new MemoryDesiredStore({ clock });
    inner.setLeaderEpoch(5);
    await inner.ensureSession({ id: 's1', userId: 'u1', template: 'shell' });
    let leaseUntil = 2_000;
    const refused: string[] = [];
    const store = leaseGatedWrites(inner, { remainingLeaseMs: () => leaseUntil - clock.now(), retryAfterMs: 2_000, onRefused: (e) => refused.push(e.operation) });

    expect(await store.writeStatus('s1', aStatus({ phase: 'Starting' }), 5)).toEqual({ outcome: 'written' });
    await clock.advance(1_000); // the lease view ends (a pause past the lease)
    const attempts: Array<[string, () => Promise<unknown>]> = [
      ['writeStatus', () => store.writeStatus('s1', aStatus({ phase: 'Running' }), 5)],
      ['purgeSession', () => store.purgeSession('s1', 1, 5)],
      ['claimWarmTask', () => store.claimWarmTask('s1', { pool: 'p', incarnation: 1, at: 1 }, [], 5)],
      ['releaseWarmClaim', () => store.releaseWarmClaim('arn:t', 5)],
      ['reserveForStop', () => store.reserveForStop('arn:t', 1, 5)],
      ['writePoolStatus', () => store.writePoolStatus('p', { target: 0 } as never, 5)],
    ];
    expect(attempts.map(([m]) => m).sort()).toEqual([...STORE_WRITE_METHODS].sort());
    for (const [, attempt] of attempts) await expect(attempt()).rejects.toSatisfy(isLeaseExpiringError);
    expect(refused.sort()).toEqual([...STORE_WRITE_METHODS].sort());
    expect((await store.readSession('s1'))?.status?.phase).toBe('Starting'); // nothing went out; reads pass
    expect((await store.snapshot()).sessions.size).toBe(1);

    leaseUntil = Number.POSITIVE_INFINITY; // leading again (a new term)
    expect(await store.writeStatus('s1', aStatus({ phase: 'Running' }), 5)).toEqual({ outcome: 'written' });
  });
});
