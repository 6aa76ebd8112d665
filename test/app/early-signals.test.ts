/**
 * A stop signal that arrives while `reconciler run` is still loading its code (before the
 * daemon's own handlers exist) is a clean stop: exit code 0, nothing started. Seen in CI's chaos
 * test, where a controller restarted a moment before the final SIGTERM was killed by it.
 * The signal is delivered with process.emit, which runs the same listeners a real one would.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { catchEarlySignals } from '../../src/app/early-signals.js';
import { runDaemon } from '../../src/app/run-daemon.js';
import { freePort } from '../../src/common/local-redis.js';
import { loadConfig } from '../../src/config/load.js';
import { uniquePrefix } from '../support/redis.js';
import { stackEnv } from '../support/stack.js';

const listeners = () => process.listenerCount('SIGTERM') + process.listenerCount('SIGINT');
let before = 0;
afterEach(() => expect(listeners()).toBe(before));

describe('signals during start-up', () => {
  it('records the first SIGTERM/SIGINT and removes its handlers on release', () => {
    before = listeners();
    const early = catchEarlySignals();
    expect(listeners()).toBe(before + 2);
    process.emit('SIGINT', 'SIGINT');
    expect(early.release()).toBe('SIGINT');
  });

  it('release without a signal returns undefined', () => {
    before = listeners();
    expect(catchEarlySignals().release()).toBeUndefined();
  });

  it('runDaemon after an early SIGTERM returns 0 and starts nothing (its HTTP port stays free)', async () => {
    before = listeners();
    const port = await freePort();
    const config = loadConfig({ ...stackEnv(`http://127.0.0.1:${await freePort()}`, uniquePrefix('esrearly')), RECONCILER_HTTP_HOST: '127.0.0.1', RECONCILER_HTTP_PORT: String(port), RECONCILER_LOG_LEVEL: 'silent' });
    const early = catchEarlySignals();
    process.emit('SIGTERM', 'SIGTERM');
    expect(await runDaemon(config, { earlySignals: early })).toBe(0);
    const probe = createServer();
    await new Promise<void>((resolve, reject) => probe.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((r) => probe.close(r));
  });
});
