import { desiredStoreContract } from './contract.js';
import { makeMemoryHarness } from './memory-harness.js';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';

desiredStoreContract('memory', makeMemoryHarness);

describe('memory store sizes', () => {
  it('refresh gates run out as Redis TTL keys do: a day of refreshes of ever new sessions keeps one gate a second', async () => {
    const clock = new VirtualClock(0);
    const store = new MemoryDesiredStore({ clock });
    for (let i = 0; i < 2_000; i++) {
      const id = `s${i}`;
      await store.ensureSession({ id, userId: 'u1', template: 'shell' });
      expect(await store.refreshSession(id)).toBe('requested');
      expect(await store.refreshSession(id)).toBe('rateLimited');
      await clock.advance(40_000);
    }
    expect(store.sizes().refreshGates).toBe(1);
    expect(store.sizes().specs).toBe(2_000);
  });

  it('counts tombstones among specs until they are purged', async () => {
    const clock = new VirtualClock(0);
    const store = new MemoryDesiredStore({ clock });
    store.setLeaderEpoch(1);
    await store.ensureSession({ id: 'a', userId: 'u1', template: 'shell' });
    await store.ensureSession({ id: 'b', userId: 'u1', template: 'shell' });
    await store.deleteSession('a');
    expect(store.sizes()).toMatchObject({ specs: 2, tombstones: 1 });
    const gen = (await store.readSession('a'))!.spec!.generation;
    expect(await store.purgeSession('a', gen, 1)).toBe(true);
    expect(store.sizes()).toMatchObject({ specs: 1, tombstones: 0 });
  });
});
