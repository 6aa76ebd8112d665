/**
 * The snapshot's decode memo: unchanged bytes reuse the earlier result; any change is decoded
 * and validated again; what a snapshot did not read is forgotten; shared values are frozen.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { decodeSessionSpec, decodeSessionStatus, encodeRecord, type Decoded } from '../../src/desired/decode.js';
import { DecodeMemo } from '../../src/desired/decode-memo.js';
import type { SessionStatus } from '../../src/desired/schema.js';
import { aSpec, aStatus } from '../fixtures/builders.js';
import { makeRedisHarness, redisHarnessOn } from './redis-harness.js';
import { sharedRedisTarget } from '../support/redis-targets.js';

const bytes = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : encodeRecord(v as SessionStatus));

function counting(): { decode: (raw: Buffer | null | undefined) => Decoded<SessionStatus>; calls: () => number } {
  let n = 0;
  return {
    decode: (raw) => {
      n++;
      return decodeSessionStatus(raw);
    },
    calls: () => n,
  };
}

describe('DecodeMemo', () => {
  it('decodes unchanged bytes once and returns the same value', () => {
    const memo = new DecodeMemo();
    const c = counting();
    const s1 = memo.begin();
    const a = s1.decode('k', 'status', bytes(aStatus()), c.decode);
    s1.commit();
    const s2 = memo.begin();
    const b = s2.decode('k', 'status', bytes(aStatus()), c.decode); // equal bytes, another buffer
    s2.commit();
    expect(c.calls()).toBe(1);
    expect(s2.hits).toBe(1);
    expect(b).toEqual(a);
    if (a.kind !== 'ok' || b.kind !== 'ok') throw new Error('the fixture must decode');
    expect(b.value).toBe(a.value); // the same frozen value, not decoded again
  });

  it('decodes and validates again when a single byte changed', () => {
    const memo = new DecodeMemo();
    const s1 = memo.begin();
    expect(s1.decode('k', 'status', bytes(aStatus({ attempts: 1 })), decodeSessionStatus).kind).toBe('ok');
    s1.commit();
    const s2 = memo.begin();
    const d = s2.decode('k', 'status', bytes(encodeRecord(aStatus({ attempts: 1 })).replace('"attempts":1', '"attempts":-1')), decodeSessionStatus);
    expect(d.kind).toBe('invalid');
    expect(s2.hits).toBe(0);
  });

  it('forgets keys the last committed snapshot did not read; a scope never committed keeps what it read until then', () => {
    const memo = new DecodeMemo();
    const c = counting();
    const s1 = memo.begin();
    s1.decode('a', 'status', bytes(aStatus()), c.decode);
    s1.decode('b', 'status', bytes(aStatus()), c.decode);
    s1.commit();
    expect(memo.size).toBe(2);
    const abandoned = memo.begin(); // a read that failed halfway: what it decoded is right for its bytes
    abandoned.decode('c', 'status', bytes(aStatus({ attempts: 3 })), c.decode);
    expect(memo.size).toBe(3);
    const s2 = memo.begin();
    expect(s2.decode('c', 'status', bytes(aStatus({ attempts: 3 })), c.decode).kind).toBe('ok');
    expect(s2.hits).toBe(1);
    s2.decode('a', 'status', bytes(aStatus()), c.decode);
    s2.commit();
    expect(memo.size).toBe(2); // 'b' forgotten
    const s3 = memo.begin();
    s3.decode('b', 'status', bytes(aStatus()), c.decode);
    expect(s3.hits).toBe(0);
    expect(c.calls()).toBe(4); // a, b, c, and b again
  });

  it('overlapping scopes: a commit forgets only what no scope begun since has read', () => {
    const memo = new DecodeMemo();
    const c = counting();
    const older = memo.begin();
    const newer = memo.begin();
    newer.decode('a', 'status', bytes(aStatus()), c.decode);
    older.decode('a', 'status', bytes(aStatus()), c.decode); // a hit; must not mark 'a' as older's
    older.decode('b', 'status', bytes(aStatus()), c.decode);
    newer.commit(); // 'b' was read only by the older scope
    expect(memo.size).toBe(1);
    older.commit();
    expect(memo.size).toBe(1);
    const s = memo.begin();
    s.decode('a', 'status', bytes(aStatus()), c.decode);
    expect(s.hits).toBe(1);
  });

  it('forgets a slot whose record is gone, and the session when both are', () => {
    const memo = new DecodeMemo();
    const s1 = memo.begin();
    s1.decode('s1', 'spec', bytes(encodeRecord(aSpec({ id: 's1' }))), (raw) => decodeSessionSpec(raw, 's1'));
    s1.decode('s1', 'status', bytes(aStatus()), decodeSessionStatus);
    s1.commit();
    expect(memo.size).toBe(2);
    const s2 = memo.begin();
    s2.decode('s1', 'spec', bytes(encodeRecord(aSpec({ id: 's1' }))), (raw) => decodeSessionSpec(raw, 's1'));
    s2.decode('s1', 'status', null, decodeSessionStatus);
    s2.commit();
    expect(memo.size).toBe(1);
    const s3 = memo.begin();
    s3.decode('s1', 'spec', null, (raw) => decodeSessionSpec(raw, 's1'));
    s3.decode('s1', 'status', null, decodeSessionStatus);
    s3.commit();
    expect(memo.size).toBe(0);
  });

  it("keeps a session's spec and status apart: a changed status is decoded again, its unchanged spec is not", () => {
    const memo = new DecodeMemo();
    const specs = counting();
    const specOf = (raw: Buffer | null | undefined) => (specs.decode(raw), decodeSessionSpec(raw, 's1'));
    const s1 = memo.begin();
    s1.decode('s1', 'spec', bytes(encodeRecord(aSpec({ id: 's1' }))), specOf);
    s1.decode('s1', 'status', bytes(aStatus({ attempts: 1 })), decodeSessionStatus);
    s1.commit();
    expect(memo.size).toBe(2);
    const s2 = memo.begin();
    const spec = s2.decode('s1', 'spec', bytes(encodeRecord(aSpec({ id: 's1' }))), specOf);
    const status = s2.decode('s1', 'status', bytes(aStatus({ attempts: 2 })), decodeSessionStatus);
    s2.commit();
    expect(specs.calls()).toBe(1);
    expect(s2.hits).toBe(1);
    expect(spec.kind).toBe('ok');
    expect(status.kind === 'ok' && status.value.attempts).toBe(2);
    // The status alone (no spec): remembered, and an invalid record's result is remembered too.
    const s3 = memo.begin();
    s3.decode('s2', 'status', bytes(aStatus()), decodeSessionStatus);
    const bad = s3.decode('s3', 'status', bytes('{"schemaVersion":1}'), decodeSessionStatus);
    s3.commit();
    expect(memo.size).toBe(2);
    const s4 = memo.begin();
    expect(s4.decode('s3', 'status', bytes('{"schemaVersion":1}'), decodeSessionStatus)).toEqual(bad);
    expect(bad.kind).toBe('invalid');
    expect(s4.hits).toBe(1);
  });

  it('passes absent records through without remembering them', () => {
    const memo = new DecodeMemo();
    const s = memo.begin();
    expect(s.decode('k', 'status', null, decodeSessionStatus)).toEqual({ kind: 'absent' });
    s.commit();
    expect(memo.size).toBe(0);
  });

  it('freezes shared values so a mutation throws instead of leaking into the next snapshot', () => {
    const s = new DecodeMemo().begin();
    const d = s.decode('k', 'status', bytes(aStatus({ conditions: [{ type: 'Ready', status: 'True', reason: 'R', message: '', lastTransitionTime: 1 }] })), decodeSessionStatus);
    if (d.kind !== 'ok') throw new Error('expected ok');
    expect(() => {
      (d.value as { phase: string }).phase = 'Failed';
    }).toThrow(TypeError);
    expect(() => (d.value.conditions as unknown[]).push({})).toThrow(TypeError);
  });
});

describe('RedisDesiredStore snapshots with the memo', () => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('keeps the last activity of an entry that has neither a readable spec nor a status (a wrong-type spec, a broken id)', async () => {
    const h = await redisHarnessOn(sharedRedisTarget)({ clock: new VirtualClock() });
    cleanup = h.cleanup;
    const k = h.store.keys;
    await h.redis.multi().hset(k.sessionSpec('w1'), 'a', 'b').zadd(k.sessionIndex, 0, 'w1').set(k.sessionActivity('w1'), '1700000000123').exec();
    await h.redis.multi().zadd(k.sessionIndex, 0, 'BAD!').set(k.sessionActivity('BAD!'), '1700000000456').exec();
    const snap = await h.store.snapshot();
    expect(snap.sessions.get('w1')?.invalid?.reason).toBe('wrong-type');
    expect(snap.sessions.get('w1')?.lastActivityAt).toBe(1700000000123);
    expect(snap.sessions.get('BAD!')?.invalid).toBeDefined();
    expect(snap.sessions.get('BAD!')?.lastActivityAt).toBe(1700000000456);
  });

  it('a record overwritten with garbage between snapshots is reported invalid', async () => {
    const invalid: string[] = [];
    const h = await makeRedisHarness({ clock: new VirtualClock(), onInvalidRecord: (r) => invalid.push(`${r.kind}:${r.id}:${r.invalid.reason}`) });
    cleanup = h.cleanup;
    await h.putRaw('spec', 's1', encodeRecord(aSpec({ id: 's1' })));
    await h.putRaw('status', 's1', encodeRecord(aStatus()));
    const first = await h.store.snapshot();
    expect(first.sessions.get('s1')?.status?.phase).toBe('Pending');
    await h.putRaw('status', 's1', '{"schemaVersion":1,"phase":"Nonsense"}');
    const second = await h.store.snapshot();
    expect(second.invalidCount).toBe(1);
    expect(second.sessions.get('s1')?.invalid?.record).toBe('status');
    expect(invalid).toEqual(['session:s1:schema']);
    await h.putRaw('status', 's1', encodeRecord(aStatus({ phase: 'Running' })));
    expect((await h.store.snapshot()).sessions.get('s1')?.status?.phase).toBe('Running');
  });
});
