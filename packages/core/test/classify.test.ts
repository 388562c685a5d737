// Classification (issue 13): the shared vectors, the generated table and OTTL, users' rules, severity, and
// what reaches the exported span and log record.
import { readFileSync } from 'node:fs';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  COLLECTOR_TARGET,
  CORE_TARGET,
  load,
  renderCore,
  withOttl,
} from '../../../scripts/generate-classification.mjs';
import { makeError } from '../classification/make-error.mjs';
import { CATEGORIES } from '../src/classification-rules';
import {
  type ClassificationRule,
  classify,
  compileRules,
  createExceptionReporter,
  defaultSeverity,
  fingerprint,
  NODE_RULES,
  normalizeError,
} from '../src/index';

interface Vector {
  name: string;
  only?: 'node' | 'collector';
  error?: Record<string, unknown>;
  thrown?: unknown;
  category: string;
  transient: boolean;
}
const { vectors } = JSON.parse(readFileSync(new URL('../classification/vectors.json', import.meta.url), 'utf8')) as {
  vectors: Vector[];
};

describe('the shared classification vectors', () => {
  const expected = (v: Vector) => ({ category: v.category, transient: v.transient });
  // The Node agent's table: NODE_RULES (error codes) before the shared rules.
  it.each(vectors.filter((v) => v.only !== 'collector').map((v) => [v.name, v] as const))('Node: %s', (_n, v) => {
    expect(classify(normalizeError(makeError(v)), [], NODE_RULES)).toEqual(expected(v));
  });
  // The browser's: the shared rules alone.
  it.each(vectors.filter((v) => v.only === undefined).map((v) => [v.name, v] as const))('browser: %s', (_n, v) => {
    expect(classify(normalizeError(makeError(v)))).toEqual(expected(v));
  });

  it('cover every category, and differ in fingerprint (the agents report each one)', () => {
    expect(new Set(vectors.map((v) => v.category))).toEqual(new Set(CATEGORIES));
    const prints = vectors.map((v) => fingerprint(normalizeError(makeError(v))));
    expect(new Set(prints).size).toBe(vectors.length);
  });
});

describe('the generated table', () => {
  const file = load();
  it('src/classification-rules.ts and the OTTL block of faultline.yaml are what the generator writes', () => {
    expect(readFileSync(CORE_TARGET, 'utf8')).toBe(renderCore(file));
    const yaml = readFileSync(COLLECTOR_TARGET, 'utf8');
    expect(yaml).toBe(withOttl(yaml, file));
  });

  it('every pattern is in the syntax JavaScript and RE2 share', () => {
    for (const rule of file.rules)
      for (const p of [rule.when.type, rule.when.message].filter(Boolean))
        expect(p, rule.name).not.toMatch(/\(\?[<=!]|\\[1-9k]/);
  });
});

describe('classify', () => {
  it('gives the fallback to what no rule knows, and never throws on any thrown value', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const kind = classify(normalizeError(value));
        expect(CATEGORIES).toContain(kind.category);
        expect(typeof kind.transient).toBe('boolean');
      }),
      { numRuns: 300 },
    );
  });

  it('reads the code of the nearest cause, and only short string codes', () => {
    const record = normalizeError(new Error('outer', { cause: new Error('inner', { cause: { code: 'EMFILE' } }) }));
    expect(record.code).toBe('EMFILE');
    expect(normalizeError(Object.assign(new Error('x'), { code: 42 })).code).toBeUndefined();
    expect(normalizeError(Object.assign(new Error('x'), { code: 'E'.repeat(65) })).code).toBeUndefined();
  });

  it('never runs a getter of the thrown value to read its code or status', () => {
    let calls = 0;
    const err = new Error('x');
    for (const key of ['code', 'status', 'statusCode', 'response'])
      Object.defineProperty(err, key, {
        get() {
          calls++;
          throw new Error('hostile');
        },
      });
    expect(classify(normalizeError(err))).toEqual({ category: 'unknown', transient: false });
    expect(calls).toBe(0);
  });

  it('takes only HTTP statuses: 42 or 600 is not one', () => {
    expect(normalizeError(Object.assign(new Error('x'), { status: 42 })).status).toBeUndefined();
    expect(normalizeError(Object.assign(new Error('x'), { status: 600, statusCode: 503 })).status).toBe(503);
  });
});

describe("users' rules", () => {
  const record = normalizeError(Object.assign(new Error('card declined'), { code: 'card_declined' }));

  it('come first, and set only what they name: the table gives the rest', () => {
    const { rules, errors } = compileRules([
      { when: { code: ['card_declined'] }, category: 'validation' },
      { when: { message: 'declined' }, category: 'server', transient: true },
    ] satisfies ClassificationRule[]);
    expect(errors).toEqual([]);
    expect(classify(record, rules)).toEqual({ category: 'validation', transient: false });
    const severity = compileRules([{ when: { type: /^Error$/g }, severity: 'info' }]).rules;
    expect(classify(record, severity)).toEqual({ category: 'unknown', transient: false, severity: 'info' });
    // A /g pattern keeps no lastIndex between errors.
    expect(classify(record, severity).severity).toBe('info');
  });

  it('whatever an app passes, compile and classify never throw, and every kept rule yields a known category', () => {
    const pattern = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('(', '[', '^Error$', '.*'));
    const rule = fc.oneof(
      fc.anything(),
      fc.record(
        {
          when: fc.oneof(
            fc.anything(),
            fc.record(
              {
                code: fc.oneof(fc.anything(), fc.array(fc.string({ maxLength: 6 }))),
                status: fc.oneof(fc.anything(), fc.array(fc.oneof(fc.integer(), fc.constantFrom('4xx', '5xx', '9xx')))),
                type: fc.oneof(fc.anything(), pattern),
                message: fc.oneof(fc.anything(), pattern),
              },
              { requiredKeys: [] },
            ),
          ),
          category: fc.oneof(fc.anything(), fc.constantFrom(...CATEGORIES)),
          transient: fc.oneof(fc.anything(), fc.boolean()),
          severity: fc.oneof(fc.anything(), fc.constantFrom('fatal', 'error', 'warn', 'info', 'debug')),
        },
        { requiredKeys: [] },
      ),
    );
    fc.assert(
      fc.property(fc.oneof(fc.anything(), fc.array(rule, { maxLength: 5 })), fc.anything(), (rules, thrown) => {
        const { rules: kept, errors } = compileRules(rules);
        for (const e of errors) expect(typeof e).toBe('string');
        const kind = classify(normalizeError(thrown), kept);
        expect(CATEGORIES).toContain(kind.category);
        expect(typeof kind.transient).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('that are not rules are left out with a reason, never thrown', () => {
    const { rules, errors } = compileRules([
      { when: {} },
      { when: { type: '(' } },
      { when: { code: ['x'] }, category: 'flaky' },
      { when: { status: ['4x'] } },
      { when: { message: 'x' }, severity: 'loud' },
      null,
      { when: { code: ['ok'] }, category: 'network' },
    ]);
    expect(rules).toHaveLength(1);
    expect(errors).toHaveLength(6);
    expect(errors[2]).toBe('classify[2]: unknown category flaky');
    expect(compileRules('nope').errors).toEqual(['classify must be an array of rules']);
    const trap = () => {
      throw new Error('trap');
    };
    expect(compileRules(new Proxy([], { get: trap }))).toEqual({ rules: [], errors: ['classify could not be read'] });
  });
});

describe('severity and the exported data', () => {
  const spans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer('t');
  const logs = new InMemoryLogRecordExporter();
  const logger = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logs })] }).getLogger('t');
  beforeEach(() => {
    spans.reset();
    logs.reset();
  });

  it('is FATAL for a crash, ERROR unhandled, WARN handled', () => {
    expect([defaultSeverity(false, true), defaultSeverity(false, false), defaultSeverity(true, false)]).toEqual([
      'fatal',
      'error',
      'warn',
    ]);
  });

  it('puts category, transient and severity on the span (not again on its event), and severity_number on the log record', () => {
    const reporter = createExceptionReporter({ tracer, logger, signals: { spans: true, logs: true } });
    reporter.capture(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), {
      mechanism: 'uncaughtException',
      handled: false,
      fatal: true,
    });
    reporter.capture(new TypeError('x is not a function'), { mechanism: 'manual', handled: true });
    const [crash, handled] = spans.getFinishedSpans();
    const crashAttributes = {
      'faultline.category': 'network',
      'faultline.transient': true,
      'faultline.severity': 'fatal',
    };
    expect(crash?.attributes).toMatchObject(crashAttributes);
    expect(crash?.events.at(-1)?.attributes).not.toHaveProperty('faultline.category');
    expect(handled?.attributes).toMatchObject({ 'faultline.category': 'code', 'faultline.severity': 'warn' });
    expect(logs.getFinishedLogRecords()[0]?.attributes).toMatchObject({ 'faultline.category': 'network' });
    expect(logs.getFinishedLogRecords().map((r) => [r.severityNumber, r.severityText])).toEqual([
      [21, 'FATAL'],
      [13, 'WARN'],
    ]);
  });

  it('logs a severity beforeSend made up as ERROR, and still sends the report', () => {
    const reporter = createExceptionReporter({
      tracer,
      logger,
      signals: { spans: false, logs: true },
      beforeSend: (r) => Object.assign(r, { severity: 42 as never }),
    });
    expect(reporter.capture(new Error('made-up severity'), { mechanism: 'manual', handled: true })).toBeDefined();
    expect(logs.getFinishedLogRecords().map((r) => [r.severityNumber, r.severityText])).toEqual([[17, 'ERROR']]);
    expect(reporter.stats.failed).toBe(0);
  });

  it('follows beforeSend and init rules, and warns once about a rule it leaves out', () => {
    const warnings: string[] = [];
    const reporter = createExceptionReporter({
      tracer,
      classify: [{ when: { type: 'TypeError' }, severity: 'error' }, { when: {} } as ClassificationRule],
      warn: (m) => warnings.push(m),
      beforeSend: (r) => (r.category === 'code' ? Object.assign(r, { category: 'client' }) : r),
    });
    reporter.capture(new TypeError('y is not a function'), { mechanism: 'manual', handled: true });
    expect(spans.getFinishedSpans()[0]?.attributes).toMatchObject({
      'faultline.category': 'client',
      'faultline.severity': 'error',
    });
    expect(warnings).toEqual(['faultline: ignoring classify[1]: `when` needs code, status, type or message']);
  });
});
