/** The Redis contract suites on a master, a replica and 3 Sentinels (quorum 2, down-after 2 s). */
import { redisContractSuites } from './suites.js';

redisContractSuites('sentinel');
