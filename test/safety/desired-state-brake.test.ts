import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { DesiredStateBrake, type BrakeState, type BrakeSyncFacts } from '../../src/controller/safety/index.js';

const marker = { schemaVersion: 1, storeId: 'store-1', createdAt: 0 };
const sync = (desired: number, tasks: number): BrakeSyncFacts => ({ desired, tasks, marker });
/** A sync of a wiped store: the marker key is gone. */
const wiped = (desired: number, tasks: number): BrakeSyncFacts => ({ desired, tasks, marker: undefined });

function brake(): { b: DesiredStateBrake; changes: BrakeState[] } {
  const b = new DesiredStateBrake({ clock: new VirtualClock(), dropFraction: 0.5, minDrop: 10 });
  const changes: BrakeState[] = [];
  b.onChange((s) => changes.push(s));
  return { b, changes };
}

describe('DesiredStateBrake', () => {
  it.each([
    { name: 'steady state', syncs: [sync(100, 100), sync(100, 100)], engaged: false },
    { name: 'marker missing while tasks run (FLUSHALL)', syncs: [sync(100, 100), wiped(0, 100)], engaged: true, reason: 'marker-missing' },
    { name: 'marker missing at the first sync (a controller started on a wiped store)', syncs: [wiped(0, 100)], engaged: true, reason: 'marker-missing' },
    { name: 'marker missing with nothing running (fresh install)', syncs: [wiped(0, 0)], engaged: false },
    { name: 'desired drops by 60% in one resync', syncs: [sync(100, 100), sync(40, 100)], engaged: true, reason: 'desired-drop' },
    { name: 'desired drops by 40% (under the share)', syncs: [sync(100, 100), sync(60, 100)], engaged: false },
    { name: 'a small fleet losing 5 of 6 (under the minimum drop)', syncs: [sync(6, 6), sync(1, 6)], engaged: false },
    { name: 'gradual shrink across resyncs', syncs: [sync(100, 100), sync(60, 100), sync(36, 60), sync(22, 36)], engaged: false },
    { name: 'drop while nothing runs', syncs: [sync(100, 0), sync(0, 0)], engaged: false },
  ])('$name: engaged=$engaged', ({ syncs, engaged, reason }) => {
    const { b } = brake();
    for (const s of syncs) b.observe(s);
    expect(b.engaged()).toBe(engaged);
    if (reason) expect(b.state()).toMatchObject({ engaged: true, reason });
  });

  it('releases itself when desired state is back, and says why', () => {
    const { b, changes } = brake();
    b.observe(sync(100, 100));
    b.observe(wiped(0, 100));
    b.observe(sync(3, 100)); // the gateway started rewriting: marker back, but far below the baseline
    expect(b.engaged()).toBe(true);
    b.observe(sync(100, 100));
    expect(b.engaged()).toBe(false);
    expect(changes.map((c) => (c.engaged ? c.reason : c.releasedBy))).toEqual(['marker-missing', 'desired-back']);
  });

  it('an operator release accepts the current desired state (a missing marker is acknowledged until it reappears)', () => {
    const { b, changes } = brake();
    b.observe(sync(100, 100));
    b.observe(wiped(0, 100));
    expect(b.release()).toBe(true);
    b.observe(wiped(0, 100));
    expect(b.engaged()).toBe(false);
    b.observe(sync(50, 50));
    b.observe(wiped(0, 50)); // wiped again after the marker came back: engages again
    expect(b.engaged()).toBe(true);
    expect(changes.map((c) => (c.engaged ? c.reason : c.releasedBy))).toEqual(['marker-missing', 'operator', 'marker-missing']);
    expect(b.release()).toBe(true);
    expect(b.release()).toBe(false);
  });
});

describe('DesiredStateBrake: mass expiry', () => {
  function expiring(): { b: DesiredStateBrake; clock: VirtualClock } {
    const clock = new VirtualClock();
    return { b: new DesiredStateBrake({ clock, dropFraction: 0.5, minDrop: 10, expiryFraction: 0.1, expiryWindowMs: 30_000 }), clock };
  }

  it('admits expiries a few at a time; the one that makes a window sudden engages it (at least minDrop and more than the share)', async () => {
    const { b, clock } = expiring();
    b.observe({ ...sync(200, 200), expiring: 0 });
    for (let i = 0; i < 19; i++) {
      expect(b.admitExpiry()).toBe('allow'); // 19 of 200 within 30 s: under 10%
      await clock.advance(1_000);
    }
    expect(b.admitExpiry()).toBe('allow'); // 20 = 10%: not more than the share
    expect(b.admitExpiry()).toMatchObject({ wait: expect.stringContaining('21 sessions would expire within 30 s') });
    expect(b.state()).toMatchObject({ engaged: true, reason: 'mass-expiry' });
  });

  it('counts only the last window: a steady trickle never engages it', async () => {
    const { b, clock } = expiring();
    b.observe({ ...sync(50, 50), expiring: 0 });
    for (let i = 0; i < 100; i++) {
      expect(b.admitExpiry()).toBe('allow'); // one every 4 s: 8 per 30 s window, under minDrop
      await clock.advance(4_000);
    }
    expect(b.engaged()).toBe(false);
  });

  it('engages at a sync that finds a mass of sessions due at once, holds while they stay due, releases once touched again', () => {
    const { b } = expiring();
    b.observe({ ...sync(100, 100), expiring: 3 });
    expect(b.engaged()).toBe(false);
    b.observe({ ...sync(100, 100), expiring: 40 });
    expect(b.state()).toMatchObject({ engaged: true, reason: 'mass-expiry' });
    expect(b.admitExpiry()).toMatchObject({ wait: expect.stringContaining('mass-expiry') });
    b.observe({ ...sync(100, 100), expiring: 60 });
    expect(b.engaged()).toBe(true);
    b.observe({ ...sync(100, 100), expiring: 2 });
    expect(b.state()).toMatchObject({ engaged: false, releasedBy: 'desired-back' });
  });

  it('an operator release lets the due sessions expire, until a sync shows no mass due again', () => {
    const { b } = expiring();
    b.observe({ ...sync(100, 100), expiring: 0 });
    b.observe({ ...sync(100, 100), expiring: 80 });
    expect(b.release()).toBe(true);
    for (let i = 0; i < 80; i++) expect(b.admitExpiry()).toBe('allow');
    b.observe({ ...sync(100, 20), expiring: 30 }); // still acknowledged: the same mass
    expect(b.engaged()).toBe(false);
    b.observe({ ...sync(100, 20), expiring: 0 });
    b.observe({ ...sync(100, 20), expiring: 50 }); // a new mass after a calm sync engages again
    expect(b.state()).toMatchObject({ engaged: true, reason: 'mass-expiry' });
  });

  it('admits expiries while engaged for another reason (their stops wait for it like every stop), without counting them', () => {
    const { b } = expiring();
    b.observe({ ...sync(100, 100), expiring: 0 });
    b.observe({ ...wiped(0, 100), expiring: 0 });
    for (let i = 0; i < 30; i++) expect(b.admitExpiry()).toBe('allow');
    expect(b.state()).toMatchObject({ engaged: true, reason: 'marker-missing' });
  });
});
