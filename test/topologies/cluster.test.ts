/** The Redis contract suites on a 3+3 Redis Cluster (node-timeout 2 s). */
import { redisContractSuites } from './suites.js';

redisContractSuites('cluster');
