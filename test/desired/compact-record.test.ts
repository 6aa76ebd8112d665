/**
 * compactRecord: a decoded record keeps its value while recurring strings and empty objects
 * become shared instances (the memory of 100,000 cached sessions, docs/performance.md finding 7).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { sharedInterner } from '../../src/common/string-interner.js';
import { compactRecord } from '../../src/desired/compact-record.js';
import { decodeSessionSpec, decodeSessionStatus, encodeRecord } from '../../src/desired/decode.js';
import { aSpec, aStatus } from '../fixtures/builders.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const status = aStatus({
  phase: 'Running',
  conditions: [
    { type: 'Ready', status: 'True', reason: 'TaskRunning', message: 'the task is RUNNING and answers', lastTransitionTime: 1 },
    { type: 'Persistence', status: 'False', reason: 'NotRequested', message: 'persistence: none', lastTransitionTime: 1 },
    { type: 'Scheduled', status: 'True', reason: 'TaskLaunched', message: 'RunTask accepted the launch', lastTransitionTime: 1 },
  ],
});

function heldBytes(n: number, compact: boolean): number {
  const bytes = Buffer.from(encodeRecord(status));
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = Array.from({ length: n }, () => {
    const d = decodeSessionStatus(bytes);
    if (d.kind !== 'ok') throw new Error('the fixture status must decode');
    return compact ? compactRecord(d.value) : d.value;
  });
  gc();
  const after = process.memoryUsage().heapUsed;
  expect(kept).toHaveLength(n);
  return after - before;
}

describe('compactRecord', () => {
  it('keeps every value and shares one frozen empty object', () => {
    const a = decodeSessionSpec(Buffer.from(encodeRecord(aSpec({ id: 's1' }))), 's1');
    const b = decodeSessionSpec(Buffer.from(encodeRecord(aSpec({ id: 's2' }))), 's2');
    if (a.kind !== 'ok' || b.kind !== 'ok') throw new Error('fixture specs must decode');
    const ca = compactRecord(a.value);
    const cb = compactRecord(b.value);
    expect(ca).toEqual(a.value);
    expect(ca).not.toBe(a.value); // rebuilt, not the schema's object
    expect(ca.env).toBe(cb.labels);
    expect(Object.isFrozen(ca.env)).toBe(true);
    const s = decodeSessionStatus(Buffer.from(encodeRecord(status)));
    if (s.kind !== 'ok') throw new Error('the fixture status must decode');
    expect(compactRecord(s.value)).toEqual(s.value);
    expect(compactRecord(undefined)).toBeUndefined();
  });

  it("leaves the gateway's env and labels alone, however their keys are named (no env value enters the shared table)", () => {
    const spec = (env: Record<string, string>) => decodeSessionSpec(Buffer.from(encodeRecord(aSpec({ id: 's1', env }))), 's1');
    const ok = (d: ReturnType<typeof spec>) => {
      if (d.kind !== 'ok') throw new Error('fixture specs must decode');
      return d.value;
    };
    compactRecord(ok(spec({})));
    const before = sharedInterner.size;
    const kept = compactRecord(ok(spec({ status: 'secret-token-1', MESSAGE: 'x', type: 'y' })));
    expect(sharedInterner.size).toBe(before);
    expect(kept.env).toEqual({ status: 'secret-token-1', MESSAGE: 'x', type: 'y' });
  });

  it('holds 20,000 decoded statuses in well under the heap of their copies', () => {
    const plain = heldBytes(20_000, false);
    const compacted = heldBytes(20_000, true);
    console.log(`20,000 statuses: ${(plain / 1048576).toFixed(1)} MB as decoded, ${(compacted / 1048576).toFixed(1)} MB compacted`);
    expect(compacted).toBeLessThan(plain * 0.6); // 0.67 when objects kept their property arrays
  });
});
