/** Waiting on a condition (never a fixed sleep), with a generous timeout for a loaded machine. */

/** Polls `check` every `everyMs` until it is true; resolves with the time it took, ms. */
export async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, everyMs = 20): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await check()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** `check`, with a thrown error counting as "not yet" (a node that is still starting or failing over). */
export function tolerant(check: () => Promise<boolean>): () => Promise<boolean> {
  return () => check().catch(() => false);
}
