/** Human-readable rendering of a plan for `reconciler plan`. */
import type { Action } from './actions.js';

function target(a: Action): string {
  switch (a.type) {
    case 'stopTask':
      return a.taskArn.split('/').pop() ?? a.taskArn;
    case 'launch':
      return `incarnation ${a.incarnation}`;
    case 'writeStatus':
      return `phase ${a.status.phase}`;
    case 'ensureTaskDefinition':
      return a.spec.family;
    case 'ensureAccessPoint':
      return `user ${a.userId}`;
    case 'purgeSession':
      return `generation ${a.generation}`;
    case 'launchWarmBatch':
      return `${a.count} warm task${a.count === 1 ? '' : 's'} (batch ${a.batch})`;
    case 'claimWarm':
      return `one of ${a.candidates.length} warm task${a.candidates.length === 1 ? '' : 's'}`;
    case 'tagTask':
    case 'releaseClaim':
      return a.taskArn.split('/').pop() ?? a.taskArn;
  }
}

export function formatPlanTable(actions: readonly Action[]): string {
  if (actions.length === 0) return 'No changes. Desired and observed state match.';
  const rows = actions.map((a) => [a.key, a.type, a.drift, target(a), a.message]);
  const head = ['KEY', 'ACTION', 'DRIFT', 'TARGET', 'WHY'];
  const widths = head.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const fmt = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.slice(0, widths[i]).padEnd(widths[i]!))).join('  ');
  return [fmt(head), ...rows.map(fmt), '', `Plan: ${actions.length} action${actions.length === 1 ? '' : 's'}.`].join('\n');
}
