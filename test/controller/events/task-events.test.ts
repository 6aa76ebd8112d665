/**
 * The task-event source inside the controller: the in-process simulator delivers ECS task state
 * change events into its SQS queue (virtual time), the controller long-polls it through the
 * guarded call. Resync is 300 s in every test, so a reaction within seconds can only come from
 * an event (the same test without events shows that).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/common/clock.js';
import type { Controller } from '../../../src/controller/controller.js';
import type { TaskEventResult } from '../../../src/controller/events/task-event-source.js';
import { guardedCallFrom } from '../../../src/controller/guarded-aws-api.js';
import { AwsCallGuard, DependencyBreaker, RateLimiterRegistry, type BreakerState } from '../../../src/controller/resilience/index.js';
import { MemoryDesiredStore } from '../../../src/desired/memory-store.js';
import { isLive } from '../../../src/observed/model.js';
import { SimSqsApi } from '../../../src/observed/sim-sqs-api.js';
import { TASK_EVENTS_QUEUE } from '../../../src/sim/core.js';
import { simAws } from '../../fixtures/sim-aws.js';
import { buildController } from '../../support/controller-harness.js';

const lifecycle = { provisioningMs: 1000, pendingMs: 1000, activatingMs: 500, deactivatingMs: 500, stoppingMs: 1000, deprovisioningMs: 500 };
const RESYNC_MS = 300_000;

function setup(opts: { events: boolean }) {
  const clock = new VirtualClock(Date.UTC(2026, 0, 1));
  const aws = simAws({ clock, lifecycle, taskEvents: true });
  const store = new MemoryDesiredStore({ clock });
  store.setLeaderEpoch(1);
  const breaker = new DependencyBreaker({ name: 'sqs', clock, threshold: 3, halfOpenAfterMs: 10_000 });
  const breakerStates: BreakerState[] = [];
  breaker.onStateChange((s) => breakerStates.push(s));
  const guard = new AwsCallGuard({ clock, limits: new RateLimiterRegistry(clock), breakers: { sqs: breaker } });
  const call = guardedCallFrom(guard, { defaultMs: 10_000, byOperation: { ReceiveMessage: 30_000 } });
  const results: TaskEventResult[] = [];
  const errors: string[] = [];
  const c = buildController({
    aws: aws.api,
    store,
    clock,
    call,
    overrides: {
      resyncMs: RESYNC_MS,
      ...(opts.events ? { taskEvents: { api: new SimSqsApi(aws.core), call, queueUrl: aws.core.taskEventsQueueUrl()!, waitSeconds: 20, visibilityTimeoutSeconds: 30 } } : {}),
      onTaskEvent: (r) => results.push(r),
      onError: (where, err) => errors.push(`${where}: ${(err as Error).message}`),
    },
  });
  running.push(c);
  const queue = () => aws.core.sqs.queue(TASK_EVENTS_QUEUE)!;
  return { clock, aws, store, c, results, errors, breakerStates, queue };
}

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop(1000);
});

async function runningSession(s: ReturnType<typeof setup>, id = 's1'): Promise<string> {
  await s.store.ensureSession({ id, userId: `u-${id}`, template: 'shell', persistence: 'none', env: {}, labels: {} });
  await s.c.start();
  await s.clock.advanceUntil(() => s.c.cache.sessions.get(id)?.status?.phase === 'Running', 60_000);
  return s.c.cache.sessions.get(id)!.status!.taskArn!;
}

/** Virtual ms from now until a RunTask for a replacement has been made (or undefined within `withinMs`). */
async function replacementAfter(s: ReturnType<typeof setup>, runTasksBefore: number, withinMs: number): Promise<number | undefined> {
  const start = s.clock.now();
  try {
    await s.clock.advanceUntil(() => s.aws.calls.count('RunTask') > runTasksBefore, withinMs);
    return s.clock.now() - start;
  } catch {
    return undefined;
  }
}

describe('ECS task state change events as hints', () => {
  it('a task stopped behind our back is replaced within seconds with events; without them not before the resync', async () => {
    for (const events of [true, false]) {
      const s = setup({ events });
      const arn = await runningSession(s);
      await s.clock.advance(30_000); // events of the start are handled and deleted
      const runs = s.aws.calls.count('RunTask');
      s.aws.crash(arn);
      const took = await replacementAfter(s, runs, 60_000);
      if (events) {
        expect(took).toBeDefined();
        expect(took!).toBeLessThanOrEqual(5_000);
        expect(s.results).toContain('applied');
        await s.clock.advanceUntil(() => s.c.cache.sessions.get('s1')?.status?.phase === 'Running' && s.c.cache.sessions.get('s1')?.status?.taskArn !== arn, 30_000);
        expect(s.aws.tasks().filter(isLive)).toHaveLength(1);
        await s.clock.advance(5_000);
        expect(s.queue().counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
      } else {
        expect(took).toBeUndefined();
        expect(s.results).toEqual([]);
      }
      await s.c.stop(1000);
    }
  });

  it('duplicates, reordering and stale copies change nothing: one replacement per stop', async () => {
    const s = setup({ events: true });
    s.aws.core.mergeFaults({ taskEvents: { duplicateRate: 1, reorderRate: 0.5, reorderDelayMs: { min: 1000, max: 3000 } } });
    const arn = await runningSession(s);
    await s.clock.advance(30_000);
    const runs = s.aws.calls.count('RunTask');
    s.aws.crash(arn);
    await s.clock.advance(60_000);
    expect(s.aws.calls.count('RunTask')).toBe(runs + 1);
    expect(s.results).toContain('stale');
    expect(s.aws.tasks().filter(isLive)).toHaveLength(1);
    // An old view of the stopped task, sent again by hand: stale, and the cache keeps STOPPED.
    const before = s.results.length;
    const cached = s.c.cache.tasks.get(arn)!;
    s.queue().send(JSON.stringify({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', time: new Date(s.clock.now()).toISOString(), detail: { taskArn: arn, clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/test', lastStatus: 'RUNNING', desiredStatus: 'RUNNING', version: 1 } }));
    await s.clock.advance(2_000);
    expect(s.results.slice(before)).toEqual(['stale']);
    expect(s.c.cache.tasks.get(arn)!.lastStatus).toBe(cached.lastStatus);
  });

  it('malformed and foreign messages are counted, deleted and never stop the source', async () => {
    const s = setup({ events: true });
    const arn = await runningSession(s);
    await s.clock.advance(30_000);
    s.results.length = 0;
    const q = s.queue();
    q.send('{"not": "closed"');
    q.send(JSON.stringify({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }));
    q.send(JSON.stringify({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { taskArn: arn } }));
    q.send(JSON.stringify({ source: 'aws.ecs', 'detail-type': 'ECS Task State Change', detail: { taskArn: arn.replace('task/test/', 'task/other/'), clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/other', lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 9 } }));
    await s.clock.advance(2_000);
    expect([...s.results].sort()).toEqual(['foreign', 'foreign', 'malformed', 'malformed']);
    expect(q.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    const runs = s.aws.calls.count('RunTask');
    s.aws.crash(arn);
    expect(await replacementAfter(s, runs, 10_000)).toBeLessThanOrEqual(5_000);
  });

  it('an SQS outage goes through the sqs breaker with backoff; afterwards events flow again', async () => {
    const s = setup({ events: true });
    const arn = await runningSession(s);
    await s.clock.advance(30_000);
    const receives = (): number => s.aws.calls.count('ReceiveMessage');
    const r0 = receives();
    s.aws.core.startOutage('sqs', 120_000);
    await s.clock.advance(120_000);
    // Without backoff a failing receive would loop without pause; with it (1 s doubling to 30 s,
    // full jitter, an open breaker failing fast) a couple of minutes cost a handful of calls.
    expect(receives() - r0).toBeLessThanOrEqual(12);
    expect(s.breakerStates).toContain('open');
    expect(s.errors.some((e) => e.startsWith('task-events receive'))).toBe(true);
    await s.clock.advance(40_000); // the last backoff (at most 30 s) ends; the breaker probes and closes
    const runs = s.aws.calls.count('RunTask');
    s.aws.crash(arn);
    expect(await replacementAfter(s, runs, 20_000)).toBeLessThanOrEqual(5_000);
    expect(s.breakerStates.at(-1)).toBe('closed');
  });

  it('receives only while leading', async () => {
    const s = setup({ events: true });
    let leader = false;
    const c = buildController({
      aws: s.aws.api,
      store: s.store,
      clock: s.clock,
      overrides: { isLeader: () => leader, resyncMs: RESYNC_MS, taskEvents: { api: new SimSqsApi(s.aws.core), call: (_r, fn) => fn(new AbortController().signal), queueUrl: s.aws.core.taskEventsQueueUrl()!, waitSeconds: 20, visibilityTimeoutSeconds: 30 } },
    });
    running.push(c);
    await c.start();
    await s.clock.advance(10_000);
    expect(s.aws.calls.count('ReceiveMessage')).toBe(0);
    leader = true;
    await s.clock.advance(2_000);
    expect(s.aws.calls.count('ReceiveMessage')).toBeGreaterThan(0);
  });
});
