/**
 * Property: whatever bytes end up in session keys, the controller's reader never throws, every
 * bad record is reported invalid, and every good record beside them is read exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/common/clock.js';
import { SessionSpecSchema, type SessionSpec } from '../../src/desired/schema.js';
import { makeRedisHarness } from './redis-harness.js';
import { makeMemoryHarness } from './memory-harness.js';
import type { Harness } from './contract.js';

const validSpec = (id: string): SessionSpec => ({
  schemaVersion: 1, id, userId: 'user-1', template: 'shell', env: { A: '1' }, persistence: 'none', labels: {},
  generation: 1, deleted: false, createdAt: 1, updatedAt: 1,
});

/** Arbitrary stored values: raw bytes, text, arbitrary JSON, and valid specs with one field broken. */
const badValue: fc.Arbitrary<Buffer | string> = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
  fc.string({ maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  fc
    .tuple(fc.constantFrom(...Object.keys(validSpec('x'))), fc.jsonValue())
    .map(([field, v]) => JSON.stringify({ ...validSpec('placeholder'), [field]: v })),
  fc.constant('x'.repeat(70_000)),
);

/** The oracle: is this stored value a valid spec for `id`? (Schema applied directly.) */
function isValidFor(raw: Buffer | string, id: string): boolean {
  try {
    if (Buffer.byteLength(raw) > 64 * 1024) return false;
    const text = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw);
    const r = SessionSpecSchema.safeParse(JSON.parse(text));
    return r.success && r.data.id === id;
  } catch {
    return false;
  }
}

const scenario = fc.record({
  good: fc.uniqueArray(fc.stringMatching(/^g[a-z0-9]{0,6}$/), { minLength: 0, maxLength: 5 }),
  bad: fc.array(badValue, { minLength: 1, maxLength: 6 }),
  badStatusOnGood: fc.boolean(),
});

interface Scenario {
  good: string[];
  bad: Array<Buffer | string>;
  badStatusOnGood: boolean;
}

async function check(make: () => Promise<Harness>, s: Scenario): Promise<void> {
  const h = await make();
  try {
    const written = new Map<string, SessionSpec>();
    for (const id of s.good) written.set(id, (await h.store.ensureSession({ id, userId: 'u', template: 'shell' })).spec);
    const badIds = s.bad.map((_, i) => `bad-${i}`);
    for (let i = 0; i < s.bad.length; i++) await h.putRaw('spec', badIds[i]!, s.bad[i]!);
    const firstGood = s.good[0];
    if (s.badStatusOnGood && firstGood) await h.putRaw('status', firstGood, s.bad[0]!);

    const snap = await h.store.snapshot();
    for (const [id, spec] of written) {
      expect(snap.sessions.get(id)?.spec).toEqual(spec);
      expect((await h.store.readSession(id))?.spec).toEqual(spec);
    }
    let expectedInvalid = 0;
    s.bad.forEach((raw, i) => {
      const entry = snap.sessions.get(badIds[i]!);
      expect(entry).toBeDefined();
      if (isValidFor(raw, badIds[i]!)) return;
      expectedInvalid++;
      expect(entry?.spec).toBeUndefined();
      expect(entry?.invalid?.record).toBe('spec');
      expect(entry?.invalid?.message.length).toBeGreaterThan(0);
    });
    if (s.badStatusOnGood && firstGood) {
      const e = snap.sessions.get(firstGood)!;
      expect(e.status === undefined || e.invalid === undefined).toBe(true);
      if (e.invalid) expectedInvalid++;
    }
    expect(snap.invalidCount).toBe(expectedInvalid);
  } finally {
    await h.cleanup();
  }
}

describe('reader property: garbage never breaks the snapshot', () => {
  it('on real Redis', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) => check(() => makeRedisHarness({ clock: new VirtualClock() }), s)),
      { numRuns: 60 },
    );
  });

  it('in memory', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, (s) =>
        check(() => makeMemoryHarness({ clock: new VirtualClock() }), s),
      ),
      { numRuns: 200 },
    );
  });
});
