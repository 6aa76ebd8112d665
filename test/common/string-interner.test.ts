/**
 * StringInterner: equal strings share one instance (seen in the heap, since JavaScript cannot
 * tell two equal strings apart), memory stays within two generations, and strings in use stay.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { StringInterner } from '../../src/common/string-interner.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Bytes the heap grows by while `keep()` holds what it built (after full collections). */
function heapGrowth(build: () => unknown[]): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = build();
  gc();
  const after = process.memoryUsage().heapUsed;
  expect(kept.length).toBeGreaterThan(0);
  return after - before;
}

const PAYLOAD = 'arn:aws:ecs:us-east-1:123456789012:task-definition/esr-shell:' + '7'.repeat(200);
/** A string equal to PAYLOAD, built at run time: a new instance each call, as JSON.parse makes. */
const fresh = (): string => JSON.parse(JSON.stringify(PAYLOAD)) as string;

describe('StringInterner', () => {
  it('holds 50,000 equal strings as one instance', () => {
    const plain = heapGrowth(() => Array.from({ length: 50_000 }, fresh));
    const i = new StringInterner();
    const interned = heapGrowth(() => Array.from({ length: 50_000 }, () => i.intern(fresh())));
    // 50,000 x ~280 bytes = ~14 MB as copies; the array of references alone is 0.4 MB.
    expect(plain).toBeGreaterThan(10 * 1024 * 1024);
    expect(interned).toBeLessThan(2 * 1024 * 1024);
  });

  it('passes undefined and over-long strings through without keeping them', () => {
    const i = new StringInterner(8, 10);
    expect(i.intern(undefined)).toBeUndefined();
    expect(i.intern('x'.repeat(11))).toBe('x'.repeat(11));
    expect(i.size).toBe(0);
    expect(i.intern('RUNNING')).toBe('RUNNING');
    expect(i.size).toBe(1);
  });

  it('stays within two generations while a string in use survives every turnover', () => {
    const i = new StringInterner(4);
    i.intern('Ready');
    for (let n = 0; n < 100; n++) {
      i.intern(`one-off-${n}`);
      i.intern('Ready');
      expect(i.size).toBeLessThanOrEqual(8);
    }
    // 'Ready' was promoted at every turnover: still held, so interning it adds nothing new.
    const size = i.size;
    i.intern('Ready');
    expect(i.size).toBe(size);
  });
});
