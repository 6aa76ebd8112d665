import { describe, expect, it } from 'vitest';
import { planPool, type PoolPlanInput } from '../../../src/controller/plan/plan-pool.js';
import { BATCH_TAG, currentWarmHash, warmLaunchSpec } from '../../../src/controller/plan/launch-spec.js';
import type { ObservedTask } from '../../../src/observed/model.js';
import { runTaskTokenForWarmBatch } from '../../../src/observed/idempotency.js';
import { aPlanConfig, aTask, OWNER, T0 } from '../../fixtures/builders.js';

const cfg = aPlanConfig();
const hash = currentWarmHash(warmLaunchSpec({ pool: 'p', templateName: 'shell', template: cfg.templates.shell!, ownerId: OWNER }));
const ALL: { has(x: string): boolean } = { has: () => true };
const NONE: { has(x: string): boolean } = { has: () => false };

function warmTask(o: Partial<ObservedTask> & { hashTag?: string; batch?: string } = {}): ObservedTask {
  const { hashTag = hash, batch, ...rest } = o;
  const t = aTask(rest);
  return { ...t, tags: { 'esr:owner': OWNER, 'esr:role': 'warm', 'esr:pool': 'p', 'esr:spec-hash': hashTag, ...(batch ? { [BATCH_TAG]: batch } : {}) } };
}

function run(o: Partial<PoolPlanInput> & { target?: number } = {}, now = T0 + 20_000) {
  const { target = 5, ...rest } = o;
  return planPool(
    {
      name: 'p',
      spec: { schemaVersion: 1, name: 'p', template: 'shell', target, generation: 1, updatedAt: T0 },
      config: { template: 'shell', maxSize: 100 },
      templates: cfg.templates,
      ownerId: OWNER,
      tasks: [],
      claimed: NONE,
      staleClaims: [],
      status: undefined,
      batchSeen: () => false,
      knownFamilies: ALL,
      startDeadlineMs: 180_000,
      maxStopsPerPass: 10,
      ...rest,
    },
    now,
  );
}
const kinds = (p: ReturnType<typeof run>) => p.actions.map((a) => `${a.type}:${a.drift}`);

describe('planPool', () => {
  it('PoolBelowTarget: launches one batch of at most 10 with a fresh batch token', () => {
    const p = run({ target: 25, tasks: [warmTask(), warmTask()] });
    expect(kinds(p)).toEqual(['launchWarmBatch:PoolBelowTarget']);
    const [a] = p.actions as Array<Extract<(typeof p.actions)[number], { type: 'launchWarmBatch' }>>;
    expect(a).toMatchObject({ count: 10, batch: 1, clientToken: runTaskTokenForWarmBatch('p', '1') });
    expect(a!.spec.tags[BATCH_TAG]).toBe(a!.clientToken);
  });

  it('re-sends a recorded intent whose tasks are not visible yet, with the same token', () => {
    const intent = { batch: 3, clientToken: runTaskTokenForWarmBatch('p', '3'), count: 4, requestedAt: T0 };
    const p = run({ target: 4, status: { schemaVersion: 1, batch: 3, intent, updatedAt: T0 } });
    expect(p.actions).toEqual([expect.objectContaining({ type: 'launchWarmBatch', batch: 3, count: 4, clientToken: intent.clientToken })]);
    const seen = run({ target: 8, status: { schemaVersion: 1, batch: 3, intent, updatedAt: T0 }, batchSeen: (t) => t === intent.clientToken, tasks: [warmTask(), warmTask(), warmTask(), warmTask()] });
    expect(seen.actions).toEqual([expect.objectContaining({ type: 'launchWarmBatch', batch: 4, count: 4 })]);
  });

  it('does not re-send an unfulfilled intent once the pool has what it wants (seed 101: the target dropped to 0)', () => {
    const intent = { batch: 5, clientToken: runTaskTokenForWarmBatch('p', '5'), count: 1, requestedAt: T0 };
    const status = { schemaVersion: 1 as const, batch: 5, intent, updatedAt: T0 };
    expect(run({ target: 0, status }).actions).toEqual([]);
    expect(run({ target: 2, status, tasks: [warmTask(), warmTask()] }).actions).toEqual([]);
    // Still lacking tasks: the same intent again, not a new batch.
    expect(run({ target: 3, status, tasks: [warmTask(), warmTask()] }).actions).toEqual([expect.objectContaining({ type: 'launchWarmBatch', batch: 5, clientToken: intent.clientToken })]);
  });

  it('PoolAboveTarget: stops the oldest idle tasks first, bounded per pass', () => {
    const tasks = [warmTask({ createdAt: T0 - 3 }), warmTask({ createdAt: T0 - 1 }), warmTask({ createdAt: T0 - 2 })];
    const p = run({ target: 1, tasks });
    expect(p.actions.map((a) => (a as { taskArn: string }).taskArn)).toEqual([tasks[0]!.arn, tasks[2]!.arn]);
    expect(kinds(p)).toEqual(['stopTask:PoolAboveTarget', 'stopTask:PoolAboveTarget']);
    const bounded = run({ target: 0, tasks, maxStopsPerPass: 1 });
    expect(bounded.actions).toHaveLength(1);
    expect(bounded.requeueAfterMs).toBeGreaterThan(0);
  });

  it('WarmTaskOutdated and WarmTaskStuck: stopped and replaced', () => {
    const outdated = warmTask({ hashTag: 'old' });
    const stuck = warmTask({ lastStatus: 'PENDING', startedAt: undefined, createdAt: T0 - 200_000 });
    const p = run({ target: 2, tasks: [outdated, stuck] });
    expect(kinds(p)).toEqual(['stopTask:WarmTaskOutdated', 'stopTask:WarmTaskStuck', 'launchWarmBatch:PoolBelowTarget']);
    expect((p.actions[2] as { count: number }).count).toBe(2);
  });

  it('WarmTaskStopped: a crashed warm task is replaced and named as such', () => {
    const crashed = warmTask({ lastStatus: 'STOPPED', desiredStatus: 'STOPPED', stoppedAt: T0 + 10_000, stopCode: 'EssentialContainerExited' });
    expect(kinds(run({ target: 1, tasks: [crashed] }))).toEqual(['launchWarmBatch:WarmTaskStopped']);
  });

  it('claimed tasks do not count as idle; stale claims are released', () => {
    const t = warmTask();
    const p = run({ target: 1, tasks: [t], claimed: { has: (arn) => arn === t.arn }, staleClaims: ['arn:gone'] });
    expect(kinds(p)).toEqual(['releaseClaim:ClaimStale', 'launchWarmBatch:PoolBelowTarget']);
  });

  it('TaskDefinitionMissing before the first batch; the target is capped by maxSize; unconfigured pools keep nothing', () => {
    expect(kinds(run({ knownFamilies: NONE }))).toEqual(['ensureTaskDefinition:TaskDefinitionMissing']);
    expect(run({ target: 500, config: { template: 'shell', maxSize: 3 } }).target).toBe(3);
    const unconfigured = run({ config: undefined, tasks: [warmTask()] });
    expect(kinds(unconfigured)).toEqual(['stopTask:PoolAboveTarget']);
  });
});

describe('planPool: warm tasks on demand for waiting sessions', () => {
  const oldest = { requestedAt: T0 + 5, seq: 42 };
  it('starts tasks for waiting sessions beyond the target, in the sessions\' place in line', () => {
    const p = run({ target: 2, tasks: [warmTask({ lastStatus: 'RUNNING' }), warmTask({ lastStatus: 'RUNNING' })], onDemand: { waiting: 7, oldest } });
    expect(p.actions).toHaveLength(1);
    // 2 idle tasks go to the first 2 waiting sessions; the batch is for the 5 others and no more
    // (the pool's own 2 are started later, at the pool's place in line, not ahead of sessions).
    expect(p.actions[0]).toMatchObject({ type: 'launchWarmBatch', count: 5, forSessions: oldest });
    expect(p.target).toBe(2);
  });

  it('a batch beyond what waiting sessions take is the pool\'s own (no session place in line)', () => {
    const p = run({ target: 10, tasks: [warmTask(), warmTask(), warmTask()], onDemand: { waiting: 2, oldest } });
    expect(p.actions[0]).toMatchObject({ type: 'launchWarmBatch', count: 9 });
    expect(p.actions[0]).not.toHaveProperty('forSessions');
  });

  it('never holds more than maxSize, and does not stop tasks that waiting sessions are about to take', () => {
    const full = run({ target: 95, config: { template: 'shell', maxSize: 100 }, tasks: Array.from({ length: 98 }, () => warmTask()), onDemand: { waiting: 30, oldest } });
    expect(full.actions).toEqual([expect.objectContaining({ type: 'launchWarmBatch', count: 2 })]);
    const kept = run({ target: 1, tasks: Array.from({ length: 4 }, () => warmTask()), onDemand: { waiting: 3, oldest } });
    expect(kept.actions).toEqual([]);
    const above = run({ target: 1, tasks: Array.from({ length: 6 }, () => warmTask()), onDemand: { waiting: 3, oldest } });
    expect(above.actions.filter((a) => a.type === 'stopTask')).toHaveLength(2);
  });
});
