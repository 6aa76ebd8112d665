/** The gateway client: its contract on memory and the shared Redis, and what needs no Redis at all. */
import { describe, expect, it } from 'vitest';
import { connectSessionClient } from '../../src/desired/client.js';
import { isRedisUnavailableError } from '../../src/desired/errors.js';
import { sharedRedisTarget } from '../support/redis-targets.js';
import { memoryClientSetup, redisClientSetup, sessionClientContract } from './client-contract.js';

sessionClientContract('memory', memoryClientSetup);
sessionClientContract('redis', redisClientSetup(sharedRedisTarget));

describe('SessionClient without Redis', () => {
  it('fails with RedisUnavailableError instead of hanging', async () => {
    const client = connectSessionClient({ env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_COMMAND_TIMEOUT_MS: '300' } });
    try {
      await expect(client.ensureSession({ id: 's1', userId: 'u', template: 'shell' })).rejects.toSatisfy(isRedisUnavailableError);
    } finally {
      await client.close();
    }
  });
});
