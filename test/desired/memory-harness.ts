/** Builds an in-memory store harness for the contract suites (the twin of redis-harness.ts). */
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import type { Harness, HarnessOptions } from './contract.js';

export async function makeMemoryHarness({ clock, hintsMaxLen, onInvalidRecord }: HarnessOptions): Promise<Harness & { store: MemoryDesiredStore }> {
  const store = new MemoryDesiredStore({ clock, hintsMaxLen, onInvalidRecord });
  return {
    store,
    putRaw: async (record, id, raw) => store.putRaw(record, id, raw),
    setEpoch: async (epoch) => store.setLeaderEpoch(epoch),
    breakFollower: async () => store.simulateReconnect(),
    cleanup: () => store.close(),
  };
}
