/**
 * The brake's operator side on real Redis (shared server, own prefix): only the leader publishes
 * the brake state, and a leader publishes the state it has even when the brake changed while it
 * followed (the FLUSHALL case: the wipe also takes the lease, and the brake engages between two
 * terms); an unchanged state is rewritten before it expires; an operator release is applied.
 * Polls are called directly (no timer loop), time is virtual.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import {
  BRAKE_STATE_REFRESH_MS, brakeKeys, BrakeReleaseWatcher, readPublishedBrakeState, requestBrakeRelease,
} from '../../src/controller/safety/brake-release.js';
import { DesiredStateBrake } from '../../src/controller/safety/index.js';
import { connectTestRedis, deleteByPrefix, uniquePrefix } from '../support/redis.js';

const redis = connectTestRedis();
const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await deleteByPrefix(redis, `{${p}}`);
  redis.disconnect();
});

function setup() {
  const prefix = uniquePrefix('esrbrake');
  prefixes.push(prefix);
  const clock = new VirtualClock();
  const brake = new DesiredStateBrake({ clock });
  let leading = false;
  const releases: Array<string | undefined> = [];
  const watcher = new BrakeReleaseWatcher({ redis, prefix, clock, brake, replica: 'host:1', shouldPublish: () => leading, onRelease: (r) => releases.push(r?.by) });
  const wipe = (): void => brake.observe({ desired: 0, tasks: 100, marker: undefined });
  return { prefix, clock, brake, watcher, releases, wipe, lead: (v: boolean) => (leading = v), published: () => readPublishedBrakeState(redis, prefix) };
}

describe('BrakeReleaseWatcher', () => {
  it('a brake that engaged while this replica followed is published once it leads (at the next poll, or at once on republish)', async () => {
    const s = setup();
    await s.watcher.poll();
    s.wipe(); // engages while following: not published
    await s.watcher.poll();
    expect(s.brake.engaged()).toBe(true);
    expect(await s.published()).toBeUndefined();
    s.lead(true);
    await s.watcher.poll();
    expect(await s.published()).toMatchObject({ replica: 'host:1', state: { engaged: true, reason: 'marker-missing' } });

    const other = setup();
    other.wipe();
    other.lead(true);
    await other.watcher.republish();
    expect(await other.published()).toMatchObject({ state: { engaged: true } });
    s.watcher.stop();
    other.watcher.stop();
  });

  it('the leader rewrites an unchanged state before it expires, and republishes after another replica wrote', async () => {
    const s = setup();
    s.lead(true);
    s.wipe(); // published on the change
    const first = await s.published();
    expect(first?.state.engaged).toBe(true);
    await s.watcher.poll(); // nothing new to say
    expect((await s.published())?.at).toBe(first?.at);
    await s.clock.advance(BRAKE_STATE_REFRESH_MS);
    await s.watcher.poll();
    expect((await s.published())?.at).toBe(first!.at + BRAKE_STATE_REFRESH_MS);

    s.lead(false);
    await s.watcher.poll(); // another leader's turn: it writes its own view
    await redis.set(brakeKeys(s.prefix).state, JSON.stringify({ state: { engaged: false }, replica: 'other', at: 0 }));
    s.lead(true);
    await s.watcher.poll();
    expect(await s.published()).toMatchObject({ replica: 'host:1', state: { engaged: true } });
    s.watcher.stop();
  });

  it('an operator release written after the first poll releases an engaged brake, and the released state is published', async () => {
    const s = setup();
    s.lead(true);
    await s.watcher.poll();
    s.wipe();
    await requestBrakeRelease(redis, s.prefix, 'operator-1');
    await s.watcher.poll();
    expect(s.brake.engaged()).toBe(false);
    expect(s.releases).toEqual(['operator-1']);
    expect(await s.published()).toMatchObject({ state: { engaged: false, releasedBy: 'operator' } });
    s.watcher.stop();
  });
});
