/** The demo's one-line-per-second view and its closing summary. */
import type { DaemonParts } from '../app/daemon.js';
import { TAG } from '../observed/model.js';
import type { SimCore } from '../sim/core.js';

export interface DemoCounters {
  actions: number;
  errors: number;
  byDrift: Map<string, number>;
}

function phases(daemon: DaemonParts): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of daemon.controller.cache.sessions.values()) {
    const p = e.spec?.deleted ? 'Deleting' : (e.status?.phase ?? 'New');
    out[p] = (out[p] ?? 0) + 1;
  }
  return out;
}

export function renderLine(t: number, daemon: DaemonParts, core: SimCore, actionsPerSec: number): string {
  const ph = Object.entries(phases(daemon)).sort().map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
  const breakers = `ecs ${daemon.breakers.ecs.state()}, efs ${daemon.breakers.efs.state()}`;
  const stats = core.getStats().total;
  return `[${t.toFixed(1).padStart(5)}s] sessions: ${ph} | breakers: ${breakers} | actions/s ${actionsPerSec} | AWS calls ${stats.calls} (throttled ${stats.throttled}, errors ${stats.errors})`;
}

export function summarize(daemon: DaemonParts, core: SimCore, counters: DemoCounters): { ok: boolean; lines: string[] } {
  const desired = [...daemon.controller.cache.sessions.values()].filter((e) => e.spec && !e.spec.deleted);
  const running = desired.filter((e) => e.status?.phase === 'Running').length;
  const live = core.dump().tasks.filter((t) => t.lastStatus !== 'STOPPED' && t.desiredStatus !== 'STOPPED' && t.tags[TAG.session]);
  const perSession = new Map<string, number>();
  for (const t of live) perSession.set(t.tags[TAG.session]!, (perSession.get(t.tags[TAG.session]!) ?? 0) + 1);
  const duplicates = [...perSession.values()].filter((n) => n > 1).length;
  const stats = core.getStats();
  const ops = Object.entries(stats.byOperation).map(([op, c]) => `${op} ${c!.calls}`).join(', ');
  const drift = [...counters.byDrift].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  const ok = running === desired.length && duplicates === 0;
  return {
    ok,
    lines: [
      '',
      '== summary',
      `sessions desired running: ${desired.length}, Running: ${running} ${ok ? '(converged)' : '(NOT converged)'}`,
      `sessions with more than one live task: ${duplicates}`,
      `actions executed: ${counters.actions} (failed attempts, retried with backoff: ${counters.errors})`,
      `drift fixed: ${drift}`,
      `AWS calls at the simulator: ${stats.total.calls} (mutating ${stats.total.mutatingCalls}, throttled ${stats.total.throttled}, errors ${stats.total.errors}; includes the noisy neighbour): ${ops}`,
    ],
  };
}
