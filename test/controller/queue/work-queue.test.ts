import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/common/clock.js';
import { SeededRng } from '../../../src/common/rng.js';
import { RateLimitingQueue } from '../../../src/controller/queue/rate-limiting-queue.js';
import type { QueueMetricsSink } from '../../../src/controller/queue/metrics.js';

function makeQueue(clock = new VirtualClock(0), extra: { agingMs?: number; metrics?: QueueMetricsSink } = {}) {
  return { clock, q: new RateLimitingQueue<string>({ clock, rng: new SeededRng(1), ...extra }) };
}

describe('WorkQueue dedupe and processing rules', () => {
  it('deduplicates pending keys', () => {
    const { q } = makeQueue();
    q.add('a');
    q.add('a');
    q.add('b');
    expect(q.len()).toBe(2);
    expect(q.tryGet()).toBe('a');
    expect(q.tryGet()).toBe('b');
    expect(q.tryGet()).toBeUndefined();
  });

  it('never hands out a key that is being processed; adds during processing merge into one more run', () => {
    const { q } = makeQueue();
    q.add('a');
    expect(q.tryGet()).toBe('a');
    q.add('a');
    q.add('a');
    expect(q.tryGet()).toBeUndefined();
    expect(q.isProcessing('a')).toBe(true);
    q.done('a');
    expect(q.len()).toBe(1);
    expect(q.tryGet()).toBe('a');
    q.done('a');
    expect(q.tryGet()).toBeUndefined();
  });

  it('get waits for a key and wakes when one is added', async () => {
    const { q } = makeQueue();
    const p = q.get();
    q.add('x');
    await expect(p).resolves.toBe('x');
  });
});

describe('priorities and aging', () => {
  it('serves changed keys before resync keys', () => {
    const { q } = makeQueue();
    q.add('r1', { priority: 'resync' });
    q.add('r2', { priority: 'resync' });
    q.add('c1');
    q.add('c2', { priority: 'changed' });
    expect([q.tryGet(), q.tryGet(), q.tryGet(), q.tryGet()]).toEqual(['c1', 'c2', 'r1', 'r2']);
  });

  it('upgrades a pending resync key that gets a change hint', () => {
    const { q } = makeQueue();
    q.add('c0');
    q.add('r', { priority: 'resync' });
    q.add('c1');
    q.add('r', { priority: 'changed' });
    expect([q.tryGet(), q.tryGet(), q.tryGet(), q.tryGet()]).toEqual(['c0', 'c1', 'r', undefined]);
  });

  it('a resync key that waited agingMs goes ahead of newer changed keys (no starvation)', async () => {
    const { q, clock } = makeQueue(new VirtualClock(0), { agingMs: 1000 });
    q.add('resync-1', { priority: 'resync' });
    await clock.advance(999);
    q.add('c-early');
    await clock.advance(1);
    q.add('c-late');
    // resync-1 has aged (1000 ms) and is older than both changed keys.
    expect(q.tryGet()).toBe('resync-1');
    expect(q.tryGet()).toBe('c-early');
  });

  it('under a steady stream of changes a resync key still runs within agingMs plus the older backlog', async () => {
    const { q, clock } = makeQueue(new VirtualClock(0), { agingMs: 500 });
    q.add('resync', { priority: 'resync' });
    let servedAt: number | undefined;
    for (let t = 0; t < 5000 && servedAt === undefined; t += 10) {
      q.add(`c${t}`);
      q.add(`c${t}b`);
      const k = q.tryGet();
      if (k) q.done(k);
      if (k === 'resync') servedAt = clock.now();
      await clock.advance(10);
    }
    expect(servedAt).toBeDefined();
    expect(servedAt as number).toBeLessThanOrEqual(1200);
  });
});

describe('DelayingQueue', () => {
  it('adds a key only once its delay has passed; an earlier addAfter wins', async () => {
    const { q, clock } = makeQueue();
    q.addAfter('a', 1000);
    q.addAfter('a', 300);
    q.addAfter('a', 2000);
    expect(q.delayedLen()).toBe(1);
    await clock.advance(299);
    expect(q.len()).toBe(0);
    await clock.advance(1);
    expect(q.tryGet()).toBe('a');
    q.done('a');
    await clock.advance(5000);
    expect(q.len()).toBe(0);
  });

  it('non-positive delays add at once', () => {
    const { q } = makeQueue();
    q.addAfter('a', 0);
    q.addAfter('b', -5);
    expect(q.len()).toBe(2);
  });
});

describe('shutdown', () => {
  it('stops handing out work, waits for in-flight keys up to the deadline and reports leftovers', async () => {
    const { q, clock } = makeQueue();
    q.add('running-ok');
    q.add('running-stuck');
    q.add('never-started');
    q.addAfter('delayed', 10_000);
    expect(q.tryGet()).toBe('running-ok');
    expect(q.tryGet()).toBe('running-stuck');
    q.add('running-ok'); // re-added while in flight: left over too
    const report = q.shutdown({ drainTimeoutMs: 2000 });
    await expect(q.get()).resolves.toBeUndefined();
    await clock.advance(500);
    q.done('running-ok');
    q.add('too-late');
    await clock.advance(2000);
    const r = await report;
    expect(r.drained).toBe(false);
    expect(r.inFlight).toEqual(['running-stuck']);
    expect(r.queued.sort()).toEqual(['never-started', 'running-ok']);
    expect(r.delayed).toEqual(['delayed']);
    expect(r.waitedMs).toBe(2000);
    expect(await q.get()).toBeUndefined();
  });

  it('wakes blocked get() callers with undefined', async () => {
    const { q } = makeQueue();
    const waiter = q.get();
    const report = await q.shutdown({ drainTimeoutMs: 10 });
    await expect(waiter).resolves.toBeUndefined();
    expect(report).toMatchObject({ drained: true, inFlight: [], queued: [], delayed: [] });
  });

  it('reports drained when in-flight work finishes before the deadline', async () => {
    const { q, clock } = makeQueue();
    q.add('a');
    q.tryGet();
    const report = q.shutdown({ drainTimeoutMs: 5000 });
    await clock.advance(100);
    q.done('a');
    const r = await report;
    expect(r).toMatchObject({ drained: true, inFlight: [], waitedMs: 100 });
  });
});

describe('metrics hooks', () => {
  it('reports adds, depth, queue and work durations, retries and unfinished work', async () => {
    const seen: string[] = [];
    const metrics: QueueMetricsSink = {
      add: () => seen.push('add'),
      depth: (_q, d) => seen.push(`depth=${d}`),
      queueDuration: (_q, ms) => seen.push(`queued=${ms}`),
      workDuration: (_q, ms) => seen.push(`work=${ms}`),
      retry: () => seen.push('retry'),
      unfinishedWork: (_q, total, longest) => seen.push(`unfinished=${total}/${longest}`),
    };
    const { q, clock } = makeQueue(new VirtualClock(0), { metrics });
    q.add('a');
    await clock.advance(40);
    q.tryGet();
    await clock.advance(60);
    expect(q.reportUnfinishedWork()).toEqual({ totalMs: 60, longestRunningMs: 60 });
    q.done('a');
    q.addRateLimited('a');
    expect(seen).toEqual(['add', 'depth=1', 'depth=0', 'queued=40', 'unfinished=60/60', 'work=60', 'retry']);
  });
});
