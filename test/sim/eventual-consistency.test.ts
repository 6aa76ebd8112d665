/**
 * ECS eventual consistency in the simulator, through the real SDK over HTTP: a new task is
 * missing from ListTasks and MISSING in DescribeTasks for its own lag, RunTask's tags and a
 * TagResource show late, a stop shows late; RunTask's and StopTask's own answers are current.
 */
import { DescribeTasksCommand, ListTagsForResourceCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand, TagResourceCommand } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';
import { lagFor } from '../../src/sim/eventual-consistency.js';
import { SUBNETS, registerSessionTaskDef, useHarness } from './harness.js';

const LAGS = { listMs: 4_000, describeMissingMs: 3_000, tagsMs: 5_000, stopMs: 2_000 };

describe('simulator: ECS eventual consistency', () => {
  const h = useHarness({ limits: false }, (x) => registerSessionTaskDef(x));

  const run = async (): Promise<{ arn: string; id: string }> => {
    const out = await h.clients.ecs.send(new RunTaskCommand({ taskDefinition: 'session', launchType: 'FARGATE', networkConfiguration: SUBNETS, startedBy: 'esr', tags: [{ key: 'owner', value: 'esr' }] }));
    expect(out.tasks![0]!.tags).toEqual([{ key: 'owner', value: 'esr' }]); // RunTask's own answer is current
    const arn = out.tasks![0]!.taskArn!;
    return { arn, id: arn.split('/').at(-1)! };
  };
  const listed = async (status: 'RUNNING' | 'STOPPED' = 'RUNNING'): Promise<string[]> => (await h.clients.ecs.send(new ListTasksCommand({ desiredStatus: status }))).taskArns ?? [];
  const describe1 = async (arn: string) => h.clients.ecs.send(new DescribeTasksCommand({ tasks: [arn], include: ['TAGS'] }));
  /** Advances virtual time to `at` (epoch ms) in steps small enough for the task's lifecycle. */
  const until = async (at: number): Promise<void> => {
    while (h.clock.now() < at) await h.clock.advance(Math.min(250, at - h.clock.now()));
  };

  it('a new task: unlisted, then MISSING, then visible, each within its own lag', async () => {
    h.core.mergeFaults({ eventualConsistency: LAGS });
    const t0 = h.clock.now();
    const { arn, id } = await run();
    const listLag = lagFor(LAGS, 'listMs', id);
    const missingLag = lagFor(LAGS, 'describeMissingMs', id);
    expect(listLag).toBeLessThanOrEqual(LAGS.listMs);
    expect(listLag * missingLag).toBeGreaterThan(0); // this seed's task has both lags (a 0 share would test nothing)
    expect(await listed()).not.toContain(arn);
    expect((await describe1(arn)).failures).toEqual([{ arn, reason: 'MISSING' }]);
    await until(t0 + Math.max(listLag, missingLag));
    expect(await listed()).toContain(arn);
    expect((await describe1(arn)).tasks![0]!.taskArn).toBe(arn);
  });

  it('tags show late (none before RunTask\'s tags are visible; the old value before a TagResource is)', async () => {
    h.core.mergeFaults({ eventualConsistency: { tagsMs: LAGS.tagsMs } });
    const t0 = h.clock.now();
    const { arn, id } = await run();
    const lag = lagFor(LAGS, 'tagsMs', id);
    const tagsNow = async () => (await h.clients.ecs.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags;
    expect(lag).toBeGreaterThan(0);
    expect(await tagsNow()).toEqual([]);
    await until(t0 + lag);
    expect(await tagsNow()).toEqual([{ key: 'owner', value: 'esr' }]);
    const t1 = h.clock.now();
    await h.clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'owner', value: 'other' }] }));
    expect((await describe1(arn)).tasks![0]!.tags).toEqual([{ key: 'owner', value: 'esr' }]);
    await until(t1 + lag);
    expect((await describe1(arn)).tasks![0]!.tags).toEqual([{ key: 'owner', value: 'other' }]);
  });

  it('a tag write made while no lag is set is never hidden by a later lag window (seed 90: an adopted task looked like its earlier life)', async () => {
    h.core.mergeFaults({ eventualConsistency: { tagsMs: LAGS.tagsMs } });
    const { arn, id } = await run(); // recorded in the first window
    await until(h.clock.now() + LAGS.tagsMs);
    h.core.mergeFaults({ eventualConsistency: { tagsMs: 0 } });
    await h.clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'owner', value: 'adopted' }] }));
    await until(h.clock.now() + 10_000);
    h.core.mergeFaults({ eventualConsistency: { tagsMs: LAGS.tagsMs } }); // a second window opens
    expect(lagFor(LAGS, 'tagsMs', id)).toBeGreaterThan(0);
    expect((await describe1(arn)).tasks![0]!.tags).toEqual([{ key: 'owner', value: 'adopted' }]);
  });

  it('a TagResource inside a lag window on a task whose tags showed at once hides only the write, never the tags it had (seeds 2034, 2855, 5582)', async () => {
    const { arn, id } = await run(); // no lag: its tags show at once, no history is kept
    h.core.mergeFaults({ eventualConsistency: { tagsMs: LAGS.tagsMs } });
    expect(lagFor(LAGS, 'tagsMs', id)).toBeGreaterThan(0);
    await h.clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: [{ key: 'uid', value: 'new' }] }));
    expect((await describe1(arn)).tasks![0]!.tags).toEqual([{ key: 'owner', value: 'esr' }]);
    await until(h.clock.now() + LAGS.tagsMs);
    expect((await describe1(arn)).tasks![0]!.tags).toEqual([{ key: 'owner', value: 'esr' }, { key: 'uid', value: 'new' }]);
  });

  it('TagResource is all or nothing: a write past 50 tags changes none', async () => {
    const { arn } = await run();
    const many = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    await expect(h.clients.ecs.send(new TagResourceCommand({ resourceArn: arn, tags: many }))).rejects.toThrow(/at most 50 tags/);
    expect((await describe1(arn)).tasks![0]!.tags).toEqual([{ key: 'owner', value: 'esr' }]);
  });

  it('a stop shows late in DescribeTasks and ListTasks; StopTask\'s own answer is current', async () => {
    const { arn, id } = await run();
    await until(h.clock.now() + 10_000);
    h.core.mergeFaults({ eventualConsistency: { stopMs: LAGS.stopMs } });
    const lag = lagFor(LAGS, 'stopMs', id);
    const t1 = h.clock.now();
    const stop = await h.clients.ecs.send(new StopTaskCommand({ task: arn }));
    expect(stop.task!.desiredStatus).toBe('STOPPED');
    expect(lag).toBeGreaterThan(0);
    expect((await describe1(arn)).tasks![0]!.desiredStatus).toBe('RUNNING');
    expect(await listed('RUNNING')).toContain(arn);
    await until(t1 + lag);
    expect((await describe1(arn)).tasks![0]!.desiredStatus).toBe('STOPPED');
    expect(await listed('STOPPED')).toContain(arn);
  });

  it('the share of each bound is fixed per task and kind, and 0 bounds mean consistent', () => {
    expect(lagFor(LAGS, 'listMs', 'abc')).toBe(lagFor(LAGS, 'listMs', 'abc'));
    expect(lagFor({ ...LAGS, listMs: 0 }, 'listMs', 'abc')).toBe(0);
    const shares = Array.from({ length: 200 }, (_, i) => lagFor(LAGS, 'listMs', `task-${i}`));
    expect(Math.max(...shares)).toBeLessThanOrEqual(LAGS.listMs);
    expect(new Set(shares).size).toBeGreaterThan(100); // spread, not one value
  });
});
