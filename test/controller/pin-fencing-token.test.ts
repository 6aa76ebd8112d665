import { describe, expect, it } from 'vitest';
import { pinFencingToken } from '../../src/controller/pin-fencing-token.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { isFencedError } from '../../src/desired/errors.js';
import { VirtualClock } from '../../src/common/clock.js';
import { aStatus, T0 } from '../fixtures/builders.js';

describe('the fencing token of a reconcile is the one it began with', () => {
  it('a reconcile that began under term 1 writes with token 1 after the lease moved to term 2, and is fenced', async () => {
    const store = new MemoryDesiredStore({ clock: new VirtualClock(T0) });
    await store.ensureSession({ id: 'a', userId: 'u', template: 'shell' });
    store.setLeaderEpoch(1);
    let term = 1;
    const deps = pinFencingToken({ fencingToken: () => term });
    // The lease is lost and regained (term 2) while the reconcile is in flight.
    term = 2;
    store.setLeaderEpoch(2);
    expect(deps.fencingToken()).toBe(1);
    await expect(store.writeStatus('a', aStatus(), deps.fencingToken())).rejects.toSatisfy(isFencedError);
    // Unpinned, the same write would have slipped through with the new term's token.
    expect((await store.writeStatus('a', aStatus(), term)).outcome).toBe('written');
  });
});
