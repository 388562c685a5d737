import { describe, expect, it } from 'vitest';
import { createRateLimiter } from '../src/index';

function clock(start = 0) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createRateLimiter', () => {
  it('collapses identical fingerprints within the window and carries the count on the next report', () => {
    const c = clock();
    const limiter = createRateLimiter({ dedupeWindowMs: 1000, now: c.now });
    expect(limiter.admit('a')).toEqual({ report: true, withheld: { duplicates: 0, dropped: 0 } });
    for (let i = 0; i < 9999; i++) expect(limiter.admit('a')).toEqual({ report: false, reason: 'duplicate' });
    c.advance(1000);
    expect(limiter.admit('a')).toEqual({ report: true, withheld: { duplicates: 9999, dropped: 0 } });
  });

  it('caps a storm of distinct errors with a token bucket and counts the drops', () => {
    const c = clock();
    const limiter = createRateLimiter({ burst: 5, refillPerSecond: 2, now: c.now });
    const verdicts = Array.from({ length: 1000 }, (_, i) => limiter.admit(`e${i}`));
    expect(verdicts.filter((v) => v.report)).toHaveLength(5);
    c.advance(500); // one token back
    expect(limiter.admit('late')).toEqual({ report: true, withheld: { duplicates: 0, dropped: 995 } });
    expect(limiter.admit('later')).toEqual({ report: false, reason: 'dropped' });
  });

  it('drain() hands over what is pending, once', () => {
    const limiter = createRateLimiter({ now: () => 0 });
    limiter.admit('a');
    limiter.admit('a');
    limiter.admit('a');
    expect(limiter.drain()).toEqual({ duplicates: 2, dropped: 0, byFingerprint: [{ fingerprint: 'a', count: 2 }] });
    expect(limiter.drain()).toEqual({ duplicates: 0, dropped: 0, byFingerprint: [] });
  });

  it("counts duplicates per fingerprint: a report carries its own repeats, never another error's", () => {
    const c = clock();
    const limiter = createRateLimiter({ dedupeWindowMs: 1000, now: c.now });
    limiter.admit('a');
    limiter.admit('a');
    limiter.admit('a');
    expect(limiter.admit('b')).toEqual({ report: true, withheld: { duplicates: 0, dropped: 0 } });
    limiter.admit('b');
    c.advance(1000);
    expect(limiter.admit('a')).toEqual({ report: true, withheld: { duplicates: 2, dropped: 0 } });
    expect(limiter.drain()).toEqual({ duplicates: 1, dropped: 0, byFingerprint: [{ fingerprint: 'b', count: 1 }] });
  });

  it('keeps the duplicates of a forgotten fingerprint in the total', () => {
    const limiter = createRateLimiter({ maxTracked: 2, burst: 100, now: () => 0 });
    limiter.admit('a');
    limiter.admit('a'); // one duplicate of a
    limiter.admit('b');
    limiter.admit('c'); // a is forgotten
    expect(limiter.drain()).toEqual({ duplicates: 1, dropped: 0, byFingerprint: [] });
  });

  it('keeps memory bounded: remembers at most maxTracked fingerprints', () => {
    const c = clock();
    const limiter = createRateLimiter({ maxTracked: 3, burst: 100, now: c.now });
    for (const id of ['a', 'b', 'c', 'd']) limiter.admit(id);
    // 'a' was forgotten, so it is reported again; 'd' is still remembered.
    expect(limiter.admit('a').report).toBe(true);
    expect(limiter.admit('d').report).toBe(false);
  });

  it('falls back to defaults on nonsense options', () => {
    const limiter = createRateLimiter({ burst: -1, dedupeWindowMs: Number.NaN, refillPerSecond: 0 });
    expect(limiter.admit('x').report).toBe(true);
  });
});
