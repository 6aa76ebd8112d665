import { desiredStoreContract } from './contract.js';
import { makeMemoryHarness } from './memory-harness.js';

desiredStoreContract('memory', makeMemoryHarness);
