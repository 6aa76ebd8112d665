/**
 * The full desired read goes in windows (SNAPSHOT_WINDOW_CHUNKS chunks a pipeline) so that the
 * reply buffers held at once stay bounded at 100,000 sessions (docs/performance.md, finding 7).
 * With chunks of 2 ids, two full windows and part of a third: every record, the pools, a spec gone
 * from under its index entry, and the decode memo must come out as with one pipeline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { DecodeMemo } from '../../src/desired/decode-memo.js';
import { readSnapshot, SNAPSHOT_WINDOW_CHUNKS } from '../../src/desired/redis-snapshot.js';
import { sharedRedisTarget } from '../support/redis-targets.js';
import { redisHarnessOn } from './redis-harness.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('readSnapshot in windows', () => {
  it('reads every session across windows, the pools once, and drops a spec removed under its index', async () => {
    const clock = new VirtualClock();
    const h = await redisHarnessOn(sharedRedisTarget)({ clock });
    cleanups.push(h.cleanup);
    const chunk = 2;
    const n = chunk * SNAPSHOT_WINDOW_CHUNKS * 2 + chunk + 1; // two full windows and part of a third
    for (let i = 0; i < n; i++) await h.store.ensureSession({ id: `s${String(i).padStart(3, '0')}`, userId: `u${i}`, template: 'shell', persistence: 'none', env: {}, labels: {} });
    await h.store.setWarmPool('shell', 'shell', 3);
    const gone = `s${String(chunk * SNAPSHOT_WINDOW_CHUNKS + 1).padStart(3, '0')}`; // in the second window
    await h.redis.del(h.store.keys.sessionSpec(gone)); // listed, spec gone, no status: not in the snapshot
    const memo = new DecodeMemo();
    const problems: unknown[] = [];
    const first = await readSnapshot(h.redis, h.store.keys, clock, (p) => problems.push(p), chunk, memo);
    expect(problems).toEqual([]);
    expect(first.sessions.size).toBe(n - 1);
    expect(first.sessions.has(gone)).toBe(false);
    for (const [id, e] of first.sessions) expect(e.spec?.id).toBe(id);
    expect(first.sessions.get(`s${String(n - 1).padStart(3, '0')}`)?.spec?.userId).toBe(`u${n - 1}`);
    expect([...first.pools.keys()]).toEqual(['shell']);
    expect(first.pools.get('shell')?.spec?.target).toBe(3);
    expect(memo.size).toBe(n - 1);

    const second = await readSnapshot(h.redis, h.store.keys, clock, (p) => problems.push(p), chunk, memo);
    expect(second.sessions.size).toBe(n - 1);
    for (const [id, e] of second.sessions) expect(e.spec).toBe(first.sessions.get(id)!.spec); // memo hits: the same frozen values
  });
});
