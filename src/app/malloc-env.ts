/**
 * glibc allocator settings of the daemon's image (deploy/Dockerfile sets them with `ENV`; the
 * scale benchmark, scenario 9, gives them to the daemon it measures). They are read by glibc
 * when the process starts, so they can only come from the environment, never from code.
 *
 * Why (docs/performance.md, finding 7, third round): at 100,000 sessions, with glibc's defaults,
 * ~45-65 MB of the daemon's anonymous memory lay outside the V8 heap; with these, ~33 MB (RSS at
 * the end of a 2 min window 297 MB against 313-315 MB, the same heap cap). Node's worker threads
 * (the V8 garbage collector's helpers, libuv's pool) each get an arena of their own by default,
 * and after a large buffer is freed glibc raises its mmap threshold (up to 32 MiB), so later large
 * buffers (HTTP answers, Redis replies of a full read) come from the heaps and leave holes there.
 *
 * Meaning of each (glibc manual, "Malloc Tunable Parameters",
 * https://www.gnu.org/software/libc/manual/html_node/Malloc-Tunable-Parameters.html):
 * - `MALLOC_ARENA_MAX=1`: one arena for all threads (M_ARENA_MAX);
 * - `MALLOC_MMAP_THRESHOLD_=131072`: blocks of 128 KiB and more are mmapped, so that freeing one
 *   returns its memory to the system; setting it turns the dynamic adjustment off (M_MMAP_THRESHOLD);
 * - `MALLOC_TRIM_THRESHOLD_=131072`: the top of the heap is given back once 128 KiB of it are free
 *   (M_TRIM_THRESHOLD).
 *
 * Not glibc (musl, Alpine): the variables are ignored; nothing else changes.
 */
export const MALLOC_ENV: Readonly<Record<string, string>> = Object.freeze({
  MALLOC_ARENA_MAX: '1',
  MALLOC_MMAP_THRESHOLD_: '131072',
  MALLOC_TRIM_THRESHOLD_: '131072',
});
