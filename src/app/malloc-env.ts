/**
 * glibc allocator settings of the daemon's image (deploy/Dockerfile sets them with `ENV`; the
 * scale benchmark, scenario 9, gives them to the daemon it measures). They are read by glibc
 * when the process starts, so they can only come from the environment (JavaScript has no mallopt).
 *
 * Why (docs/performance.md, finding 7, third round): at 100,000 sessions with a 256 MB heap cap,
 * one pair of runs gave an RSS at the end of a 2 min window / highest in it of 297 / 313 MB with
 * these against 313 / 346 MB with glibc's defaults; the anonymous memory outside the V8 heap
 * (RssAnon minus heap total) was 16-40 MB in five runs with them, 45-64 MB in two without. What
 * they address: by default Node's worker threads (the garbage collector's helpers, libuv's pool)
 * may each get an arena of their own, and after a large buffer is freed glibc raises its mmap
 * threshold (up to 32 MiB), so later large buffers (HTTP answers, Redis replies of a full read)
 * come from the heaps and can leave holes there. Which of the three does most was not separated
 * (`MALLOC_ARENA_MAX=2` alone gave 319 / 327 MB in one earlier run).
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
