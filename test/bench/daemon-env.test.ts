/**
 * Scenario 9's environment for the daemon it measures (daemonEnv): the image's glibc allocator
 * settings unless the benchmark's own environment sets a variable, glibc's defaults on request,
 * and a clear refusal of any other BENCH_DAEMON_MALLOC value.
 */
import { describe, expect, it } from 'vitest';
import { daemonEnv } from '../../bench/09-daemon-scale.bench.js';
import { MALLOC_ENV } from '../../src/app/malloc-env.js';

const WIRING = { REDIS_URL: 'redis://127.0.0.1:6379' };

describe('scenario 9: the daemon environment', () => {
  it("gives the image's allocator settings by default, and the wiring", () => {
    const env = daemonEnv({ PATH: '/usr/bin' }, WIRING);
    expect(env).toMatchObject({ ...MALLOC_ENV, ...WIRING, PATH: '/usr/bin' });
  });

  it("lets a MALLOC_* variable of the benchmark's environment win over the image's value", () => {
    const env = daemonEnv({ MALLOC_ARENA_MAX: '4' }, WIRING);
    expect(env['MALLOC_ARENA_MAX']).toBe('4');
    expect(env['MALLOC_MMAP_THRESHOLD_']).toBe(MALLOC_ENV['MALLOC_MMAP_THRESHOLD_']);
  });

  it("BENCH_DAEMON_MALLOC=glibc removes every MALLOC_* variable, the benchmark's own too", () => {
    const env = daemonEnv({ BENCH_DAEMON_MALLOC: 'glibc', MALLOC_ARENA_MAX: '4', PATH: '/usr/bin' }, WIRING);
    expect(Object.keys(env).filter((k) => k.startsWith('MALLOC_'))).toEqual([]);
    expect(env['PATH']).toBe('/usr/bin');
  });

  it('refuses any other BENCH_DAEMON_MALLOC value, naming it and the choices', () => {
    expect(() => daemonEnv({ BENCH_DAEMON_MALLOC: 'GLIBC' }, WIRING)).toThrow(/BENCH_DAEMON_MALLOC=GLIBC: expected 'image' .* or 'glibc'/);
  });

  it('BENCH_DAEMON_NODE_OPTIONS replaces NODE_OPTIONS for the daemon', () => {
    const env = daemonEnv({ NODE_OPTIONS: '--inspect', BENCH_DAEMON_NODE_OPTIONS: '--max-old-space-size=224' }, WIRING);
    expect(env['NODE_OPTIONS']).toBe('--max-old-space-size=224');
  });
});
