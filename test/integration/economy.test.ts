/**
 * API economy, counted at the simulator: a converged cluster of 1,000 sessions costs zero
 * mutating calls per resync and ceil(1000/100) DescribeTasks plus the ListTasks pages.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, startStack, type Stack } from '../support/stack.js';

const N = 1000;
let stack: Stack | undefined;
afterAll(async () => {
  await stack?.stop();
});

describe('API economy of a converged cluster', () => {
  it(`${N} converged sessions: 0 mutating calls and ceil(N/100) DescribeTasks per full resync`, async () => {
    stack = await startStack({ env: { RECONCILER_RESYNC_SECONDS: '3600', RECONCILER_WORKERS: '32' } });
    const s = stack;
    for (let i = 0; i < N; i += 100) {
      await Promise.all(Array.from({ length: 100 }, (_, j) => s.client.ensureSession({ id: `e${i + j}`, userId: `u${i + j}`, template: 'shell', persistence: 'none' })));
    }
    await eventually(`${N} sessions Running`, () => {
      let running = 0;
      for (const e of s.daemon.controller.cache.sessions.values()) if (e.status?.phase === 'Running') running++;
      return running === N;
    }, 60_000);
    await eventually('queue idle', () => s.daemon.controller.queue.len() === 0 && s.daemon.controller.queue.inFlight() === 0);
    const before = s.core.getStats();
    await s.daemon.controller.fullSync();
    await eventually('queue idle after resync', () => s.daemon.controller.queue.len() === 0 && s.daemon.controller.queue.inFlight() === 0);
    const after = s.core.getStats();
    const delta = (op: 'DescribeTasks' | 'ListTasks' | 'DescribeAccessPoints') => (after.byOperation[op]?.calls ?? 0) - (before.byOperation[op]?.calls ?? 0);
    const mutating = after.total.mutatingCalls - before.total.mutatingCalls;
    const listPages = Math.ceil(N / 100) + 1;
    console.log(`economy: mutating=${mutating} DescribeTasks=${delta('DescribeTasks')} ListTasks=${delta('ListTasks')} DescribeAccessPoints=${delta('DescribeAccessPoints')}`);
    expect(mutating).toBe(0);
    expect(delta('DescribeTasks')).toBeLessThanOrEqual(Math.ceil(N / 100));
    expect(delta('ListTasks')).toBeLessThanOrEqual(listPages);
    expect(after.total.calls - before.total.calls).toBeLessThanOrEqual(Math.ceil(N / 100) + listPages + 1);
  });
});
