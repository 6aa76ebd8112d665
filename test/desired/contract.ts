/**
 * The contract every desired-state implementation keeps (SpecStore + DesiredStore +
 * StatusWriter). Run by redis-store.test.ts (real Redis) and memory-store.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { isFencedError } from '../../src/desired/errors.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import type { DesiredStore, HintEvent, InvalidRecordHook, SpecStore, StatusWriter } from '../../src/desired/types.js';

export type AnyStore = SpecStore & DesiredStore & StatusWriter & { close(): Promise<void> };

export interface Harness {
  store: AnyStore;
  /** Stores raw bytes as a record and lists the id in the index (a buggy writer). */
  putRaw(record: 'spec' | 'status' | 'pool', id: string, raw: string | Buffer): Promise<void>;
  setEpoch(epoch: number): Promise<void>;
  /** Breaks the hint follower's connection (Redis) or simulates it (memory). */
  breakFollower(): Promise<void>;
  cleanup(): Promise<void>;
}

export interface HarnessOptions {
  clock: VirtualClock;
  hintsMaxLen?: number;
  onInvalidRecord?: InvalidRecordHook;
}

export type MakeHarness = (opts: HarnessOptions) => Promise<Harness>;

export const spec = (id: string, extra: Record<string, unknown> = {}) => ({
  id, userId: 'user-1', template: 'shell', env: {}, persistence: 'preferred' as const, labels: {}, ...extra,
});

export function status(over: Partial<SessionStatus> = {}): SessionStatus {
  return { schemaVersion: 1, phase: 'Pending', observedGeneration: 1, incarnation: 0, conditions: [], warm: false, attempts: 0, updatedAt: 1, ...over };
}

/** Pulls the next event from a follower. */
async function next(it: AsyncIterator<HintEvent>): Promise<HintEvent> {
  const r = await it.next();
  if (r.done) throw new Error('follower ended');
  return r.value;
}

export function desiredStoreContract(name: string, make: MakeHarness): void {
  describe(`desired store contract: ${name}`, () => {
    let h: Harness;
    let clock: VirtualClock;
    const invalidSeen: string[] = [];
    const ac = new AbortController();

    beforeEach(async () => {
      clock = new VirtualClock(1_700_000_000_000);
      invalidSeen.length = 0;
      h = await make({ clock, onInvalidRecord: (i) => invalidSeen.push(`${i.kind}:${i.id}:${i.invalid.reason}`) });
    });
    afterEach(async () => {
      await h.cleanup();
    });

    it('creates a session at generation 1 and reads it back', async () => {
      const r = await h.store.ensureSession(spec('s1'));
      expect(r.changed).toBe(true);
      expect(r.spec).toMatchObject({ id: 's1', generation: 1, deleted: false, createdAt: clock.now(), schemaVersion: 1 });
      const e = await h.store.readSession('s1');
      expect(e).toEqual({ id: 's1', spec: r.spec });
      expect(await h.store.readSession('nope')).toBeUndefined();
    });

    it('bumps generation only on a real change', async () => {
      await h.store.ensureSession(spec('s1', { env: { A: '1', B: '2' } }));
      const same = await h.store.ensureSession(spec('s1', { env: { B: '2', A: '1' } }));
      expect(same).toMatchObject({ changed: false, spec: { generation: 1 } });
      await clock.advance(1000);
      const changed = await h.store.ensureSession(spec('s1', { env: { A: '1' } }));
      expect(changed).toMatchObject({ changed: true, spec: { generation: 2, createdAt: clock.now() - 1000, updatedAt: clock.now() } });
    });

    it('deletes by tombstone, and ensure revives a tombstone with a higher generation', async () => {
      await h.store.ensureSession(spec('s1'));
      expect(await h.store.deleteSession('s1')).toBe(true);
      expect((await h.store.readSession('s1'))?.spec).toMatchObject({ deleted: true, generation: 2, deletedAt: clock.now() });
      expect(await h.store.deleteSession('s1')).toBe(false);
      expect(await h.store.deleteSession('never')).toBe(false);
      const revived = await h.store.ensureSession(spec('s1'));
      expect(revived.spec).toMatchObject({ deleted: false, generation: 3 });
    });

    it('sets warm-pool targets, bumping generation only on change', async () => {
      const a = await h.store.setWarmPool('default', 'shell', 5);
      expect(a).toMatchObject({ changed: true, spec: { name: 'default', template: 'shell', target: 5, generation: 1 } });
      expect((await h.store.setWarmPool('default', 'shell', 5)).changed).toBe(false);
      expect((await h.store.setWarmPool('default', 'shell', 0)).spec.generation).toBe(2);
      expect((await h.store.readPool('default'))?.spec?.target).toBe(0);
    });

    it('snapshots every session and pool with a cursor, and follows hints from it', async () => {
      await h.store.ensureSession(spec('a'));
      await h.store.ensureSession(spec('b'));
      await h.store.setWarmPool('p', 'shell', 2);
      const snap = await h.store.snapshot();
      expect([...snap.sessions.keys()].sort()).toEqual(['a', 'b']);
      expect(snap.pools.get('p')?.spec?.target).toBe(2);
      expect(snap.cursor.seq).toBe(3);
      expect(snap.marker?.schemaVersion).toBe(1);
      expect(snap.invalidCount).toBe(0);

      const it = h.store.followHints(snap.cursor, { signal: ac.signal, blockMs: 2000 })[Symbol.asyncIterator]();
      const pending = next(it);
      await h.store.ensureSession(spec('c'));
      await h.store.deleteSession('a');
      const events: HintEvent[] = [await pending];
      const seen = events.flatMap((e) => (e.type === 'hints' ? e.hints : []));
      if (seen.length < 2) events.push(await next(it));
      const all = events.flatMap((e) => (e.type === 'hints' ? e.hints : []));
      expect(all).toEqual([
        { kind: 'session', id: 'c', generation: 1 },
        { kind: 'session', id: 'a', generation: 2 },
      ]);
      await it.return?.();
    });

    it('refreshSession: one session hint (generation 0) per interval, no spec change; notFound for an unknown session', async () => {
      await h.store.ensureSession(spec('r1'));
      const snap = await h.store.snapshot();
      expect(await h.store.refreshSession('r1')).toBe('requested');
      expect(await h.store.refreshSession('r1')).toBe('rateLimited');
      expect(await h.store.refreshSession('nobody')).toBe('notFound');
      const it = h.store.followHints(snap.cursor, { signal: ac.signal, blockMs: 2000 })[Symbol.asyncIterator]();
      const e = await next(it);
      expect(e).toMatchObject({ type: 'hints', hints: [{ kind: 'session', id: 'r1', generation: 0 }], cursor: { seq: snap.cursor.seq + 1 } });
      await it.return?.();
      expect((await h.store.readSession('r1'))?.spec?.generation).toBe(1);
      expect((await h.store.snapshot()).cursor.seq).toBe(snap.cursor.seq + 1);
    });

    it('signals resync when the stream was trimmed past the cursor', async () => {
      await h.cleanup();
      h = await make({ clock, hintsMaxLen: 10 });
      const snap = await h.store.snapshot();
      await Promise.all(Array.from({ length: 400 }, (_, i) => h.store.ensureSession(spec(`s${i}`))));
      const it = h.store.followHints(snap.cursor, { signal: ac.signal, blockMs: 500 })[Symbol.asyncIterator]();
      const ev = await next(it);
      expect(ev).toMatchObject({ type: 'resync', reason: 'gap' });
      expect((await it.next()).done).toBe(true);
    });

    it('signals resync after the follower reconnects', async () => {
      await h.store.ensureSession(spec('a'));
      const snap = await h.store.snapshot();
      const it = h.store.followHints(snap.cursor, { signal: ac.signal, blockMs: 300 })[Symbol.asyncIterator]();
      const pending = next(it);
      await h.breakFollower();
      const ev = await pending;
      expect(ev.type).toBe('resync');
      expect(['reconnect', 'error']).toContain(ev.type === 'resync' ? ev.reason : '');
    });

    it('ends the follower when the signal aborts', async () => {
      const local = new AbortController();
      const it = h.store.followHints({ id: '0-0', seq: 0 }, { signal: local.signal, blockMs: 5000 })[Symbol.asyncIterator]();
      const pending = it.next();
      local.abort();
      expect((await pending).done).toBe(true);
    });

    it('writes status with a current fencing token and rejects a stale one', async () => {
      await h.store.ensureSession(spec('s1'));
      await h.setEpoch(7);
      await expect(h.store.writeStatus('s1', status({ phase: 'Starting' }), 6)).rejects.toSatisfy(isFencedError);
      expect((await h.store.readSession('s1'))?.status).toBeUndefined();
      expect(await h.store.writeStatus('s1', status({ phase: 'Starting' }), 7)).toEqual({ outcome: 'written' });
      expect((await h.store.readSession('s1'))?.status?.phase).toBe('Starting');
      expect(await h.store.writeStatus('ghost', status(), 7)).toEqual({ outcome: 'session-gone' });
    });

    it('a status is written only on the record it was computed for: same generation and same life (uid)', async () => {
      const first = (await h.store.ensureSession(spec('s1'))).spec;
      expect(first.uid).toBeTruthy();
      expect(await h.store.writeStatus('s1', status({ phase: 'Starting' }), 0, { generation: 2 })).toEqual({ outcome: 'conflict', generation: 1 });
      expect(await h.store.writeStatus('s1', status({ phase: 'Starting' }), 0, { generation: 1, uid: 'another-life' })).toEqual({ outcome: 'conflict', generation: 1 });
      expect((await h.store.readSession('s1'))?.status).toBeUndefined();
      expect(await h.store.writeStatus('s1', status({ phase: 'Starting' }), 0, { generation: 1, uid: first.uid! })).toEqual({ outcome: 'written' });
      // The record lost and written again (a wipe, a purge): a new life, maybe at the same generation.
      await h.store.deleteSession('s1');
      expect(await h.store.purgeSession('s1', 2, 0)).toBe(true);
      await clock.advance(1000);
      const again = (await h.store.ensureSession(spec('s1'))).spec;
      expect(again.uid).not.toBe(first.uid);
      const r = await h.store.writeStatus('s1', status({ phase: 'Running' }), 0, { generation: again.generation, uid: first.uid! });
      expect(r.outcome).toBe('conflict');
      expect(await h.store.writeStatus('s1', status({ phase: 'Running' }), 0, { generation: again.generation, uid: again.uid! })).toEqual({ outcome: 'written' });
    });

    it('an accepted token above the stored epoch raises it: a term the store forgot fences the older ones again', async () => {
      await h.store.ensureSession(spec('s1'));
      // A failover lost the epoch key's last write: the store holds term 7's epoch, term 9 still runs.
      await h.setEpoch(7);
      expect(await h.store.writeStatus('s1', status({ phase: 'Starting' }), 9)).toEqual({ outcome: 'written' });
      await expect(h.store.writeStatus('s1', status({ phase: 'Running' }), 7)).rejects.toSatisfy(isFencedError);
      await expect(h.store.writeStatus('s1', status({ phase: 'Running' }), 8)).rejects.toSatisfy(isFencedError);
      expect((await h.store.readSession('s1'))?.status?.phase).toBe('Starting');
      expect(await h.store.writeStatus('s1', status({ phase: 'Running' }), 9)).toEqual({ outcome: 'written' });
    });

    it('purges only the tombstone of the given generation, fenced', async () => {
      await h.store.ensureSession(spec('s1'));
      await h.store.writeStatus('s1', status(), 0);
      expect(await h.store.purgeSession('s1', 1, 0)).toBe(false); // not a tombstone
      await h.store.deleteSession('s1');
      await h.setEpoch(3);
      await expect(h.store.purgeSession('s1', 2, 2)).rejects.toSatisfy(isFencedError);
      expect(await h.store.purgeSession('s1', 1, 3)).toBe(false); // wrong generation
      expect(await h.store.purgeSession('s1', 2, 3)).toBe(true);
      expect(await h.store.readSession('s1')).toBeUndefined();
      expect((await h.store.snapshot()).sessions.has('s1')).toBe(false);
    });

    it('reports bad records as invalid without hiding good ones', async () => {
      await h.store.ensureSession(spec('good'));
      await h.putRaw('spec', 'garbage', Buffer.from([0xff, 0xfe, 0x00]));
      await h.putRaw('spec', 'notjson', '{nope');
      await h.putRaw('spec', 'future', JSON.stringify({ ...spec('future'), schemaVersion: 99 }));
      await h.putRaw('spec', 'badfield', JSON.stringify({ schemaVersion: 1, ...spec('badfield', { persistence: 'always' }), generation: 1, deleted: false, createdAt: 1, updatedAt: 1 }));
      await h.putRaw('spec', 'big', 'x'.repeat(70_000));
      await h.putRaw('status', 'good', '[1,2]');
      const snap = await h.store.snapshot();
      const reasons = Object.fromEntries([...snap.sessions.values()].map((e) => [e.id, e.invalid?.reason]));
      expect(reasons).toEqual({ good: 'malformed-json', garbage: 'encoding', notjson: 'malformed-json', future: 'unknown-schema-version', badfield: 'schema', big: 'oversize' });
      expect(snap.sessions.get('good')?.spec?.id).toBe('good');
      expect(snap.sessions.get('good')?.invalid?.record).toBe('status');
      expect(snap.sessions.get('badfield')?.invalid?.message).toContain('spec.persistence');
      expect(snap.invalidCount).toBe(6);
      expect(invalidSeen).toContain('session:garbage:encoding');
    });

    it('pushes status changes to watchers: current first, then each write', async () => {
      await h.store.ensureSession(spec('s1'));
      await h.store.writeStatus('s1', status({ phase: 'Pending' }), 0);
      const seen: string[] = [];
      let notify: () => void = () => undefined;
      const unsubscribe = await h.store.watchStatus('s1', (s) => {
        seen.push(s?.phase ?? 'none');
        notify();
      });
      expect(seen).toEqual(['Pending']);
      const arrived = new Promise<void>((resolve) => (notify = resolve));
      await h.store.writeStatus('s1', status({ phase: 'Running' }), 0);
      await arrived;
      expect(seen).toEqual(['Pending', 'Running']);
      await unsubscribe();
    });

    it('lists sessions in id order, page by page', async () => {
      for (const id of ['c', 'a', 'e', 'b', 'd']) await h.store.ensureSession(spec(id));
      const p1 = await h.store.listSessions({ limit: 2 });
      expect(p1.sessions.map((s) => s.id)).toEqual(['a', 'b']);
      const p2 = await h.store.listSessions({ limit: 2, cursor: p1.nextCursor });
      expect(p2.sessions.map((s) => s.id)).toEqual(['c', 'd']);
      const p3 = await h.store.listSessions({ limit: 2, cursor: p2.nextCursor });
      expect(p3).toEqual({ sessions: [expect.objectContaining({ id: 'e' })] });
    });
      it('records touches extend-only: no generation bump, no hint; reads and snapshots carry the activity', async () => {
      await h.store.ensureSession(spec('s1'));
      const before = (await h.store.snapshot()).cursor;
      await clock.advance(5_000);
      expect(await h.store.touchSession('s1')).toEqual({ outcome: 'touched', lastActivityAt: clock.now() });
      const snap = await h.store.snapshot();
      expect(snap.cursor).toEqual(before);
      expect(snap.sessions.get('s1')?.spec?.generation).toBe(1);
      expect(snap.sessions.get('s1')?.lastActivityAt).toBe(1_700_000_005_000);
      expect((await h.store.readSession('s1'))?.lastActivityAt).toBe(1_700_000_005_000);
      expect((await h.store.listSessions()).sessions[0]?.lastActivityAt).toBe(1_700_000_005_000);
    });

    it('refuses touches of missing, deleted and Expired sessions; ensureSession after expiry starts a new life', async () => {
      expect(await h.store.touchSession('nope')).toEqual({ outcome: 'missing' });
      await h.store.ensureSession(spec('gone'));
      await h.store.deleteSession('gone');
      expect(await h.store.touchSession('gone')).toEqual({ outcome: 'deleted' });
      const first = (await h.store.ensureSession(spec('s1', { lifetime: { idleTimeoutSeconds: 60 } }))).spec;
      await h.store.writeStatus('s1', status({ phase: 'Expired', observedGeneration: 1, expiresAt: 1_700_000_060_000 }), 0);
      expect(await h.store.touchSession('s1')).toEqual({ outcome: 'expired', expiresAt: 1_700_000_060_000 });
      await clock.advance(90_000);
      const again = await h.store.ensureSession(spec('s1', { lifetime: { idleTimeoutSeconds: 60 } }));
      expect(again.changed).toBe(true);
      expect(again.spec.generation).toBe(2);
      expect(again.spec.uid).not.toBe(first.uid);
      expect(again.spec.createdAt).toBe(clock.now());
      expect((await h.store.touchSession('s1')).outcome).toBe('touched');
      // The same content again, not expired: no change.
      expect((await h.store.ensureSession(spec('s1', { lifetime: { idleTimeoutSeconds: 60 } }))).changed).toBe(false);
    });

    it('refuses an expiry written over a later touch (renewed), accepts it otherwise; purge removes the activity', async () => {
      await h.store.ensureSession(spec('s1'));
      await clock.advance(1_000);
      await h.store.touchSession('s1');
      const expired = status({ phase: 'Expired', observedGeneration: 1 });
      expect(await h.store.writeStatus('s1', expired, 0, { generation: 1, activityAtMost: 1_700_000_000_500 })).toEqual({ outcome: 'renewed', lastActivityAt: 1_700_000_001_000 });
      expect((await h.store.readSession('s1'))?.status).toBeUndefined();
      expect(await h.store.writeStatus('s1', expired, 0, { generation: 1, activityAtMost: 1_700_000_001_000 })).toEqual({ outcome: 'written' });
      await h.store.deleteSession('s1');
      expect(await h.store.purgeSession('s1', 2, 0)).toBe(true);
      await h.store.ensureSession(spec('s1'));
      expect((await h.store.readSession('s1'))?.lastActivityAt).toBeUndefined();
    });
  });
}
