import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BoundedCache } from '../src/bounded-cache';

describe('BoundedCache', () => {
  it('keeps at most `max` entries, dropping the oldest first', () => {
    const cache = new BoundedCache<string, number>(2);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 10); // an update is not a new entry
    cache.set('c', 3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(2);
    expect(cache.get('c')).toBe(3);
  });

  it('never holds more than its bound, and returns the last value set for a key it holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.nat(20), fc.nat())), (max, ops) => {
        const cache = new BoundedCache<number, number>(max);
        const last = new Map<number, number>();
        for (const [k, v] of ops) {
          cache.set(k, v);
          last.set(k, v);
        }
        const held = [...last.keys()].filter((k) => cache.get(k) !== undefined);
        expect(held.length).toBeLessThanOrEqual(max);
        for (const k of held) expect(cache.get(k)).toBe(last.get(k));
      }),
    );
  });
});
