/**
 * A `DesiredStore` decorator that passes every call through and shows each full snapshot to
 * an observer (warm-pool targets, invalid-record count), so metrics need no extra Redis reads.
 */
import type { DesiredSnapshot, DesiredStore } from '../desired/types.js';

export function tapDesiredSnapshots(store: DesiredStore, onSnapshot: (snapshot: DesiredSnapshot) => void): DesiredStore {
  return {
    snapshot: async () => {
      const snapshot = await store.snapshot();
      try {
        onSnapshot(snapshot);
      } catch {
        // An observer must never break the controller's read.
      }
      return snapshot;
    },
    readSession: (id) => store.readSession(id),
    followHints: (from, opts) => store.followHints(from, opts),
  };
}
