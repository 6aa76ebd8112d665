/**
 * A `DesiredStore` decorator that passes every call through and shows each full snapshot to
 * an observer (warm-pool targets, invalid-record count), so metrics need no extra Redis reads.
 * A Proxy, so methods added to the interface later pass through unchanged.
 */
import type { DesiredSnapshot, DesiredStore } from '../desired/types.js';

export function tapDesiredSnapshots<S extends DesiredStore>(store: S, onSnapshot: (snapshot: DesiredSnapshot) => void): S {
  const snapshot = async (): Promise<DesiredSnapshot> => {
    const s = await store.snapshot();
    try {
      onSnapshot(s);
    } catch {
      // An observer must never break the controller's read.
    }
    return s;
  };
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === 'snapshot') return snapshot;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
