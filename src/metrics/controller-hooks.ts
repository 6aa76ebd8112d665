/**
 * Controller hooks that feed metrics: drift kinds from every plan, actions by type and result,
 * reconcile results (controller-runtime labels), and session start latency. Nothing here is
 * called from controller code directly; the daemon merges these hooks into the controller's.
 *
 * Session start: when a plan writes a status that turns a session Running on a new task, the
 * latency is `startedAt - launchIntent.requestedAt` (cold) or `startedAt - spec.updatedAt`
 * (warm: no launch intent; the claim answers the spec write). It is observed only once that
 * status write has succeeded (the executed `writeStatus` event), at most once per task.
 */
import type { ControllerHooks } from '../app/controller-hooks.js';
import type { SessionEntry } from '../desired/types.js';
import type { ResultLabel } from '../controller/queue/index.js';
import type { ControllerRuntimeMetrics } from './controller-runtime-metrics.js';
import type { EsrMetrics } from './esr-metrics.js';

export interface MetricsHooksDeps {
  cr: ControllerRuntimeMetrics;
  esr: EsrMetrics;
  controller: string;
  /** The cached entry of a session (before the plan's actions run). */
  entryOf(sessionId: string): SessionEntry | undefined;
  now(): number;
}

export function controllerMetricsHooks(d: MetricsHooksDeps): ControllerHooks {
  const pendingStart = new Map<string, { path: 'warm' | 'cold'; seconds: number }>();
  return {
    onPlan: (plan) => {
      for (const action of plan.actions) {
        d.esr.drift.inc({ kind: action.drift });
        // A claim makes the session Starting; its start is observed at the Running write that
        // follows once ECS carries the session's identity (path warm, from the spec write).
        if (action.type === 'claimWarm') continue;
        if (action.type !== 'writeStatus' || action.status.phase !== 'Running') continue;
        const entry = d.entryOf(action.sessionId);
        const prev = entry?.status;
        if (prev?.phase === 'Running' && prev.taskArn === action.status.taskArn) continue;
        const from = prev?.launchIntent?.requestedAt ?? (action.status.warm ? entry?.spec?.updatedAt : undefined);
        if (from === undefined) continue;
        const seconds = ((action.status.startedAt ?? d.now()) - from) / 1000;
        if (seconds >= 0) pendingStart.set(action.sessionId, { path: action.status.warm ? 'warm' : 'cold', seconds });
      }
    },
    onEvent: (e) => {
      d.esr.actions.inc({ type: e.action, result: e.outcome });
      if (e.outcome === 'ok' && e.action === 'claimWarm') d.esr.warmClaims.inc({ result: 'hit' });
      if (e.outcome === 'ok' && e.expired) d.esr.sessionsExpired.inc({ reason: e.expired });
      if (e.outcome === 'ok' && e.action === 'launch' && e.drift !== 'SpecChanged' && e.warmPoolEmpty) d.esr.warmClaims.inc({ result: 'miss' });
      if ((e.action !== 'writeStatus' && e.action !== 'claimWarm') || e.sessionId === undefined) return;
      const start = pendingStart.get(e.sessionId);
      if (!start) return;
      pendingStart.delete(e.sessionId);
      if (e.outcome === 'ok') d.esr.sessionStart.observe({ path: start.path }, start.seconds);
    },
    onTaskEvent: (result, info) => {
      d.esr.taskEvents.inc({ result });
      if (info.ageMs !== undefined) d.esr.taskEventAge.observe(info.ageMs / 1000);
    },
    onResult: (_key, label: ResultLabel) => {
      const result = label === 'terminal_error' ? 'error' : label;
      d.cr.reconcileTotal.inc({ controller: d.controller, result });
      if (label === 'error' || label === 'terminal_error') d.cr.reconcileErrors.inc({ controller: d.controller });
      if (label === 'terminal_error') d.cr.terminalReconcileErrors.inc({ controller: d.controller });
    },
  };
}
