/**
 * The warm pool end to end: real Redis, the simulator over HTTP, the production wiring.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TAG } from '../../src/observed/model.js';
import { eventually, startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

const POOLS = JSON.stringify({ 'shell-warm': { template: 'shell', maxSize: 200 } });
const runTaskCalls = (s: Stack): number => s.core.getStats().byOperation.RunTask?.calls ?? 0;
const warmIdle = (s: Stack) => s.core.dump().tasks.filter((t) => t.tags[TAG.role] === 'warm' && t.lastStatus === 'RUNNING' && t.desiredStatus === 'RUNNING');

describe('warm pool over HTTP with real Redis', () => {
  it('replenishing 95 tasks takes ceil(95/10) = 10 RunTask calls', async () => {
    stack = await startStack({ env: { RECONCILER_POOLS: POOLS } });
    await stack.client.setWarmPoolTarget('shell-warm', 95, { template: 'shell' });
    await eventually('95 warm tasks RUNNING', () => warmIdle(stack!).length === 95, 20_000);
    expect(runTaskCalls(stack)).toBe(10);
    expect(stack.core.dump().tasks).toHaveLength(95);
  });

  it('200 sessions at once against 50 RUNNING warm tasks: 50 claims, none twice, 150 cold, all Running, pool refilled', async () => {
    stack = await startStack({ env: { RECONCILER_POOLS: POOLS, RECONCILER_WORKERS: '32' } });
    const s = stack;
    await s.client.setWarmPoolTarget('shell-warm', 50, { template: 'shell' });
    await eventually('50 warm tasks RUNNING', () => warmIdle(s).length === 50, 20_000);
    const warmArns = new Set(warmIdle(s).map((t) => t.taskArn));
    await Promise.all(Array.from({ length: 200 }, (_, i) => s.client.ensureSession({ id: `w${i}`, userId: `u${i}`, template: 'shell', persistence: 'none' })));
    await eventually('200 sessions Running', async () => {
      const page = await s.client.listSessions({ limit: 1000 });
      return page.sessions.filter((e) => e.status?.phase === 'Running').length === 200;
    }, 40_000);
    const sessions = (await s.client.listSessions({ limit: 1000 })).sessions;
    const servedByWarm = sessions.filter((e) => e.status?.warm && warmArns.has(e.status.taskArn!));
    expect(servedByWarm).toHaveLength(50);
    const taskArns = sessions.map((e) => e.status!.taskArn!);
    expect(new Set(taskArns).size).toBe(200);
    expect(sessions.filter((e) => !e.status?.warm)).toHaveLength(150);
    const claims = await s.daemon.store.warmClaims();
    expect(claims.size).toBe(50);
    expect(new Set([...claims.values()].map((c) => c.sessionId)).size).toBe(50);
    await eventually('pool refilled to 50', () => warmIdle(s).length === 50, 20_000);
    const liveBySession = new Map<string, number>();
    for (const t of s.core.dump().tasks) {
      if (t.lastStatus === 'STOPPED' || t.desiredStatus === 'STOPPED' || !t.tags[TAG.session]) continue;
      liveBySession.set(t.tags[TAG.session]!, (liveBySession.get(t.tags[TAG.session]!) ?? 0) + 1);
    }
    expect(liveBySession.size).toBe(200);
    expect([...liveBySession.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);

  it('a pool whose batches keep failing (no capacity) stops trying: its breaker opens after 3 failed batches', async () => {
    stack = await startStack({ env: { RECONCILER_POOLS: POOLS } });
    const s = stack;
    s.core.setFaults({ capacityFailureRate: 1 });
    await s.client.setWarmPoolTarget('shell-warm', 10, { template: 'shell' });
    await eventually('3 failed batches', () => runTaskCalls(s) >= 3, 15_000);
    await new Promise((r) => setTimeout(r, 4000)); // the queue backoff alone would retry within this
    expect(runTaskCalls(s)).toBe(3);
    expect(s.daemon.controller.cache.poolHealth.get('shell-warm')?.breaker.state()).toBe('open');
    expect(s.core.dump().tasks).toHaveLength(0);
  });
});
