/**
 * Why a session is not converged yet, computed from its records and its recent events: the
 * blocking reason an operator acts on, and when the controller will try again. Pure.
 *
 * Order of precedence (the first that applies wins): not found; invalid spec; deleting;
 * converged; failed; an open circuit, throttling or a failing AWS call in the events since the
 * last progress; no status yet; queued; "unavailable, retry after"; stuck starting; waiting
 * for persistence; starting; generation not observed; no endpoint; pending.
 */
import { findCondition } from '../desired/schema.js';
import type { SessionEntry } from '../desired/types.js';
import { isConverged } from '../metrics/scrape-source.js';
import type { SessionEvent } from './types.js';

export interface Explanation {
  converged: boolean;
  /** PascalCase: `Converged`, `InvalidSpec`, `CircuitOpen`, `Throttled`, `StuckStarting`, ... */
  reason: string;
  message: string;
  /** When the controller looks again (epoch ms), when known. */
  nextAttemptAt?: number;
}

export interface ExplainInput {
  entry: SessionEntry | undefined;
  /** Newest first. */
  events: readonly SessionEvent[];
  now: number;
  /** The controller's start deadline, ms (RECONCILER_SESSION_START_TIMEOUT); default 120 s. */
  startDeadlineMs?: number;
}

/** Events that mean the session moved forward: blocking events older than these are history. */
const PROGRESS = new Set(['Launched', 'PhaseChanged', 'CircuitClosed', 'AccessPointReady', 'TaskDefinitionReady', 'StopRequested']);
const FAILING = new Set(['AwsError', 'AwsTimeout', 'BackOff', 'LaunchFailed', 'StopTaskFailed', 'EnsureAccessPointFailed', 'EnsureTaskDefinitionFailed', 'WriteStatusFailed', 'PurgeSessionFailed']);

function at(ms: number): string {
  return new Date(ms).toISOString();
}

function withNext(e: Omit<Explanation, 'nextAttemptAt'>, next: number | undefined): Explanation {
  return next === undefined ? e : { ...e, nextAttemptAt: next };
}

/** The events since the last progress, newest first. */
function blockingStreak(events: readonly SessionEvent[]): SessionEvent[] {
  const out: SessionEvent[] = [];
  for (const e of events) {
    if (PROGRESS.has(e.reason)) break;
    out.push(e);
  }
  return out;
}

function fromEvents(events: readonly SessionEvent[], now: number): Explanation | undefined {
  const streak = blockingStreak(events);
  const backoff = streak.find((e) => e.reason === 'BackOff' && e.nextAttemptAt !== undefined);
  const circuit = streak.find((e) => e.reason === 'CircuitOpen');
  if (circuit) {
    const next = Math.max(circuit.nextAttemptAt ?? 0, backoff?.nextAttemptAt ?? 0) || undefined;
    const dep = circuit.message.split(' ')[0] ?? 'AWS';
    return withNext({ converged: false, reason: 'CircuitOpen', message: `${dep} unavailable (circuit open)${next ? `, retry after ${at(next)}` : ''}: ${circuit.message}` }, next);
  }
  const throttled = streak.find((e) => e.reason === 'Throttled');
  if (throttled) {
    const next = backoff?.nextAttemptAt;
    return withNext({ converged: false, reason: 'Throttled', message: `queued behind ECS rate limits (${throttled.message}, ${throttled.count}x)${next ? `; next attempt at ${at(next)}` : ''}` }, next);
  }
  const failing = streak.find((e) => FAILING.has(e.reason));
  if (failing) {
    const next = backoff?.nextAttemptAt;
    const due = next !== undefined && next > now ? `; next attempt at ${at(next)}` : '';
    return withNext({ converged: false, reason: 'Retrying', message: `${failing.reason}: ${failing.message}${due}` }, next);
  }
  return undefined;
}

export function explainSession(input: ExplainInput): Explanation {
  const { entry, events, now } = input;
  const deadline = input.startDeadlineMs ?? 120_000;
  if (!entry) return { converged: false, reason: 'NotFound', message: 'no such session in desired state' };
  if (entry.invalid?.record === 'spec') {
    return { converged: false, reason: 'InvalidSpec', message: `the stored spec is invalid (${entry.invalid.reason}): ${entry.invalid.message}; nothing is done until the gateway rewrites it` };
  }
  const spec = entry.spec;
  const status = entry.status;
  if (!spec) return { converged: false, reason: 'NotFound', message: 'no spec for this session' };
  if (spec.deleted) return { converged: false, reason: 'Deleting', message: 'deleted by the gateway; its task is being stopped, then the records are purged' };
  const invalid = findCondition(status, 'Invalid');
  if (invalid?.status === 'True') return { converged: false, reason: 'InvalidSpec', message: `${invalid.reason}: ${invalid.message}; change the spec to retry` };
  if (isConverged(spec.generation, status)) return { converged: true, reason: 'Converged', message: `Running and Ready at generation ${spec.generation}` };
  if (status?.phase === 'Expired' && status.observedGeneration === spec.generation) {
    const why = findCondition(status, 'Ready');
    return { converged: true, reason: why?.reason ?? 'Expired', message: `expired (${why?.message ?? 'a lifetime bound passed'}); its task is stopped; ensureSession starts a new life` };
  }
  if (status?.phase === 'Failed') {
    return { converged: false, reason: status.lastError?.reason ?? 'Failed', message: `${status.lastError?.message ?? 'failed'}; change the spec to retry` };
  }
  const byEvents = fromEvents(events, now);
  if (byEvents) return byEvents;
  if (!status) return { converged: false, reason: 'NotObserved', message: 'the controller has not written a status yet (is it running and leading? see /readyz)' };
  const queued = findCondition(status, 'Queued');
  if (queued?.status === 'True') {
    const pos = status.queuePosition ? ` (position ${status.queuePosition})` : '';
    return withNext({ converged: false, reason: 'Queued', message: `queued${pos}: ${queued.message}` }, status.retryAfter);
  }
  if (status.retryAfter !== undefined && status.retryAfter > now) {
    return withNext({ converged: false, reason: status.lastError?.reason ?? 'Unavailable', message: `unavailable, retry after ${at(status.retryAfter)}${status.lastError ? `: ${status.lastError.message}` : ''}` }, status.retryAfter);
  }
  const ready = findCondition(status, 'Ready');
  if (ready?.reason === 'StuckStarting') {
    const next = events.find((e) => e.nextAttemptAt !== undefined)?.nextAttemptAt;
    return withNext({ converged: false, reason: 'StuckStarting', message: `stuck starting: ${status.lastError?.message ?? ready?.message ?? ''}; the task is stopped and the launch retried with backoff` }, next);
  }
  const persistence = findCondition(status, 'Persistence');
  if (status.phase === 'Pending' && persistence?.status === 'False') {
    return { converged: false, reason: persistence.reason, message: `waiting for persistence: ${persistence.message}` };
  }
  if (status.phase === 'Starting') {
    const since = status.launchIntent?.requestedAt ?? ready?.lastTransitionTime ?? status.updatedAt;
    const elapsed = now - since;
    if (elapsed > deadline) {
      return { converged: false, reason: 'StuckStarting', message: `stuck starting: not RUNNING ${Math.round(elapsed / 1000)} s after launch (deadline ${Math.round(deadline / 1000)} s); the controller stops it and retries` };
    }
    return withNext({ converged: false, reason: 'Starting', message: `task starting (${ready?.message ?? 'launched'}) for ${Math.round(elapsed / 1000)} s; start deadline at ${at(since + deadline)}` }, since + deadline);
  }
  if (status.observedGeneration < spec.generation) {
    return { converged: false, reason: 'GenerationNotObserved', message: `spec generation ${spec.generation} not acted on yet (status reflects ${status.observedGeneration})` };
  }
  if (status.phase === 'Running') return { converged: false, reason: ready?.reason ?? 'NotReady', message: ready?.message ?? 'Running but not Ready' };
  return { converged: false, reason: status.phase, message: `phase ${status.phase}${status.lastError ? `; last error ${status.lastError.reason}: ${status.lastError.message}` : ''}` };
}
