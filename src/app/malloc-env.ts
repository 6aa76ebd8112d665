/** Where the image links jemalloc (`ln -s /usr/lib/<arch>-linux-gnu/libjemalloc.so.2`, Debian's multiarch directory). */
export const JEMALLOC_PATH = '/usr/local/lib/libjemalloc.so.2';

/**
 * The daemon's native memory allocator, as its image sets it (deploy/Dockerfile, `ENV`; the scale
 * benchmark, scenario 9, gives the same to the daemon it measures). Allocator settings are read
 * when the process starts, so they can only come from the environment (JavaScript has no mallopt).
 *
 * **jemalloc** (`LD_PRELOAD`): Debian's `libjemalloc2` package, linked by the image at
 * `JEMALLOC_PATH` whatever the architecture, replaces glibc's malloc for Node's own allocations
 * (buffers of HTTP answers and Redis replies, V8's malloc'ed side tables, libuv). Why
 * (docs/performance.md, finding 7, fourth round): at 100,000 sessions on Node 24, the anonymous
 * memory outside the V8 heap (RssAnon minus heap total, which counts committed pages not all
 * touched) was 40-45 MB in three runs with glibc and the settings below, -1 to 35 MB (median 22)
 * in seven runs with jemalloc (45 MB in an eighth that made extra full reads); glibc keeps the holes that freed
 * buffers leave inside its heap, jemalloc returns unused pages to the system after `dirty_decay_ms`.
 * `MALLOC_CONF` (jemalloc's own variable, https://jemalloc.net/jemalloc.3.html, "TUNING" and
 * opt.narenas, opt.dirty_decay_ms): `narenas:2`, two arenas for all threads (the default is four
 * per CPU the container shows); `dirty_decay_ms:1000`, unused dirty pages go back after ~1 s
 * (default 10 s).
 *
 * **glibc's settings**, in force when jemalloc is not loaded (run outside the image without it;
 * with jemalloc loaded glibc's malloc is unused and they change nothing). Measured before jemalloc
 * (finding 7, third round): at 100,000 sessions with a 256 MB heap cap, one pair of runs gave an
 * RSS at the end of a 2 min window / highest in it of 297 / 313 MB with them against 313 / 346 MB
 * with glibc's defaults. What they address: by default Node's worker threads may each get an
 * arena of their own, and after a large buffer is freed glibc raises its mmap threshold (up to
 * 32 MiB), so later large buffers come from the heaps and can leave holes there. Meaning (glibc
 * manual, "Malloc Tunable Parameters",
 * https://www.gnu.org/software/libc/manual/html_node/Malloc-Tunable-Parameters.html):
 * - `MALLOC_ARENA_MAX=1`: one arena for all threads (M_ARENA_MAX);
 * - `MALLOC_MMAP_THRESHOLD_=131072`: blocks of 128 KiB and more are mmapped, so that freeing one
 *   returns its memory to the system; setting it turns the dynamic adjustment off (M_MMAP_THRESHOLD);
 * - `MALLOC_TRIM_THRESHOLD_=131072`: the top of the heap is given back once 128 KiB of it are free
 *   (M_TRIM_THRESHOLD).
 *
 * Not glibc (musl, Alpine): the MALLOC_* variables are ignored; nothing else changes.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = Object.freeze({
  LD_PRELOAD: JEMALLOC_PATH,
  MALLOC_CONF: 'narenas:2,dirty_decay_ms:1000',
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
});

/** Whether `name` is one of the allocator's environment variables (MALLOC_* or LD_PRELOAD). */
export function isAllocatorVariable(name: string): boolean {
  return name === 'LD_PRELOAD' || name.startsWith('MALLOC_');
}

/**
 * Debian's own path of jemalloc for this machine's architecture (what the image links to
 * JEMALLOC_PATH), for running the daemon outside the image; undefined for an architecture Debian
 * names otherwise than here.
 */
export function debianJemallocPath(arch: string = process.arch): string | undefined {
  const multiarch = ({ x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' } as Record<string, string | undefined>)[arch];
  return multiarch ? `/usr/lib/${multiarch}/libjemalloc.so.2` : undefined;
}
