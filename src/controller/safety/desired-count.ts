/** How many tasks desired state asks for, as the desired-state brake compares it between resyncs. */
import type { DesiredSnapshot } from '../../desired/types.js';

/**
 * Live sessions (tombstones excluded; an invalid spec still counts, the controller keeps its
 * task) plus the warm-pool targets. A drop of this number is what the brake watches.
 */
export function desiredTaskCount(snapshot: Pick<DesiredSnapshot, 'sessions' | 'pools'>): number {
  let n = 0;
  for (const e of snapshot.sessions.values()) if (!e.spec?.deleted) n++;
  for (const p of snapshot.pools.values()) n += p.spec?.target ?? 0;
  return n;
}
