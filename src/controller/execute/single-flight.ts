/** One in-flight promise per key: concurrent callers with the same key share the first call. */
export function singleFlight(inflight: Map<string, Promise<void>>, key: string, run: () => Promise<void>): Promise<void> {
  const pending = inflight.get(key);
  if (pending) return pending;
  const p = run().finally(() => inflight.delete(key));
  inflight.set(key, p);
  return p;
}
