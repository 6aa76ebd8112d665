/** The gateway client: its contract on memory and the shared Redis, and what needs no Redis at all. */
import { describe, expect, it } from 'vitest';
import { connectSessionClient, failedForGeneration } from '../../src/desired/client.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import { initialStatus } from '../../src/controller/plan/status.js';
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

describe('failedForGeneration', () => {
  const gaveUp = { type: 'Updating', status: 'False', reason: 'StartFailed', message: 'gave up', lastTransitionTime: 0 } as const;
  const starting = { ...gaveUp, status: 'True', reason: 'ReplacementStarting' } as const;
  const st = (over: Partial<SessionStatus>): SessionStatus => ({ ...initialStatus(0), ...over });
  it.each([
    ['Failed for this generation', st({ phase: 'Failed', observedGeneration: 2 }), 2, true],
    ['Failed for an older generation (the new one not looked at yet)', st({ phase: 'Failed', observedGeneration: 1 }), 2, false],
    ['Running on this generation', st({ phase: 'Running', observedGeneration: 2 }), 2, false],
    ['replacement for this generation gave up, old task serving', st({ phase: 'Running', observedGeneration: 1, targetGeneration: 2, conditions: [gaveUp] }), 2, true],
    ['replacement for this generation still starting', st({ phase: 'Running', observedGeneration: 1, targetGeneration: 2, conditions: [starting] }), 2, false],
    ['a replacement for an older generation gave up', st({ phase: 'Running', observedGeneration: 1, targetGeneration: 2, conditions: [gaveUp] }), 3, false],
  ])('%s', (_name, status, generation, expected) => {
    expect(failedForGeneration(status, generation)).toBe(expected);
  });
});
