import { makeMemoryHarness } from './memory-harness.js';
import { makeRedisHarness } from './redis-harness.js';
import { warmStoreContract } from './warm-contract.js';

warmStoreContract('redis', makeRedisHarness);
warmStoreContract('memory', makeMemoryHarness);
