/**
 * A Redis key of the wrong data type (`WRONGTYPE`), e.g. a hash where a string belongs. Such a
 * key is bad input, not an outage: the reader reports it and works around it so that one bad key
 * never stops the reconciliation of everything else.
 */

/** True when `err` (or its cause) is Redis's WRONGTYPE reply. */
export function isWrongType(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (e.message.startsWith('WRONGTYPE')) return true;
  return false;
}

/** Resolves `read`, or `fallback()` when Redis answered WRONGTYPE (other errors reject as before). */
export async function orWrongType<T>(read: Promise<T>, fallback: (err: Error) => T): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (isWrongType(err)) return fallback(err as Error);
    throw err;
  }
}
