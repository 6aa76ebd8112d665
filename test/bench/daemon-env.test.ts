/**
 * Scenario 9's environment for the daemon it measures (daemonEnv): the image's allocator (jemalloc
 * where this machine has it, and glibc's settings) unless the benchmark's own environment sets a
 * variable, glibc with or without its settings on request, and a clear refusal of any other
 * BENCH_DAEMON_MALLOC value or of a machine without jemalloc.
 */
import { describe, expect, it } from 'vitest';
import { daemonEnv } from '../../bench/09-daemon-scale.bench.js';
import { debianJemallocPath, JEMALLOC_PATH, MALLOC_ENV } from '../../src/app/malloc-env.js';

const WIRING = { REDIS_URL: 'redis://127.0.0.1:6379' };
const DEBIAN = debianJemallocPath()!;
/** A machine with jemalloc at Debian's path only (not the image's). */
const debianOnly = (f: string): boolean => f === DEBIAN;

describe('scenario 9: the daemon environment', () => {
  it("gives the image's allocator by default, jemalloc at this machine's path, and the wiring", () => {
    const env = daemonEnv({ PATH: '/usr/bin' }, WIRING, debianOnly);
    expect(env).toMatchObject({ ...MALLOC_ENV, LD_PRELOAD: DEBIAN, ...WIRING, PATH: '/usr/bin' });
    expect(daemonEnv({}, WIRING, () => true)['LD_PRELOAD']).toBe(JEMALLOC_PATH); // the image's path first
  });

  it('refuses to measure the image\'s allocator on a machine without jemalloc, naming the package and the way out', () => {
    expect(() => daemonEnv({}, WIRING, () => false)).toThrow(/apt-get install libjemalloc2, or BENCH_DAEMON_MALLOC=glibc-tuned/);
    expect(daemonEnv({ LD_PRELOAD: '/opt/my-jemalloc.so' }, WIRING, () => false)['LD_PRELOAD']).toBe('/opt/my-jemalloc.so');
  });

  it("lets an allocator variable of the benchmark's environment win over the image's value", () => {
    const env = daemonEnv({ MALLOC_ARENA_MAX: '4', MALLOC_CONF: 'narenas:1' }, WIRING, debianOnly);
    expect(env['MALLOC_ARENA_MAX']).toBe('4');
    expect(env['MALLOC_CONF']).toBe('narenas:1');
    expect(env['MALLOC_MMAP_THRESHOLD_']).toBe(MALLOC_ENV['MALLOC_MMAP_THRESHOLD_']);
  });

  it("BENCH_DAEMON_MALLOC=glibc-tuned: the image's glibc settings without jemalloc", () => {
    const env = daemonEnv({ BENCH_DAEMON_MALLOC: 'glibc-tuned', LD_PRELOAD: '/x/libjemalloc.so.2', MALLOC_CONF: 'narenas:1' }, WIRING, () => false);
    expect(env['LD_PRELOAD']).toBeUndefined();
    expect(env['MALLOC_CONF']).toBeUndefined();
    expect(env['MALLOC_ARENA_MAX']).toBe(MALLOC_ENV['MALLOC_ARENA_MAX']);
  });

  it("BENCH_DAEMON_MALLOC=glibc removes every allocator variable, the benchmark's own too", () => {
    const env = daemonEnv({ BENCH_DAEMON_MALLOC: 'glibc', MALLOC_ARENA_MAX: '4', LD_PRELOAD: '/x.so', PATH: '/usr/bin' }, WIRING, () => false);
    expect(Object.keys(env).filter((k) => k.startsWith('MALLOC_') || k === 'LD_PRELOAD')).toEqual([]);
    expect(env['PATH']).toBe('/usr/bin');
  });

  it('refuses any other BENCH_DAEMON_MALLOC value, naming it and the choices', () => {
    expect(() => daemonEnv({ BENCH_DAEMON_MALLOC: 'GLIBC' }, WIRING)).toThrow(/BENCH_DAEMON_MALLOC=GLIBC: expected 'image' .*, 'glibc-tuned' .* or 'glibc'/);
  });

  it('BENCH_DAEMON_NODE_OPTIONS replaces NODE_OPTIONS for the daemon', () => {
    const env = daemonEnv({ NODE_OPTIONS: '--inspect', BENCH_DAEMON_NODE_OPTIONS: '--max-old-space-size=224' }, WIRING, debianOnly);
    expect(env['NODE_OPTIONS']).toBe('--max-old-space-size=224');
  });
});
