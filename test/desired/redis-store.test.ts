import { desiredStoreContract } from './contract.js';
import { makeRedisHarness } from './redis-harness.js';

desiredStoreContract('redis', makeRedisHarness);
