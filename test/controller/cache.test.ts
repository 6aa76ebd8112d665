import { describe, expect, it } from 'vitest';
import { ControllerCache } from '../../src/controller/cache.js';
import { TAG } from '../../src/observed/model.js';
import { aSpec, aStatus, aTask, anObserved, OWNER, T0 } from '../fixtures/builders.js';

describe('ControllerCache merge rules', () => {
  it('a full snapshot does not overwrite a spec or a purge learned after the snapshot began', () => {
    const cache = new ControllerCache(OWNER);
    cache.replaceDesired({ sessions: new Map([['a', { id: 'a', spec: aSpec({ id: 'a' }) }], ['b', { id: 'b', spec: aSpec({ id: 'b' }) }]]) }, T0, T0 + 1);
    // The next snapshot starts reading at T0+10; meanwhile hints bring generation 2 of a, and b is purged.
    cache.setSessionEntry('a', { id: 'a', spec: aSpec({ id: 'a', generation: 2 }) }, T0 + 20);
    cache.setSessionEntry('b', undefined, T0 + 25);
    const stale = new Map([['a', { id: 'a', spec: aSpec({ id: 'a', generation: 1 }) }], ['b', { id: 'b', spec: aSpec({ id: 'b' }) }], ['c', { id: 'c', spec: aSpec({ id: 'c' }) }]]);
    cache.replaceDesired({ sessions: stale }, T0 + 10, T0 + 30);
    expect(cache.sessions.get('a')?.spec?.generation).toBe(2);
    expect(cache.sessions.has('b')).toBe(false);
    expect(cache.sessions.has('c')).toBe(true);
    // Older touches do not win over a later snapshot.
    cache.setSessionEntry('c', undefined, T0 + 40);
    cache.replaceDesired({ sessions: stale }, T0 + 50, T0 + 60);
    expect(cache.sessions.has('c')).toBe(true);
    expect(cache.sessions.get('a')?.spec?.generation).toBe(1);
  });

  it('the same rule for pool status and warm claims: a full read never restores what was written or released after it began (seed 1695)', () => {
    const cache = new ControllerCache(OWNER);
    const intent7 = { schemaVersion: 1 as const, batch: 7, intent: { batch: 7, clientToken: 'w.p.7', count: 2, requestedAt: T0 }, updatedAt: T0 };
    const batch8 = { schemaVersion: 1 as const, batch: 8, intent: { batch: 8, clientToken: 'w.p.8', count: 2, requestedAt: T0 + 20 }, updatedAt: T0 + 20 };
    const claim = (sessionId: string) => ({ sessionId, pool: 'p', incarnation: 1, at: T0 });
    cache.setClaims(new Map([['arn:old', claim('x')]]), T0);
    // A full read begins at T0+10 and sees intent 7 and the old claim; meanwhile batch 8 is
    // recorded, the old claim released and a new one made.
    cache.setPoolStatus('p', batch8, T0 + 20);
    cache.removeClaim('arn:old', T0 + 21);
    cache.addClaim('arn:new', claim('y'), T0 + 22);
    cache.replacePoolStatuses([['p', intent7]], T0 + 10);
    cache.setClaims(new Map([['arn:old', claim('x')]]), T0 + 10);
    expect(cache.poolStatus.get('p')?.batch).toBe(8);
    expect(cache.claims.has('arn:old')).toBe(false);
    expect(cache.claims.get('arn:new')?.sessionId).toBe('y');
    expect(cache.tasksOf('x')).toEqual([]);
    // A read that began after those facts wins.
    cache.replacePoolStatuses([['p', intent7]], T0 + 30);
    cache.setClaims(new Map([['arn:old', claim('x')]]), T0 + 30);
    expect(cache.poolStatus.get('p')?.batch).toBe(7);
    expect([...cache.claims.keys()]).toEqual(['arn:old']);
  });

  it('a warm task claimed again for another session leaves the first session: no stale index entry', () => {
    const cache = new ControllerCache(OWNER);
    const claim = (sessionId: string) => ({ sessionId, pool: 'p', incarnation: 1, at: T0 });
    cache.addClaim('arn:w', claim('c'), T0);
    cache.addClaim('arn:w', claim('d'), T0 + 1);
    expect(cache.sessionKeys().sort()).toEqual(['d']);
    expect(cache.sizes()['claimsBySession']).toBe(1);
  });

  it('keeps a status written after the snapshot began, and a task learned after the observed read began', () => {
    const cache = new ControllerCache(OWNER);
    cache.replaceDesired({ sessions: new Map([['a', { id: 'a', spec: aSpec({ id: 'a' }) }]]) }, T0, T0);
    cache.setStatus('a', aStatus({ phase: 'Starting', incarnation: 3 }), T0 + 20);
    cache.replaceDesired({ sessions: new Map([['a', { id: 'a', spec: aSpec({ id: 'a' }), status: aStatus({ incarnation: 2 }) }]]) }, T0 + 10, T0 + 30);
    expect(cache.sessions.get('a')?.status?.incarnation).toBe(3);
    const launched = aTask({ session: 'a', incarnation: 3 });
    cache.upsertTask(launched, T0 + 20);
    cache.replaceObserved(anObserved([]), T0 + 10);
    expect(cache.tasksOf('a').map((t) => t.arn)).toEqual([launched.arn]);
  });

  it('a full desired read in place: sessions the read does not hold go, unless learned after it began', () => {
    const cache = new ControllerCache(OWNER);
    const entry = (id: string, generation = 1) => ({ id, spec: aSpec({ id, generation }) });
    cache.replaceDesired({ sessions: new Map([['a', entry('a')], ['b', entry('b')], ['c', entry('c')]]) }, T0, T0 + 1);
    cache.setSessionEntry('d', entry('d'), T0 + 20); // created while the next read runs
    cache.replaceDesired({ sessions: new Map([['a', entry('a', 2)], ['c', entry('c')]]) }, T0 + 10, T0 + 30);
    expect([...cache.sessions.keys()].sort()).toEqual(['a', 'c', 'd']);
    expect(cache.sessions.get('a')?.spec?.generation).toBe(2);
  });

  it('a full read updates the cache in place: tasks, indexes and batches end as a cache built from that read alone', () => {
    const warm = (o: Parameters<typeof aTask>[0] & { pool: string; batch?: string }) => {
      const { pool, batch, ...rest } = o;
      const t = aTask(rest);
      const tags: Record<string, string> = { ...t.tags, [TAG.role]: 'warm', [TAG.pool]: pool, ...(batch ? { 'esr:batch': batch } : {}) };
      delete tags[TAG.session];
      return { ...t, tags };
    };
    const gone = aTask({ session: 'a' });
    const claimed = warm({ pool: 'p', batch: 'w.p.1' });
    const unchanged = aTask({ session: 'b' });
    const foreign = aTask({ session: 'c', extraTags: { [TAG.owner]: 'someone-else' } });
    const movesPool = warm({ pool: 'p' });
    const cache = new ControllerCache(OWNER);
    cache.replaceObserved(anObserved([gone, claimed, unchanged, foreign, movesPool]), T0);
    expect(cache.tasksOf('a').map((t) => t.arn)).toEqual([gone.arn]);
    expect(cache.warmTasksOf('p')).toHaveLength(2);
    expect(cache.batchSeen('w.p.1')).toBe(true);
    // The next read: `gone` is gone, the warm task was claimed for d (its batch tag stays), the
    // foreign task became ours, one warm task moved to pool q, and a new warm task appeared in p.
    const claimedNow = { ...claimed, tags: { ...claimed.tags, [TAG.role]: 'session', [TAG.session]: 'd' } };
    const foreignNow = { ...foreign, tags: { ...foreign.tags, [TAG.owner]: OWNER } };
    const movedNow = { ...movesPool, tags: { ...movesPool.tags, [TAG.pool]: 'q' } };
    const fresh = warm({ pool: 'p', batch: 'w.p.2' });
    const read = anObserved([claimedNow, unchanged, foreignNow, movedNow, fresh]);
    const cachedUnchanged = cache.tasks.get(unchanged.arn);
    cache.replaceObserved(read, T0 + 10);
    const rebuilt = new ControllerCache(OWNER);
    rebuilt.replaceObserved(read, T0 + 10);
    const view = (c: ControllerCache) => ({
      tasks: [...c.tasks.keys()].sort(),
      sessions: Object.fromEntries(['a', 'b', 'c', 'd'].map((id) => [id, c.tasksOf(id).map((t) => t.arn)])),
      pools: Object.fromEntries(['p', 'q'].map((p) => [p, c.warmTasksOf(p).map((t) => t.arn).sort()])),
      batches: ['w.p.1', 'w.p.2'].map((b) => c.batchSeen(b)),
      sessionKeys: c.sessionKeys().sort(),
      sizes: c.sizes(),
    });
    expect(view(cache)).toEqual(view(rebuilt));
    expect(view(cache).sessions).toEqual({ a: [], b: [unchanged.arn], c: [foreign.arn], d: [claimed.arn] });
    expect(view(cache).pools).toEqual({ p: [fresh.arn], q: [movesPool.arn] });
    expect(cache.tasks.get(unchanged.arn)).toBe(cachedUnchanged); // an unchanged task keeps its object
  });

  it('adopts each task a full read describes: the cached object when unchanged, else a compact copy kept as it is', () => {
    const cache = new ControllerCache(OWNER);
    const same = aTask({ session: 'a' });
    const changed = aTask({ session: 'b' });
    cache.replaceObserved(anObserved([same, changed]), T0);
    const held = cache.tasks.get(same.arn)!;
    expect(cache.adoptTask({ ...same, tags: { ...same.tags } })).toBe(held);
    const stopped = { ...changed, lastStatus: 'STOPPED' as const, desiredStatus: 'STOPPED' as const, stoppedAt: T0 + 50 };
    const adopted = cache.adoptTask(stopped);
    expect(adopted).not.toBe(stopped);
    expect(adopted).toEqual(stopped);
    const fresh = cache.adoptTask(aTask({ session: 'c' }));
    cache.replaceObserved(anObserved([held, adopted, fresh]), T0 + 10, true);
    expect(cache.tasks.get(changed.arn)).toBe(adopted); // not compacted a second time
    expect(cache.tasks.get(fresh.arn)).toBe(fresh);
    expect(cache.tasksOf('c').map((t) => t.arn)).toEqual([fresh.arn]);
    expect(cache.tasksOf('b')[0]?.lastStatus).toBe('STOPPED');
  });

  describe('ECS task version (events, refreshes, full reads)', () => {
    const arn = 'arn:aws:ecs:us-east-1:123456789012:task/test/v1';

    it('an event view applies only when its version is newer; duplicates and older views are stale', () => {
      const cache = new ControllerCache(OWNER);
      cache.upsertTask(aTask({ arn, session: 's', lastStatus: 'RUNNING', version: 3 }), T0);
      const stopped = { ...aTask({ arn, lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 5 }), tags: {} };
      expect(cache.applyTaskEvent(stopped, T0 + 1)).toBe('applied');
      expect(cache.tasks.get(arn)).toMatchObject({ lastStatus: 'STOPPED', version: 5 });
      // Event views carry no tags: the known ones stay, the task is still the session's.
      expect(cache.tasks.get(arn)!.tags['esr:session']).toBe('s');
      expect(cache.tasksOf('s').map((t) => t.arn)).toEqual([arn]);
      expect(cache.applyTaskEvent(stopped, T0 + 2)).toBe('stale');
      expect(cache.applyTaskEvent({ ...stopped, lastStatus: 'DEACTIVATING', version: 4 }, T0 + 3)).toBe('stale');
      expect(cache.tasks.get(arn)!.lastStatus).toBe('STOPPED');
      expect(cache.applyTaskEvent({ ...stopped, arn: `${arn}-other` }, T0)).toBe('unknownTask');
      expect(cache.applyTaskEvent({ ...stopped, version: undefined }, T0)).toBe('unversioned');
    });

    it('a refresh answer older than the cached view does not move the status back, but its tags are taken', () => {
      const cache = new ControllerCache(OWNER);
      cache.upsertTask(aTask({ arn, session: 's', lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 5 }), T0);
      cache.upsertTask(aTask({ arn, session: 's', lastStatus: 'RUNNING', version: 3, extraTags: { late: '1' } }), T0 + 1);
      expect(cache.tasks.get(arn)).toMatchObject({ lastStatus: 'STOPPED', version: 5 });
      expect(cache.tasks.get(arn)!.tags['late']).toBe('1');
    });

    it('a full read never moves a task back to an older version, even one learned before the read began (a stop shown late)', () => {
      const cache = new ControllerCache(OWNER);
      // StopTask's own answer (version 9: RUNNING, stop requested), learned at T0.
      cache.upsertTask(aTask({ arn, session: 's', lastStatus: 'RUNNING', desiredStatus: 'STOPPED', version: 9 }), T0);
      // A full read that began later still shows the task before the stop (version 8).
      cache.replaceObserved(anObserved([aTask({ arn, session: 's', lastStatus: 'RUNNING', desiredStatus: 'RUNNING', version: 8 })]), T0 + 10);
      expect(cache.tasks.get(arn)).toMatchObject({ desiredStatus: 'STOPPED', version: 9 });
      // A newer read wins as usual.
      cache.replaceObserved(anObserved([aTask({ arn, session: 's', lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 16 })]), T0 + 20);
      expect(cache.tasks.get(arn)).toMatchObject({ lastStatus: 'STOPPED', version: 16 });
    });

    it('a full read that shows a known task without tags (tags appear late) keeps its tags, so the task stays its session\'s (seeds 2034, 2855, 5582)', () => {
      const cache = new ControllerCache(OWNER);
      cache.replaceObserved(anObserved([aTask({ arn, session: 's', lastStatus: 'RUNNING', version: 3 })]), T0);
      cache.replaceObserved(anObserved([{ ...aTask({ arn, lastStatus: 'RUNNING', version: 3 }), tags: {} }]), T0 + 10);
      expect(cache.tasksOf('s').map((t) => t.arn)).toEqual([arn]);
      expect(cache.tasks.get(arn)!.tags['esr:owner']).toBe(OWNER);
      // A read with tags is taken as it is (a tag removed in ECS is removed here).
      cache.replaceObserved(anObserved([aTask({ arn, session: 't', lastStatus: 'RUNNING', version: 4 })]), T0 + 20);
      expect(cache.tasksOf('s')).toEqual([]);
      expect(cache.tasksOf('t').map((t) => t.arn)).toEqual([arn]);
    });

    it('a full read that saw a later version than one learned during it wins for the status', () => {
      const cache = new ControllerCache(OWNER);
      cache.replaceObserved(anObserved([aTask({ arn, session: 's', lastStatus: 'RUNNING', version: 3 })]), T0);
      // An event learned at T0+20 (version 4), but the read that began at T0+10 saw version 5.
      cache.applyTaskEvent({ ...aTask({ arn, lastStatus: 'DEACTIVATING', desiredStatus: 'STOPPED', version: 4 }), tags: {} }, T0 + 20);
      cache.replaceObserved(anObserved([aTask({ arn, session: 's', lastStatus: 'STOPPED', desiredStatus: 'STOPPED', version: 5 })]), T0 + 10);
      expect(cache.tasks.get(arn)).toMatchObject({ lastStatus: 'STOPPED', version: 5 });
      // Without versions the rule stays "learned after the read began wins".
      cache.upsertTask(aTask({ arn, session: 's', lastStatus: 'RUNNING', version: undefined }), T0 + 30);
      cache.replaceObserved(anObserved([aTask({ arn, session: 's', lastStatus: 'STOPPED', version: undefined })]), T0 + 25);
      expect(cache.tasks.get(arn)!.lastStatus).toBe('RUNNING');
    });
  });
});
