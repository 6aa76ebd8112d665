/**
 * Turns what the controller reports (plans, executed actions, reconcile results, AWS call
 * outcomes, breaker changes) into per-session events. Attached from outside the controller as
 * hooks and a call-outcome sink. Everything here is synchronous and cheap: the sink buffers.
 *
 * Reasons: a plan's decision is recorded under its drift kind (`MissingTask`, `StuckStarting`);
 * execution under `Launched`, `StopRequested`, `<Action>Failed`, ...; AWS answers under
 * `Throttled`, `AwsError`, `AwsTimeout`, `CircuitOpen`; a failed reconcile under `BackOff`
 * (with `nextAttemptAt`); a recovered dependency under `CircuitClosed`.
 */
import type { ControllerHooks } from '../app/controller-hooks.js';
import type { Action } from '../controller/plan/actions.js';
import type { DriftKind } from '../controller/plan/drift.js';
import type { CallOutcomeEvent, CallOutcomeSink } from '../controller/resilience/call-outcome.js';
import type { DependencyBreaker } from '../controller/resilience/circuit-breaker.js';
import type { SessionPhase } from '../desired/schema.js';
import type { SessionEventSink } from './types.js';

/** Drift kinds worth a Warning (something went wrong, or someone must act). */
const WARNING_DRIFTS: ReadonlySet<DriftKind> = new Set<DriftKind>(['TaskStopped', 'DuplicateTasks', 'StuckStarting', 'StartFailed', 'PersistenceUnavailable', 'InvalidSpec']);

const DONE_REASONS: Partial<Record<Action['type'], string>> = {
  writeStatus: 'StatusWritten',
  launch: 'Launched',
  stopTask: 'StopRequested',
  ensureAccessPoint: 'AccessPointReady',
  ensureTaskDefinition: 'TaskDefinitionReady',
  purgeSession: 'Purged',
};

function pascal(name: string): string {
  return `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

const DEPENDENCY_NAMES: Record<string, string> = { ecs: 'ECS', efs: 'EFS' };
export function dependencyName(service: string): string {
  return DEPENDENCY_NAMES[service] ?? service;
}

export interface RecorderDeps {
  sink: SessionEventSink;
  now(): number;
  /** The cached phase of a session (before a plan's actions run). */
  phaseOf(sessionId: string): SessionPhase | undefined;
  /** When the work queue will hand `key` out again (epoch ms), if it waits. */
  nextAttemptAt(key: string): number | undefined;
  /** Ms until the named dependency's breaker lets a probe through. */
  breakerRetryAfterMs(service: string): number;
}

/** Session ids never contain ':'; work-queue keys that do (`orphan:<arn>`) are not sessions. */
function sessionKey(key: string | undefined): string | undefined {
  return key !== undefined && !key.includes(':') ? key : undefined;
}

export class SessionEventRecorder {
  /** Sessions whose calls an open breaker rejected, by dependency: told when it closes. */
  private readonly heldByBreaker = new Map<string, Set<string>>();
  /** Sessions with a stop the safety gate holds back: told once per episode, not at every retry. */
  private readonly stopDeferred = new Set<string>();

  constructor(private readonly d: RecorderDeps) {}

  hooks(): ControllerHooks {
    return {
      onPlan: (plan) => {
        for (const a of plan.actions) this.planned(a);
      },
      onEvent: (e) => {
        if (!e.sessionId) return;
        const base = { action: e.action, drift: e.drift };
        if (e.action === 'stopTask' && e.outcome !== 'deferred') this.stopDeferred.delete(e.sessionId);
        if (e.outcome === 'ok') {
          if (e.action !== 'writeStatus') this.d.sink.record(e.sessionId, { ...base, type: 'Normal', reason: DONE_REASONS[e.action] ?? `${pascal(e.action)}Done`, message: `${e.action} done (${e.drift})` });
        } else if (e.outcome === 'refused') {
          this.d.sink.record(e.sessionId, { ...base, type: 'Warning', reason: 'StopRefused', message: e.message });
        } else if (e.outcome === 'deferred') {
          if (this.stopDeferred.has(e.sessionId)) return;
          this.stopDeferred.add(e.sessionId);
          this.d.sink.record(e.sessionId, { ...base, type: 'Normal', reason: 'StopDeferred', message: `${e.message} (retried until allowed)` });
        } else if (e.outcome === 'error') {
          this.d.sink.record(e.sessionId, { ...base, type: 'Warning', reason: `${pascal(e.action)}Failed`, message: e.message });
        }
      },
      onResult: (key, label, err) => {
        const id = sessionKey(key);
        if (!id || (label !== 'error' && label !== 'terminal_error')) return;
        const readyAt = label === 'error' ? this.d.nextAttemptAt(key) : undefined;
        const next = readyAt === undefined ? undefined : Math.ceil(readyAt);
        const message = `reconcile failed: ${(err as Error | undefined)?.message ?? String(err)}; ${label === 'error' ? 'retrying with backoff' : 'not retried until the session changes'}`;
        this.d.sink.record(id, { type: 'Warning', reason: 'BackOff', message, ...(next !== undefined ? { nextAttemptAt: next } : {}) });
      },
    };
  }

  private planned(a: Action): void {
    const id = 'sessionId' in a ? a.sessionId : undefined;
    if (!id) return;
    if (a.type === 'writeStatus') {
      const from = this.d.phaseOf(id);
      if (a.drift === 'StatusStale' && from === a.status.phase) return;
      const reason = a.drift === 'StatusStale' ? 'PhaseChanged' : a.drift;
      const message = a.drift === 'StatusStale' ? `${from ?? 'new'} -> ${a.status.phase}: ${a.message}` : a.message;
      this.d.sink.record(id, { type: WARNING_DRIFTS.has(a.drift) ? 'Warning' : 'Normal', reason, message, action: a.type, drift: a.drift });
      return;
    }
    this.d.sink.record(id, { type: WARNING_DRIFTS.has(a.drift) ? 'Warning' : 'Normal', reason: a.drift, message: `decided to ${a.type}: ${a.message}`, action: a.type, drift: a.drift });
  }

  /** A call-outcome sink recording what AWS answered (failures only), then passing on to `inner`. */
  callOutcomeSink(inner?: CallOutcomeSink): CallOutcomeSink {
    return {
      record: (e: CallOutcomeEvent) => {
        this.outcome(e);
        inner?.record(e);
      },
    };
  }

  private outcome(e: CallOutcomeEvent): void {
    const id = sessionKey(e.key);
    if (!id || e.outcome === 'ok' || e.outcome === 'aborted') return;
    const dep = dependencyName(e.service);
    const call = `${dep} ${e.operation}`;
    switch (e.outcome) {
      case 'throttled':
        this.d.sink.record(id, { type: 'Warning', reason: 'Throttled', message: `${call} throttled by AWS${e.waitedMs > 0 ? ` after waiting ${e.waitedMs} ms for client-side rate-limit tokens` : ''}` });
        return;
      case 'timeout':
        this.d.sink.record(id, { type: 'Warning', reason: 'AwsTimeout', message: `${call} gave no answer within its budget (${e.durationMs} ms)` });
        return;
      case 'error':
        this.d.sink.record(id, { type: 'Warning', reason: 'AwsError', message: `${call} failed (${e.kind ?? 'unknown'})` });
        return;
      case 'rejectedByBreaker': {
        let held = this.heldByBreaker.get(e.service);
        if (!held) this.heldByBreaker.set(e.service, (held = new Set()));
        held.add(id);
        const retryAt = Math.ceil(this.d.now() + this.d.breakerRetryAfterMs(e.service));
        this.d.sink.record(id, { type: 'Warning', reason: 'CircuitOpen', message: `${dep} unavailable (circuit open): ${e.operation} not sent`, nextAttemptAt: retryAt });
        return;
      }
    }
  }

  /** Tells the sessions an open breaker held back when it closes again; returns the unsubscribe. */
  observeBreaker(breaker: DependencyBreaker): () => void {
    return breaker.onStateChange((state) => {
      if (state !== 'closed') return;
      const held = this.heldByBreaker.get(breaker.name);
      if (!held) return;
      this.heldByBreaker.delete(breaker.name);
      for (const id of held) this.d.sink.record(id, { type: 'Normal', reason: 'CircuitClosed', message: `${dependencyName(breaker.name)} available again (circuit closed); retrying` });
    });
  }
}
