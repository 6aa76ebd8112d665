/**
 * stallSafeTimeout: an answer that reached the socket while the event loop was stalled past the
 * deadline settles the call (a plain timer deadline fails it: Node runs due timers before it
 * polls sockets); a call with no answer still fails, one loop turn after its deadline.
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { StallSafeTimeoutError, stallSafeTimeout } from '../../src/common/stall-safe-timeout.js';
import { testRedisUrl, uniquePrefix } from '../support/redis.js';

/** Longest a stall waits for Redis to execute the command (a bound, so a broken setup fails instead of hanging). */
const STALL_BOUND_MS = 20_000;

/**
 * Blocks the event loop (a stand-in for a long garbage collection) until Redis has executed this
 * test's INCR (read from another connection, synchronously, with redis-cli: Redis has then written
 * the INCR's reply, which waits in this process's socket) and at least `minMs` have passed.
 * Throws after STALL_BOUND_MS.
 */
function stallUntilExecuted(key: string, value: number, minMs: number): void {
  const start = performance.now();
  while (spawnSync('redis-cli', ['-u', testRedisUrl(), 'GET', key], { encoding: 'utf8' }).stdout.trim() !== String(value)) {
    if (performance.now() - start > STALL_BOUND_MS) throw new Error(`Redis did not show ${key} = ${value} within ${STALL_BOUND_MS} ms (redis-cli -u ${testRedisUrl()})`);
  }
  while (performance.now() < start + minMs) {
    // busy
  }
}

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

describe('stallSafeTimeout', () => {
  it('settles a call whose answer arrived while the event loop stalled past the deadline', async () => {
    // ioredis (it handles the URL's password, TLS and database) with no command timer of its own.
    const redis = new Redis(testRedisUrl(), { maxRetriesPerRequest: 1 });
    closers.push(() => redis.disconnect());
    await redis.ping(); // connected: a command is written to the socket when it is called
    const key = `${uniquePrefix('esrtest-stall')}:n`;
    closers.push(() => void spawnSync('redis-cli', ['-u', testRedisUrl(), 'DEL', key]));
    for (let i = 1; i <= 3; i++) {
      const call = stallSafeTimeout(redis.incr(key), 20);
      stallUntilExecuted(key, i, 60); // the reply is in the socket, and the deadline long past, when the loop resumes
      await expect(call).resolves.toBe(i);
    }
  });

  it('fails a call with no answer, after its deadline, naming it', async () => {
    const never = new Promise<string>(() => undefined);
    const err = await stallSafeTimeout(never, 10, 'XREAD timed out').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StallSafeTimeoutError);
    expect((err as Error).message).toBe('XREAD timed out');
  });

  it("passes the call's own failure through, and no deadline when ms is undefined", async () => {
    await expect(stallSafeTimeout(Promise.reject(new Error('connection closed')), 1000)).rejects.toThrow('connection closed');
    const call = Promise.resolve(7);
    expect(stallSafeTimeout(call, undefined)).toBe(call);
  });
});
