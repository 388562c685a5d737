import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JaegerTrace } from '../src/jaeger-json';
import { splitFor } from '../src/jaeger-poller';

const traceAt = (us: number): JaegerTrace => ({
  traceID: 't',
  spans: [{ traceID: 't', spanID: 's', operationName: 'exception', startTime: us }],
});

describe('splitting a full answer', () => {
  it('cuts a window into parts that come back about half full when the density holds', () => {
    // 200 of 1,000 evenly spread traces came back (the newest, as Badger answers): five times as many overall.
    const start = 0;
    const end = 1_000_000;
    const newest = Array.from({ length: 200 }, (_, i) => traceAt(end - i * 1000));
    const parts = splitFor(newest, start, end, 200);
    expect(1000 / parts).toBeLessThanOrEqual(100);
    expect(parts).toBeLessThanOrEqual(12);
  });

  it('always cuts in 2 to 64 parts, whatever came back', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: -10, max: 2000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1, max: 1000 }),
        (times, limit) => {
          const parts = splitFor(times.map(traceAt), 0, 1000, limit);
          expect(parts).toBeGreaterThanOrEqual(2);
          expect(parts).toBeLessThanOrEqual(64);
        },
      ),
    );
  });
});
