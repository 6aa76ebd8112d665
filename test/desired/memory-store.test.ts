import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { desiredStoreContract } from './contract.js';

desiredStoreContract('memory', async ({ clock, hintsMaxLen, onInvalidRecord }) => {
  const store = new MemoryDesiredStore({ clock, hintsMaxLen, onInvalidRecord });
  return {
    store,
    putRaw: async (record, id, raw) => store.putRaw(record, id, raw),
    setEpoch: async (epoch) => store.setLeaderEpoch(epoch),
    breakFollower: async () => store.simulateReconnect(),
    cleanup: () => store.close(),
  };
});
