/**
 * The degradation chain as the gateway sees it, end to end: queued behind rate limits with a
 * position, and unavailable with retryAfter while the ECS breaker is open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionStatus } from '../../src/desired/schema.js';
import { SimError } from '../../src/sim/errors.js';
import { eventually, startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function watchAll(s: Stack, ids: string[]): Promise<{ seen: Map<string, SessionStatus[]>; stop: () => Promise<void> }> {
  const seen = new Map<string, SessionStatus[]>();
  const stops = await Promise.all(ids.map((id) => s.daemon.store.watchStatus(id, (st) => st && seen.set(id, [...(seen.get(id) ?? []), st]))));
  return { seen, stop: async () => void (await Promise.all(stops.map((f) => f()))) };
}

describe('degradation chain over HTTP with real Redis', () => {
  it('sessions waiting on the RunTask rate limit say Queued with their position and an estimate', async () => {
    stack = await startStack({ env: { RECONCILER_RATE_LIMITS: JSON.stringify({ buckets: { 'ecs:RunTask': { burst: 1, ratePerSec: 2 } } }) } });
    const s = stack;
    const ids = Array.from({ length: 6 }, (_, i) => `q${i}`);
    const w = await watchAll(s, ids);
    await Promise.all(ids.map((id) => s.client.ensureSession({ id, userId: id, template: 'shell', persistence: 'none' })));
    await eventually('all Running', async () => (await Promise.all(ids.map((id) => s.client.getSession(id)))).every((e) => e?.status?.phase === 'Running'), 20_000);
    await w.stop();
    const queued = [...w.seen.values()].flat().filter((st) => st.conditions.some((c) => c.type === 'Queued' && c.reason === 'RateLimited'));
    expect(queued.length).toBeGreaterThan(0);
    const q = queued.find((st) => (st.queuePosition ?? 0) >= 2) ?? queued[0]!;
    expect(q.queuePosition).toBeGreaterThanOrEqual(1);
    expect(q.conditions.find((c) => c.type === 'Queued')!.message).toMatch(/in line, about \d+ s/);
    for (const id of ids) {
      const final = (await s.client.getSession(id))!.status!;
      expect(final.conditions.some((c) => c.type === 'Queued')).toBe(false);
      expect(final.queuePosition).toBeUndefined();
    }
  });

  it('while the ECS breaker is open a new session is Unavailable with retryAfter, then starts after the outage', async () => {
    stack = await startStack({ env: { RECONCILER_BREAKER_THRESHOLD: '2', RECONCILER_BREAKER_COOLDOWN_MS: '1500' } });
    const s = stack;
    s.core.startOutage('ecs', 4000);
    const w = await watchAll(s, ['u1']);
    await s.client.ensureSession({ id: 'u1', userId: 'u1', template: 'shell', persistence: 'none' });
    await eventually('Unavailable reported', () => (w.seen.get('u1') ?? []).some((st) => st.conditions.some((c) => c.reason === 'Unavailable')), 15_000);
    const unavailable = w.seen.get('u1')!.find((st) => st.conditions.some((c) => c.reason === 'Unavailable'))!;
    expect(unavailable.retryAfter).toBeGreaterThan(unavailable.updatedAt - 1);
    expect(unavailable.conditions.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: 'EcsUnavailable' });
    const ready = await s.client.waitForReady('u1', { signal: AbortSignal.timeout(20_000) });
    await w.stop();
    expect(ready.retryAfter).toBeUndefined();
    expect(ready.conditions.some((c) => c.type === 'Degraded')).toBe(false);
  });

  it('a RunTask refused by IAM (AccessDeniedException) reaches the status as AccessDenied, not a silent backoff', async () => {
    stack = await startStack();
    const s = stack;
    s.core.faults.failNext('RunTask', new SimError('AccessDeniedException', 400, 'User is not authorized to perform: ecs:RunTask'));
    await s.client.ensureSession({ id: 'd1', userId: 'd1', template: 'shell', persistence: 'none' });
    await eventually('AccessDenied reported', async () => (await s.client.getSession('d1'))?.status?.conditions.some((c) => c.type === 'Ready' && c.reason === 'AccessDenied') === true, 20_000);
    const ready = (await s.client.getSession('d1'))!.status!.conditions.find((c) => c.type === 'Ready')!;
    expect(ready.status).toBe('False');
    expect(ready.message).toMatch(/ecs:RunTask refused \(AccessDeniedException\): User is not authorized/);
  });
});
