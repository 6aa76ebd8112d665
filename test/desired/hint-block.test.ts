/**
 * The server-side block of a hint read against the client's command timeout (hintBlockMs): half
 * the timeout stays free for the reply of an idle read to be handled, so a pause of the event
 * loop shorter than that does not turn an answered read into a timeout (with a 500 ms margin it
 * did, every ~10 s at 100,000 sessions on Node 24: docs/performance.md, finding 7, third round).
 * And a stall longer than that margin does not either: the read's deadline is stall-safe
 * (common/stall-safe-timeout.ts; at a 200 MB heap cap two reads failed so, fourth round).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../../src/desired/redis-connection.js';
import { spawnSync } from 'node:child_process';
import type { Redis } from 'ioredis';
import { DEFAULT_BLOCK_MS, followHintStream, hintBlockMs } from '../../src/desired/redis-hints.js';
import { keyLayout } from '../../src/desired/keys.js';
import type { HintEvent } from '../../src/desired/types.js';
import { connectTestRedis, deleteByPrefix, testRedisUrl, uniquePrefix } from '../support/redis.js';
import { sharedRedisTarget } from '../support/redis-targets.js';

describe('hint read block time', () => {
  it('leaves half the default command timeout as margin for event-loop pauses', () => {
    const block = hintBlockMs(DEFAULT_BLOCK_MS, DEFAULT_COMMAND_TIMEOUT_MS);
    expect(DEFAULT_COMMAND_TIMEOUT_MS - block).toBeGreaterThanOrEqual(DEFAULT_COMMAND_TIMEOUT_MS / 2);
    expect(block).toBe(2500);
  });

  it('keeps a shorter requested block, and blocks at least 1 ms', () => {
    expect(hintBlockMs(300, 5000)).toBe(300);
    expect(hintBlockMs(5000, 1)).toBe(1);
  });

  it('blocks as asked when the client has no command timeout', () => {
    expect(hintBlockMs(5000, undefined)).toBe(5000);
  });
});

describe('hint read through an event-loop stall', () => {
  it('an XREAD answered while the loop stalled past the command timeout is read, not failed (no resync)', async () => {
    const prefix = uniquePrefix('esrtest-hintstall');
    const keys = keyLayout(prefix);
    const base = sharedRedisTarget.connect({ REDIS_COMMAND_TIMEOUT_MS: '200' });
    const admin = connectTestRedis();
    const ac = new AbortController();
    try {
      const events = followHintStream(base, keys, { id: '0-0', seq: 0 }, { signal: ac.signal, blockMs: 100 })[Symbol.asyncIterator]();
      const first = events.next();
      // The follower's connection is blocked in XREAD (named esr-hints-<prefix>-..., flag b).
      const blocked = async (): Promise<string | undefined> => ((await admin.client('LIST')) as string).split('\n').find((l) => l.includes(`name=esr-hints-${prefix}`) && / flags=\w*b/.test(l));
      for (const t0 = performance.now(); !(await blocked()); await new Promise((r) => setImmediate(r))) {
        if (performance.now() - t0 > 20_000) throw new Error('the follower never blocked in XREAD within 20 s');
      }
      // Stall until the server has answered that read (100 ms block) and the 200 ms timeout is long past.
      const end = performance.now() + 400;
      const answered = (): boolean => {
        const list = spawnSync('redis-cli', ['-u', testRedisUrl(), 'CLIENT', 'LIST'], { encoding: 'utf8' }).stdout;
        return !list.split('\n').some((l) => l.includes(`name=esr-hints-${prefix}`) && / flags=\w*b/.test(l));
      };
      while (!answered() || performance.now() < end) {
        if (performance.now() > end + 20_000) throw new Error('Redis did not answer the blocked XREAD within 20 s');
      }
      await admin.xadd(keys.hints, '*', 'k', 'session', 'id', 's1', 'g', '1', 'q', '1');
      const ev = (await first).value as HintEvent;
      expect(ev).toMatchObject({ type: 'hints', hints: [{ kind: 'session', id: 's1', generation: 1 }] });
    } finally {
      ac.abort();
      await deleteByPrefix(admin, prefix);
      admin.disconnect();
      (base as Redis).disconnect();
    }
  });
});
