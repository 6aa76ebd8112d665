/**
 * Issue #17, scenario 6: a RunTask answer that already says RUNNING (ECS does not promise a
 * non-RUNNING state there; the emulator moto answers RUNNING at once, as the simulator's
 * `instant` profile does) makes the session Running in the same reconcile, not at the next
 * resync (was 23.8 s with a 30 s resync).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import type { Controller } from '../../src/controller/controller.js';
import { MemoryDesiredStore } from '../../src/desired/memory-store.js';
import { simAws } from '../fixtures/sim-aws.js';
import { buildController } from '../support/controller-harness.js';

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.stop(1000);
});

describe('RunTask answers RUNNING (issue #17)', () => {
  it('the session is Running within a second of virtual time, not at the next resync', async () => {
    const clock = new VirtualClock();
    const aws = simAws({ clock }); // instant profile: RUNNING in the RunTask answer
    const store = new MemoryDesiredStore({ clock });
    store.setLeaderEpoch(1);
    const c = buildController({ aws: aws.api, store, clock, overrides: { resyncMs: 30_000 } });
    running.push(c);
    await c.start();
    await clock.advance(1_000);
    await store.ensureSession({ id: 'fast', userId: 'u', template: 'shell', persistence: 'none', env: {}, labels: {} });
    const took = await clock.advanceUntil(() => c.cache.sessions.get('fast')?.status?.phase === 'Running', 60_000);
    expect(aws.calls.count('RunTask')).toBe(1);
    expect(took).toBeLessThan(1_000);
    expect((await store.readSession('fast'))!.status!.endpoint).toBeDefined();
  });
});
