/** `describe`'s "why not converged": the blocking reason for the scenarios of #5, from status + events. */
import { describe, expect, it } from 'vitest';
import { explainSession } from '../../src/events/explain.js';
import { formatDescription } from '../../src/events/describe-format.js';
import type { SessionEvent } from '../../src/events/types.js';
import type { SessionSpec, SessionStatus } from '../../src/desired/schema.js';
import type { SessionEntry } from '../../src/desired/types.js';

const NOW = 1_700_000_000_000;
const spec: SessionSpec = { schemaVersion: 1, id: 's1', userId: 'u1', template: 'shell', env: {}, persistence: 'none', labels: {}, generation: 2, deleted: false, createdAt: NOW - 60_000, updatedAt: NOW - 60_000 };
function status(o: Partial<SessionStatus> = {}): SessionStatus {
  return { schemaVersion: 1, phase: 'Pending', observedGeneration: 2, incarnation: 1, conditions: [], warm: false, attempts: 0, updatedAt: NOW - 1000, ...o };
}
function ev(o: Partial<SessionEvent> & { reason: string }): SessionEvent {
  return { time: NOW - 1000, firstTime: NOW - 1000, type: 'Warning', message: '', count: 1, ...o };
}
const entry = (st?: SessionStatus, e: Partial<SessionEntry> = {}): SessionEntry => ({ id: 's1', spec, ...(st ? { status: st } : {}), ...e });

describe('explainSession', () => {
  it('throttled: queued behind ECS rate limits, with the next attempt', () => {
    const events = [
      ev({ reason: 'BackOff', message: 'reconcile failed: ecs:RunTask throttled', nextAttemptAt: NOW + 4000 }),
      ev({ reason: 'Throttled', message: 'ECS RunTask throttled by AWS', count: 3 }),
      ev({ reason: 'MissingTask', type: 'Normal', message: 'decided to launch' }),
    ];
    const why = explainSession({ entry: entry(status()), events, now: NOW });
    expect(why).toMatchObject({ converged: false, reason: 'Throttled', nextAttemptAt: NOW + 4000 });
    expect(why.message).toContain('queued behind ECS rate limits');
  });

  it('breaker open: ECS unavailable (circuit open), retry after T', () => {
    const events = [ev({ reason: 'CircuitOpen', message: 'ECS unavailable (circuit open): RunTask not sent', nextAttemptAt: NOW + 8000 }), ev({ reason: 'AwsError', message: 'ECS RunTask failed (transient)' })];
    const why = explainSession({ entry: entry(status()), events, now: NOW });
    expect(why).toMatchObject({ reason: 'CircuitOpen', nextAttemptAt: NOW + 8000 });
    expect(why.message).toMatch(/^ECS unavailable \(circuit open\), retry after /);
  });

  it('blocking events older than progress are history', () => {
    const events = [ev({ reason: 'CircuitClosed', type: 'Normal', message: 'ECS available again' }), ev({ reason: 'CircuitOpen', message: 'ECS unavailable (circuit open): RunTask not sent' })];
    const why = explainSession({ entry: entry(status({ phase: 'Starting', launchIntent: { clientToken: 't', incarnation: 1, requestedAt: NOW - 5000 } })), events, now: NOW });
    expect(why.reason).toBe('Starting');
  });

  it('stuck starting: from the StuckStarting condition written by the plan', () => {
    const st = status({ phase: 'Starting', attempts: 1, lastError: { reason: 'StuckStarting', message: 'task X not RUNNING after 120 s (lastStatus PENDING); attempt 1 of 3', at: NOW - 500 }, conditions: [{ type: 'Ready', status: 'False', reason: 'StuckStarting', message: 'not RUNNING', lastTransitionTime: NOW - 500 }] });
    const why = explainSession({ entry: entry(st), events: [ev({ reason: 'StuckStarting', message: 'decided to stopTask' })], now: NOW });
    expect(why.reason).toBe('StuckStarting');
    expect(why.message).toContain('attempt 1 of 3');
  });

  it('stuck starting: a Starting session past its start deadline', () => {
    const st = status({ phase: 'Starting', launchIntent: { clientToken: 't', incarnation: 1, requestedAt: NOW - 200_000 }, conditions: [{ type: 'Ready', status: 'False', reason: 'TaskStarting', message: 'task PENDING', lastTransitionTime: NOW - 200_000 }] });
    expect(explainSession({ entry: entry(st), events: [], now: NOW, startDeadlineMs: 120_000 }).reason).toBe('StuckStarting');
    expect(explainSession({ entry: entry(st), events: [], now: NOW, startDeadlineMs: 300_000 })).toMatchObject({ reason: 'Starting', nextAttemptAt: NOW - 200_000 + 300_000 });
  });

  it('invalid spec: the stored record, and an unknown template', () => {
    const bad: SessionEntry = { id: 's1', invalid: { record: 'spec', reason: 'schema', message: 'spec.template: must be 1-63 chars' } };
    const a = explainSession({ entry: bad, events: [], now: NOW });
    expect(a.reason).toBe('InvalidSpec');
    expect(a.message).toContain('spec.template');
    const st = status({ phase: 'Failed', conditions: [{ type: 'Invalid', status: 'True', reason: 'UnknownTemplate', message: 'template "gpu" is not configured', lastTransitionTime: NOW }] });
    expect(explainSession({ entry: entry(st), events: [], now: NOW })).toMatchObject({ reason: 'InvalidSpec', message: expect.stringContaining('UnknownTemplate') });
  });

  it('converged, failed, not observed, not found', () => {
    const running = status({ phase: 'Running', endpoint: { ip: '10.0.0.1', port: 8080 }, conditions: [{ type: 'Ready', status: 'True', reason: 'TaskRunning', message: '', lastTransitionTime: NOW }] });
    expect(explainSession({ entry: entry(running), events: [], now: NOW }).converged).toBe(true);
    expect(explainSession({ entry: entry(status({ phase: 'Failed', lastError: { reason: 'StartFailed', message: '3 attempts', at: NOW } })), events: [], now: NOW }).reason).toBe('StartFailed');
    expect(explainSession({ entry: entry(undefined), events: [], now: NOW }).reason).toBe('NotObserved');
    expect(explainSession({ entry: undefined, events: [], now: NOW }).reason).toBe('NotFound');
  });

  it('renders the reason, the next attempt and the events', () => {
    const events = [ev({ reason: 'CircuitOpen', message: 'ECS unavailable (circuit open): RunTask not sent', nextAttemptAt: NOW + 8000, count: 2 })];
    const e = entry(status());
    const text = formatDescription({ id: 's1', entry: e, explanation: explainSession({ entry: e, events, now: NOW }), events, now: NOW });
    expect(text).toMatch(/Reason:\s+CircuitOpen/);
    expect(text).toMatch(/Next attempt:\s+\S+ \(in 8s\)/);
    expect(text).toMatch(/Warning\s+CircuitOpen\s+1s\s+2\s+ECS unavailable/);
  });
});
