import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { makeRedisHarness } from './redis-harness.js';
import { warmStoreContract } from './warm-contract.js';

warmStoreContract('redis', makeRedisHarness);
warmStoreContract('memory', async ({ clock }) => {
  const store = new MemoryDesiredStore({ clock });
  return {
    store,
    putRaw: async (record, id, raw) => store.putRaw(record, id, raw),
    setEpoch: async (epoch) => store.setLeaderEpoch(epoch),
    breakFollower: async () => store.simulateReconnect(),
    cleanup: () => store.close(),
  };
});
