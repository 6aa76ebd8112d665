import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/common/clock.js';
import { AwsCallGuard } from '../../../src/controller/resilience/call-guard.js';
import type { CallOutcomeEvent } from '../../../src/controller/resilience/call-outcome.js';
import { DependencyBreaker } from '../../../src/controller/resilience/circuit-breaker.js';
import { CircuitOpenError } from '../../../src/controller/resilience/circuit-open-error.js';
import { Deadline } from '../../../src/controller/resilience/deadline.js';
import { RateLimiterRegistry } from '../../../src/controller/resilience/rate-limiter-registry.js';
import { parseRateLimitsConfig } from '../../../src/controller/resilience/rate-limits-config.js';
import { CallTimeoutError, NotFoundError, ThrottledError } from '../../../src/observed/aws-errors.js';

const awsError = (name: string, status: number, message = name) =>
  Object.assign(new Error(message), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });

/** A call that never answers until its signal aborts, like a hung HTTP request. */
const hangs = (signal: AbortSignal): Promise<never> =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' })), { once: true }));

function setup(buckets: Record<string, { burst: number; ratePerSec: number }> = {}) {
  const clock = new VirtualClock(0);
  const limits = new RateLimiterRegistry(clock, parseRateLimitsConfig({ buckets }));
  const ecs = new DependencyBreaker({ name: 'ecs', clock, threshold: 2, halfOpenAfterMs: 5000 });
  const events: CallOutcomeEvent[] = [];
  const guard = new AwsCallGuard({ clock, limits, breakers: { ecs }, sink: { record: (e) => events.push(e) } });
  return { clock, limits, ecs, events, guard };
}

describe('AwsCallGuard', () => {
  it('passes the result through and reports ok', async () => {
    const { guard, events } = setup();
    await expect(guard.run({ service: 'ecs', operation: 'ListTasks', call: async () => 42 })).resolves.toBe(42);
    expect(events).toEqual([{ service: 'ecs', operation: 'ListTasks', key: undefined, outcome: 'ok', kind: undefined, waitedMs: 0, durationMs: 0 }]);
  });

  it('turns a hung call into a CallTimeoutError when its budget passes, and counts it against the breaker', async () => {
    const { guard, clock, ecs, events } = setup();
    const p = guard.run({ service: 'ecs', operation: 'DescribeTasks', budgetMs: 300, call: hangs }).catch((e: unknown) => e);
    await clock.advance(300);
    const err = await p;
    expect(err).toBeInstanceOf(CallTimeoutError);
    expect((err as CallTimeoutError).budgetMs).toBe(300);
    expect(events.at(-1)).toMatchObject({ outcome: 'timeout', kind: 'timeout', durationMs: 300 });
    const p2 = guard.run({ service: 'ecs', operation: 'DescribeTasks', budgetMs: 300, call: hangs }).catch(() => undefined);
    await clock.advance(300);
    await p2;
    expect(ecs.state()).toBe('open');
  });

  it('uses min(step budget, deadline remaining)', async () => {
    const { guard, clock } = setup();
    const deadline = Deadline.in(clock, 1000);
    await clock.advance(900);
    const p = guard.run({ service: 'ecs', operation: 'RunTask', deadline, budgetMs: 10_000, call: hangs }).catch((e: unknown) => e);
    await clock.advance(100);
    expect(await p).toMatchObject({ kind: 'timeout', budgetMs: 100 });
  });

  it('throttling slows the bucket, reports throttled, and does not trip the breaker', async () => {
    const { guard, limits, ecs, events, clock } = setup();
    for (let i = 0; i < 3; i++) {
      let settled = false;
      const p = guard.run({ service: 'ecs', operation: 'StopTask', budgetMs: 60_000, call: async () => { throw awsError('ThrottlingException', 400); } })
        .catch((e: unknown) => e)
        .finally(() => { settled = true; });
      await clock.advanceUntil(() => settled, 60_000);
      expect(await p).toBeInstanceOf(ThrottledError);
    }
    // 20/s halved three times; the bucket was emptied, so the next token takes 1 / 2.5 s.
    expect(limits.bucket('ecs:StopTask').ratePerSec).toBe(2.5);
    expect(ecs.state()).toBe('closed');
    expect(events.map((e) => e.outcome)).toEqual(['throttled', 'throttled', 'throttled']);
    expect(events.map((e) => e.waitedMs)).toEqual([0, 100, 200]);
  });

  it('classifies not-found without counting it as a fault', async () => {
    const { guard, ecs } = setup();
    for (let i = 0; i < 3; i++) {
      await expect(guard.run({ service: 'ecs', operation: 'StopTask', call: async () => { throw awsError('InvalidParameterException', 400, 'The referenced task was not found.'); } }))
        .rejects.toBeInstanceOf(NotFoundError);
    }
    expect(ecs.state()).toBe('closed');
  });

  it('fails fast while the breaker is open and tells the key its wait', async () => {
    const { guard, clock, events } = setup();
    for (let i = 0; i < 2; i++) await guard.run({ service: 'ecs', operation: 'RunTask', call: async () => { throw awsError('ServerException', 500); } }).catch(() => undefined);
    await clock.advance(1000);
    let called = false;
    const err = await guard.run({ service: 'ecs', operation: 'RunTask', key: 'session-7', call: async () => { called = true; } }).catch((e: unknown) => e);
    expect(called).toBe(false);
    expect(err).toBeInstanceOf(CircuitOpenError);
    expect((err as CircuitOpenError).retryAfterMs).toBe(4000);
    expect(events.at(-1)?.outcome).toBe('rejectedByBreaker');
    expect(guard.positionOf('session-7')).toEqual({ reason: 'circuitOpen', waitingOn: 'ecs', position: 1, estimatedWaitMs: 4000 });
  });

  it('forgets the keys an open breaker held back once it closes again, also keys that never call again (a deleted session)', async () => {
    const { guard, clock } = setup();
    for (let i = 0; i < 2; i++) await guard.run({ service: 'ecs', operation: 'RunTask', call: async () => { throw awsError('ServerException', 500); } }).catch(() => undefined);
    for (const key of ['gone-1', 'gone-2', 'session-7']) await guard.run({ service: 'ecs', operation: 'RunTask', key, call: async () => undefined }).catch(() => undefined);
    expect(guard.sizes().heldByBreaker).toBe(3);
    await clock.advance(5000);
    // The half-open probe (another key) succeeds and closes the breaker: nobody is held back any more.
    await guard.run({ service: 'ecs', operation: 'DescribeTasks', key: 'probe', call: async () => 'ok' });
    expect(guard.sizes().heldByBreaker).toBe(0);
    expect(guard.positionOf('gone-1')).toBeUndefined();
  });

  it('reports queue position and estimated wait for keys waiting on a rate limit, and draws extra tokens', async () => {
    const { guard, clock, limits } = setup({ 'ecs:RunTask': { burst: 1, ratePerSec: 1 } });
    const done: string[] = [];
    for (const key of ['s1', 's2', 's3', 's4']) {
      void guard.run({ service: 'ecs', operation: 'RunTask', key, budgetMs: 60_000, extraTokens: { 'fargate:TaskLaunch': 2 }, call: async () => { done.push(key); } });
    }
    await clock.advance(0);
    expect(done).toEqual(['s1']);
    expect(guard.positionOf('s3')).toEqual({ reason: 'rateLimited', waitingOn: 'ecs:RunTask', position: 2, estimatedWaitMs: 2000 });
    expect(limits.bucket('fargate:TaskLaunch').available()).toBe(98);
    await clock.advance(3000);
    expect(done).toEqual(['s1', 's2', 's3', 's4']);
    expect(guard.positionOf('s3')).toBeUndefined();
  });

  it('a key that waits for tokens past its budget times out without calling AWS', async () => {
    const { guard, clock, ecs } = setup({ 'ecs:RunTask': { burst: 1, ratePerSec: 0.1 } });
    await guard.run({ service: 'ecs', operation: 'RunTask', call: async () => 1 });
    let called = false;
    const p = guard.run({ service: 'ecs', operation: 'RunTask', budgetMs: 500, call: async () => { called = true; } }).catch((e: unknown) => e);
    await clock.advance(500);
    expect(await p).toMatchObject({ kind: 'timeout' });
    expect(called).toBe(false);
    expect(ecs.state()).toBe('closed');
  });
});
