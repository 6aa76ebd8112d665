import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { TokenBucket } from '../../src/controller/resilience/token-bucket.js';
import { WarmOnDemand } from '../../src/controller/warm-on-demand.js';

function world(o: { calls: number; launches: number }): { clock: VirtualClock; od: WarmOnDemand; runTask: TokenBucket; launches: TokenBucket } {
  const clock = new VirtualClock(0);
  const runTask = new TokenBucket({ clock, name: 'ecs:RunTask', burst: 20, ratePerSec: 20 });
  const launches = new TokenBucket({ clock, name: 'fargate:TaskLaunch', burst: 100, ratePerSec: 20 });
  expect(runTask.tryTake(20 - o.calls)).toBe(true);
  if (o.launches < 100) expect(launches.tryTake(100 - o.launches)).toBe(true);
  return { clock, od: new WarmOnDemand(clock, { runTask, launches }, 10_000), runTask, launches };
}

describe('WarmOnDemand: who waits for a warm task started on demand', () => {
  it('waits only while a RunTask call would wait and the launch bucket has spare tasks beyond those already promised', () => {
    const { od } = world({ calls: 0, launches: 3 });
    expect(od.decide('s1', 'p', 0, 0)).toEqual({ wait: true, position: 1, joined: true });
    expect(od.decide('s2', 'p', 0, 1)).toEqual({ wait: true, position: 2, joined: true });
    expect(od.decide('s3', 'p', 0, 2)).toEqual({ wait: true, position: 3, joined: true });
    // Three launches are promised to s1..s3 and none is left.
    expect(od.decide('s4', 'p', 0, 3)).toEqual({ wait: false });
    expect(od.demand('p')).toEqual({ waiting: 3, oldest: expect.objectContaining({ requestedAt: 0 }) as unknown });
    // Asking again keeps the place and does not count twice.
    expect(od.decide('s2', 'p', 0, 3)).toEqual({ wait: true, position: 2, joined: false });
    expect(od.demand('p').waiting).toBe(3);
  });

  it('a free RunTask call means no wait: the session launches at once', () => {
    const { od } = world({ calls: 1, launches: 100 });
    expect(od.decide('s1', 'p', 0, 0)).toEqual({ wait: false });
  });

  it('places follow request time, then the order of asking; the oldest names the batch place in line', () => {
    const { od } = world({ calls: 0, launches: 100 });
    od.decide('late', 'p', 50, 0);
    od.decide('early', 'p', 10, 1);
    expect(od.decide('late', 'p', 50, 2)).toMatchObject({ position: 2 });
    expect(od.demand('p').oldest?.requestedAt).toBe(10);
    expect(od.demand('other').waiting).toBe(0);
  });

  it('a wait is bounded: after maxWaitMs the session takes its own launch and does not wait again until it leaves', async () => {
    const { clock, od, runTask } = world({ calls: 0, launches: 100 });
    const listened: string[] = [];
    od.onDemand((pool) => listened.push(pool));
    expect(od.decide('s1', 'p', 0, 0)).toMatchObject({ wait: true });
    expect(listened).toEqual(['p']);
    await clock.advance(9_999);
    expect(od.decide('s1', 'p', 0, 0)).toMatchObject({ wait: true, joined: false });
    await clock.advance(1);
    expect(od.demand('p').waiting).toBe(0);
    expect(od.decide('s1', 'p', 0, 0)).toEqual({ wait: false });
    expect(od.decide('s1', 'p', 0, 0)).toEqual({ wait: false });
    od.leave('s1');
    expect(runTask.tryTake(20)).toBe(true); // calls spent again
    expect(od.decide('s1', 'p', 0, 0)).toMatchObject({ wait: true, joined: true });
  });

  it('a waiter keeps its place through a claim: not counted as demand while it holds a task, back in its place if the claim is lost', () => {
    const { od } = world({ calls: 0, launches: 100 });
    od.decide('s1', 'p', 0, 0);
    od.decide('s2', 'p', 0, 1);
    od.decide('s3', 'p', 0, 2);
    // s1's claim is made: its claimed task no longer counts as idle, so s1 no longer counts as demand.
    expect(od.demand('p', (id) => id === 's1').waiting).toBe(2);
    // The claim went to a concurrent claimer: asking again, it waits where it stood, not last.
    expect(od.decide('s1', 'p', 0, 3)).toEqual({ wait: true, position: 1, joined: false });
    expect(od.demand('p', () => false).waiting).toBe(3);
    od.leave('s1'); // it runs
    expect(od.demand('p').waiting).toBe(2);
    expect(od.decide('s2', 'p', 0, 2)).toMatchObject({ position: 1 });
  });
});
