import { describe, expect, it } from 'vitest';
import { ControllerCache } from '../../src/controller/cache.js';
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
