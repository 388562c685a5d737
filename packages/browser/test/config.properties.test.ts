// Property tests: whatever a page puts in data-* attributes or window.faultlineConfig, the agent starts with
// a usable configuration and says what it ignored; it never throws into the page.
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { OPTION_KEYS, resolveConfig } from '../src/config';

beforeAll(() => {
  (globalThis as unknown as { location: { href: string } }).location = { href: 'https://shop.example/cart' };
});

const KEYS = OPTION_KEYS;

/** Values a page might put anywhere: JSON-able ones, and the ones JSON.stringify cannot take. */
const anyValue = fc.oneof(
  fc.anything({ withBigInt: true, withMap: true, withSet: true, withNullPrototype: true }),
  fc.constant(Symbol('s')),
  fc.constant(() => 1),
  fc.nat().map(() => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    return loop;
  }),
  fc.nat().map(() => ({
    toJSON() {
      throw new Error('toJSON');
    },
  })),
);
const rateLimitValue = fc.oneof(
  anyValue,
  fc.record({ dedupeWindowMs: anyValue, burst: anyValue, refillPerSecond: anyValue }, { requiredKeys: [] }),
);
const options = fc.record(
  Object.fromEntries(KEYS.map((k) => [k, k === 'rateLimit' ? rateLimitValue : anyValue])) as Record<
    (typeof KEYS)[number],
    fc.Arbitrary<unknown>
  >,
  { requiredKeys: [] },
);

describe('browser configuration, for any input', () => {
  it('never throws, yields usable settings, and warns at most once per setting', () => {
    fc.assert(
      fc.property(options, (given) => {
        const warnings: string[] = [];
        const config = resolveConfig(given as never, (m) => warnings.push(m));
        expect(typeof config.endpoint).toBe('string');
        expect(() => new URL(config.endpoint, 'https://shop.example/')).not.toThrow();
        expect(typeof config.serviceName).toBe('string');
        expect(config.serviceName.trim()).not.toBe('');
        expect(() => new URL(config.logsEndpoint, 'https://shop.example/')).not.toThrow();
        expect(typeof config.captureResourceErrors).toBe('boolean');
        for (const v of [config.release, config.environment, config.exceptionSignal])
          expect(v === undefined || typeof v === 'string').toBe(true);
        expect(config.beforeSend === undefined || typeof config.beforeSend === 'function').toBe(true);
        for (const v of Object.values(config.rateLimit ?? {})) expect(Number.isFinite(v) && v > 0).toBe(true);
        for (const w of warnings) expect(w).toMatch(/^faultline: /);
        // rateLimit has three settings of its own.
        expect(warnings.length).toBeLessThanOrEqual(KEYS.length + 2);
      }),
      { numRuns: 2000 },
    );
  });

  it('takes anything as the whole configuration (window.faultlineConfig), and falls back to the tag', () => {
    const throwing = fc.nat().map(
      () =>
        new Proxy(
          {},
          {
            get() {
              throw new Error('trap');
            },
          },
        ),
    );
    fc.assert(
      fc.property(fc.oneof(anyValue, throwing), fc.webUrl(), (given, tagEndpoint) => {
        const warnings: string[] = [];
        const config = resolveConfig(given as never, (m) => warnings.push(m), {
          endpoint: tagEndpoint,
          serviceName: 'from-the-tag',
        });
        expect(typeof config.endpoint).toBe('string');
        expect(config.serviceName.trim()).not.toBe('');
        for (const w of warnings) expect(w).toMatch(/^faultline: /);
        // A setting the page did not give comes from the tag.
        const own = (key: string) => {
          try {
            return (given as Record<string, unknown>)[key];
          } catch {
            return undefined;
          }
        };
        if (typeof given !== 'object' || given === null || own('endpoint') === undefined)
          expect(config.endpoint).toBe(tagEndpoint);
        if (typeof given !== 'object' || given === null || own('serviceName') === undefined)
          expect(config.serviceName).toBe('from-the-tag');
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps every well-formed setting as given, without a warning', () => {
    const name = fc.string({ minLength: 1 }).filter((s) => s.trim() !== '');
    fc.assert(
      fc.property(
        fc.webUrl(),
        name,
        fc.option(name, { nil: undefined }),
        fc.record(
          {
            dedupeWindowMs: fc.double({ min: 1, max: 1e9, noNaN: true }),
            burst: fc.integer({ min: 1, max: 1e6 }),
            refillPerSecond: fc.double({ min: 0.001, max: 1e6, noNaN: true }),
          },
          { requiredKeys: [] },
        ),
        (endpoint, serviceName, release, rateLimit) => {
          const warnings: string[] = [];
          const config = resolveConfig({ endpoint, serviceName, release, rateLimit }, (m) => warnings.push(m));
          expect(warnings).toEqual([]);
          expect(config).toMatchObject({ endpoint, serviceName, release, rateLimit });
        },
      ),
    );
  });
});
