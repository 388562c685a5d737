// Property tests: whatever the environment holds, the agent starts with a usable configuration, names each
// variable it ignored, and never sends a request that fetch would refuse.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkInitOptions, readConfig } from '../src/config';

const VARIABLES = [
  'OTEL_SDK_DISABLED',
  'OTEL_SERVICE_NAME',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT',
  'OTEL_EXPORTER_OTLP_HEADERS',
  'OTEL_EXPORTER_OTLP_TRACES_HEADERS',
  'OTEL_EXPORTER_OTLP_COMPRESSION',
  'OTEL_EXPORTER_OTLP_TRACES_COMPRESSION',
  'OTEL_RESOURCE_ATTRIBUTES',
  'OTEL_LOG_LEVEL',
  'OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN',
  'FAULTLINE_SPOOL_DIR',
  'FAULTLINE_FLUSH_TIMEOUT_MS',
];

/** Environment values: noise, and pieces of the formats the variables use. */
const value = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.webUrl(),
  fc.constantFrom('true', 'false', 'gzip', 'none', 'debug', 'logs', 'logs/dup', '-1', '1e9', 'NaN', '%', '%zz'),
  fc
    .array(
      fc.tuple(fc.string({ maxLength: 12 }), fc.string({ maxLength: 12 })).map(([k, v]) => `${k}=${v}`),
      { maxLength: 5 },
    )
    .map((pairs) => pairs.join(',')),
);
const env = fc.dictionary(fc.constantFrom(...VARIABLES), value);

describe('node configuration, for any environment', () => {
  it('never throws and yields usable settings', () => {
    fc.assert(
      fc.property(env, (e) => {
        const { config, warnings } = readConfig(e, { spoolDir: '/tmp/spool-default' });
        for (const url of [config.tracesEndpoint, config.logsEndpoint])
          expect(['http:', 'https:']).toContain(new URL(url).protocol);
        expect(config.flushTimeoutMs).toBeGreaterThanOrEqual(0);
        expect(config.flushTimeoutMs).toBeLessThanOrEqual(30_000);
        expect(config.serviceName.trim()).not.toBe('');
        expect(['gzip', 'none']).toContain(config.compression);
        expect(config.signals.spans || config.signals.logs).toBe(true);
        // What fetch would refuse on every send must not get this far.
        expect(() => new Headers(config.headers)).not.toThrow();
        for (const w of warnings) expect(w).toMatch(/^faultline: /);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('init() options, for any value', () => {
  const anyValue = fc.anything({ withBigInt: true, withMap: true, withNullPrototype: true });
  const option = fc.oneof(
    anyValue,
    fc.webUrl(),
    fc.string(),
    fc.constant(() => null),
    fc.constant(/secret/g),
    fc.array(fc.oneof(fc.string(), fc.constant(/x/), anyValue), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 10 }), fc.oneof(fc.string({ maxLength: 10 }), anyValue), { maxKeys: 4 }),
  );
  const KEYS = [
    'serviceName',
    'endpoint',
    'headers',
    'resourceAttributes',
    'spoolDir',
    'flushTimeoutMs',
    'scrub',
    'rateLimit',
    'classify',
    'beforeSend',
  ];
  const options = fc.oneof(
    anyValue,
    fc.dictionary(fc.constantFrom(...KEYS), option),
    fc.record({ scrub: fc.record({ patterns: option, denyKeys: option }, { requiredKeys: [] }) }),
  );

  it('never throws, keeps only well-formed settings, and names each one it leaves out', () => {
    fc.assert(
      fc.property(options, (given) => {
        const { options: kept, warnings } = checkInitOptions(given);
        for (const w of warnings) expect(w).toMatch(/^faultline: init\(\)/);
        for (const key of Object.keys(kept)) expect(KEYS).toContain(key);
        if (kept.serviceName !== undefined) expect(kept.serviceName.trim()).not.toBe('');
        if (kept.endpoint !== undefined) expect(['http:', 'https:']).toContain(new URL(kept.endpoint).protocol);
        if (kept.headers !== undefined) expect(() => new Headers(kept.headers)).not.toThrow();
        for (const v of Object.values(kept.resourceAttributes ?? {})) expect(typeof v).toBe('string');
        if (kept.flushTimeoutMs !== undefined) expect(kept.flushTimeoutMs).toBeLessThanOrEqual(30_000);
        for (const p of [...(kept.scrub?.patterns ?? []), ...(kept.scrub?.denyKeys ?? [])])
          expect(typeof p === 'string' || p instanceof RegExp).toBe(true);
        if (kept.beforeSend !== undefined) expect(typeof kept.beforeSend).toBe('function');
        if (kept.classify !== undefined) expect(Array.isArray(kept.classify)).toBe(true);
        for (const n of Object.values(kept.rateLimit ?? {})) expect(Number.isFinite(n) && (n as number) > 0).toBe(true);
        // Nothing kept silently changed: a setting given and not kept is named in a warning.
        if (typeof given === 'object' && given !== null)
          for (const key of KEYS) {
            const value = (given as Record<string, unknown>)[key];
            if (value !== undefined && !(key in kept))
              expect(warnings.some((w) => w.includes(`option ${key}`))).toBe(true);
          }
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps well-formed options as given, without a warning', () => {
    const given = {
      serviceName: 'orders',
      endpoint: 'https://collector.example:4318',
      headers: { 'x-api-key': 'abc' },
      resourceAttributes: { 'deployment.environment.name': 'production' },
      spoolDir: '/var/spool/fl',
      flushTimeoutMs: 500,
      scrub: { patterns: [/order-\d+/, 'secret-word'], denyKeys: ['session'] },
      rateLimit: { burst: 5 },
      classify: [{ when: { code: ['card_declined'] }, category: 'validation' }],
      beforeSend: (r: unknown) => r,
    };
    const { options, warnings } = checkInitOptions(given);
    expect(warnings).toEqual([]);
    expect(options).toEqual(given);
  });

  it('names what it leaves out', () => {
    const { options, warnings } = checkInitOptions({
      endpoint: 42,
      headers: { good: 'yes', 'bad name': 'x', worse: 7 },
      flushTimeoutMs: 10 ** 9,
      classify: [{ when: { type: '(' } }, { when: { code: ['x'] }, category: 'network' }],
    });
    expect(options).toEqual({
      headers: { good: 'yes' },
      classify: [{ when: { type: '(' } }, { when: { code: ['x'] }, category: 'network' }],
    });
    expect(warnings).toEqual([
      'faultline: init() option endpoint: not an http(s) URL',
      'faultline: init() option headers: dropped the header "bad name": not a valid HTTP header with a string value',
      'faultline: init() option headers: dropped the header "worse": not a valid HTTP header with a string value',
      'faultline: init() option flushTimeoutMs: expected milliseconds from 0 to 30000',
      expect.stringMatching(/^faultline: init\(\) option classify: classify\[0\]: Invalid regular expression/),
    ]);
  });
});
