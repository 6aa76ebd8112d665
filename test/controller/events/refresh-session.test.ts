/**
 * The gateway's refresh request: a session hint that also has the session's tasks described at
 * the refresher's next tick, so a task that died behind the controller's back is replaced in
 * seconds instead of at the next resync (300 s here).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/common/clock.js';
import type { Controller } from '../../../src/controller/controller.js';
import { SessionClient } from '../../../src/desired/client.js';
import { MemoryDesiredStore } from '../../../src/desired/memory-store.js';
import { simAws } from '../../fixtures/sim-aws.js';
import { buildController } from '../../support/controller-harness.js';

const lifecycle = { provisioningMs: 1000, pendingMs: 1000, activatingMs: 500, deactivatingMs: 500, stoppingMs: 1000, deprovisioningMs: 500 };

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop(1000);
});

describe('client.refreshSession', () => {
  it('a gateway refresh after its connection dropped gets a dead task replaced within seconds; without it, not before the resync', async () => {
    for (const refresh of [true, false]) {
      const clock = new VirtualClock(Date.UTC(2026, 0, 1));
      const aws = simAws({ clock, lifecycle });
      const store = new MemoryDesiredStore({ clock });
      store.setLeaderEpoch(1);
      const client = new SessionClient(store, {}, { clock });
      const c = buildController({ aws: aws.api, store, clock, overrides: { resyncMs: 300_000 } });
      running.push(c);
      await client.ensureSession({ id: 's1', userId: 'u', template: 'shell', persistence: 'none' });
      await c.start();
      await clock.advanceUntil(() => c.cache.sessions.get('s1')?.status?.phase === 'Running', 60_000);
      await clock.advance(10_000);
      const arn = c.cache.sessions.get('s1')!.status!.taskArn!;
      const runs = aws.calls.count('RunTask');
      aws.crash(arn);
      if (refresh) expect(await client.refreshSession('s1')).toBe(true);
      const tookMs = await clock.advanceUntil(() => aws.calls.count('RunTask') > runs, 60_000).catch(() => undefined);
      if (refresh) expect(tookMs).toBeLessThanOrEqual(5_000);
      else expect(tookMs).toBeUndefined();
      await c.stop(1000);
    }
  });
});
