import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BREAKER_BASE_MS, BREAKER_MAX_MS, createCircuitBreaker, retryAfterMs } from '../src/index';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createCircuitBreaker', () => {
  it('opens for a cool-down that doubles per failure in a row, up to the cap, and closes on success', () => {
    const c = clock();
    const breaker = createCircuitBreaker({ now: c.now, random: () => 0.5 }); // no jitter at 0.5
    expect(breaker.open).toBe(false);
    const waits = Array.from({ length: 10 }, () => breaker.failed());
    expect(waits.slice(0, 4)).toEqual([BREAKER_BASE_MS, 2 * BREAKER_BASE_MS, 4 * BREAKER_BASE_MS, 8 * BREAKER_BASE_MS]);
    expect(waits.at(-1)).toBe(BREAKER_MAX_MS);
    expect(breaker.open).toBe(true);
    c.advance(BREAKER_MAX_MS - 1);
    expect(breaker.open).toBe(true);
    c.advance(1);
    expect(breaker.open).toBe(false);
    breaker.succeeded();
    expect(breaker.failures).toBe(0);
    expect(breaker.failed()).toBe(BREAKER_BASE_MS);
  });

  it('waits at least what Retry-After asked for, capped', () => {
    const breaker = createCircuitBreaker({ random: () => 0.5 });
    expect(breaker.failed(60_000)).toBe(60_000);
    expect(breaker.failed(10 * BREAKER_MAX_MS)).toBe(BREAKER_MAX_MS);
  });

  it('spreads clients with jitter, and ignores unusable options', () => {
    const low = createCircuitBreaker({ random: () => 0 }).failed();
    const high = createCircuitBreaker({ random: () => 1 }).failed();
    expect(low).toBeCloseTo(0.8 * BREAKER_BASE_MS);
    expect(high).toBeCloseTo(1.2 * BREAKER_BASE_MS);
    const odd = createCircuitBreaker({
      baseMs: -1,
      maxMs: Number.NaN,
      now: 'soon' as never,
      random: () => Number.NaN,
    });
    expect(odd.failed()).toBe(BREAKER_BASE_MS);
  });

  it('every cool-down lies within its bounds, whatever the failures and Retry-After values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(undefined), fc.double(), fc.integer()), { minLength: 1, maxLength: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (retryAfters, r) => {
          const breaker = createCircuitBreaker({ random: () => r });
          for (const ra of retryAfters) {
            const wait = breaker.failed(ra);
            expect(wait).toBeGreaterThanOrEqual(0.8 * BREAKER_BASE_MS - 1e-6);
            expect(wait).toBeLessThanOrEqual(1.2 * BREAKER_MAX_MS + 1e-6);
            expect(Number.isFinite(wait)).toBe(true);
          }
        },
      ),
    );
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and gives 0 for anything else', () => {
    const now = Date.parse('2026-12-01T10:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Tue, 01 Dec 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 09:00:00 GMT', now)).toBe(0);
    for (const bad of [null, undefined, '', '  ', 'soon', '-5', 'NaN']) expect(retryAfterMs(bad, now)).toBe(0);
    expect(retryAfterMs('999999999', now)).toBe(BREAKER_MAX_MS);
  });
});
