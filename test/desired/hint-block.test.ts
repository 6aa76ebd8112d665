/**
 * The server-side block of a hint read against the client's command timeout (hintBlockMs): half
 * the timeout stays free for the reply of an idle read to be handled, so a pause of the event
 * loop shorter than that does not turn an answered read into a timeout (with a 500 ms margin it
 * did, every ~10 s at 100,000 sessions on Node 24: docs/performance.md, finding 7, third round).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_COMMAND_TIMEOUT_MS } from '../../src/desired/redis-connection.js';
import { DEFAULT_BLOCK_MS, hintBlockMs } from '../../src/desired/redis-hints.js';

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
