/** Redis failures become typed errors that say what to do: a wrong-typed key names the remedy. */
import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { DesiredError, RedisUnavailableError } from '../../src/desired/errors.js';
import { toDesiredError } from '../../src/desired/redis-guard.js';

describe('toDesiredError', () => {
  it('a WRONGTYPE reply is a STORE_ERROR that names the operation, the metric and alert naming the key, and the remedy', () => {
    const err = toDesiredError('ensureSession s1', new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value'));
    expect(err).toBeInstanceOf(DesiredError);
    expect(err.code).toBe('STORE_ERROR');
    expect(err.message).toContain('redis rejected ensureSession s1');
    expect(err.message).toContain('EsrStoreKeyWrongType');
    expect(err.message).toContain('delete that key');
  });

  it('other replies carry no such remedy; client failures are RedisUnavailableError', () => {
    expect(toDesiredError('x', new ReplyError('NOSCRIPT No matching script')).message).not.toContain('delete that key');
    expect(toDesiredError('x', new Error('connect ECONNREFUSED'))).toBeInstanceOf(RedisUnavailableError);
  });
});
