/** SetMultimap: set semantics per key, one value stored bare, empty keys dropped. */
import { describe, expect, it } from 'vitest';
import { SetMultimap } from '../../src/common/set-multimap.js';

describe('SetMultimap', () => {
  it('keeps a set of values per key, in insertion order, without duplicates', () => {
    const m = new SetMultimap<string, string>();
    m.add('s1', 'a');
    m.add('s1', 'a');
    expect([...m.get('s1')]).toEqual(['a']);
    m.add('s1', 'b');
    m.add('s1', 'c');
    m.add('s1', 'b');
    expect([...m.get('s1')]).toEqual(['a', 'b', 'c']);
    expect([...m.get('nobody')]).toEqual([]);
  });

  it('drops a key with its last value, back through one value', () => {
    const m = new SetMultimap<string, string>();
    m.add('s1', 'a');
    m.add('s1', 'b');
    m.add('s2', 'x');
    m.delete('s1', 'a');
    expect([...m.get('s1')]).toEqual(['b']);
    m.delete('s1', 'zzz');
    m.delete('s2', 'y');
    expect([...m.keys()]).toEqual(['s1', 's2']);
    m.delete('s1', 'b');
    m.delete('nobody', 'b');
    expect([...m.keys()]).toEqual(['s2']);
    expect(m.size).toBe(1);
    m.add('s1', 'c');
    expect([...m.get('s1')]).toEqual(['c']);
    m.clear();
    expect(m.size).toBe(0);
  });
});
