// Real OpenTelemetry SDKs (sdk-trace-base, sdk-logs) with in-memory exporters: what would be exported.

import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createExceptionReporter, exceptionSignals } from '../src/index';

const spans = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
const tracer = provider.getTracer('faultline-test');
const logs = new InMemoryLogRecordExporter();
const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: logs })] });
const logger = loggerProvider.getLogger('faultline-test');
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
});
beforeEach(() => {
  spans.reset();
  logs.reset();
});

describe('an exception as OpenTelemetry data', () => {
  it('is a span "exception" with status ERROR, error.type and a semantic-convention event', () => {
    const reporter = createExceptionReporter({ tracer });
    reporter.capture(new TypeError('card declined for ann@example.com'), {
      mechanism: 'uncaughtException',
      handled: false,
      attributes: { 'service.version': '1.4.2', 'user.email': 'ann@example.com' },
    });
    const [span] = spans.getFinishedSpans();
    expect(span?.name).toBe('exception');
    expect(span?.status).toEqual({ code: 2, message: 'TypeError: card declined for [REDACTED:email]' });
    expect(span?.attributes).toMatchObject({
      'error.type': 'TypeError',
      'faultline.mechanism': 'uncaughtException',
      'faultline.handled': false,
      'service.version': '1.4.2',
      'user.email': '[REDACTED:email]',
    });
    expect(span?.attributes['faultline.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
    const event = span?.events[0];
    expect(event?.name).toBe('exception');
    expect(event?.attributes).toMatchObject({
      'exception.type': 'TypeError',
      'exception.message': 'card declined for [REDACTED:email]',
      'faultline.fingerprint': span?.attributes['faultline.fingerprint'],
    });
    expect(String(event?.attributes?.['exception.stacktrace'])).toMatch(
      /^TypeError: card declined for \[REDACTED:email\]\n {4}at /,
    );
    expect(event?.attributes).not.toHaveProperty('exception.escaped');
  });

  it('carries the cause chain as attributes', () => {
    const reporter = createExceptionReporter({ tracer });
    reporter.capture(new Error('save failed', { cause: new RangeError('too big') }), {
      mechanism: 'manual',
      handled: true,
    });
    const attrs = spans.getFinishedSpans()[0]?.events[0]?.attributes;
    expect(attrs).toMatchObject({
      'faultline.cause.relations': ['cause'],
      'faultline.cause.types': ['RangeError'],
      'faultline.cause.messages': ['too big'],
    });
    expect(String(attrs?.['exception.stacktrace'])).toContain('\nCaused by: RangeError: too big');
  });

  it('sits inside the active trace: child span, and the same event on the active span', () => {
    const reporter = createExceptionReporter({ tracer });
    tracer.startActiveSpan('GET /checkout', (request) => {
      reporter.capture(new Error('boom'), { mechanism: 'manual', handled: true });
      request.end();
    });
    const finished = spans.getFinishedSpans();
    const exception = finished.find((s) => s.name === 'exception');
    const request = finished.find((s) => s.name === 'GET /checkout');
    expect(exception?.spanContext().traceId).toBe(request?.spanContext().traceId);
    expect(exception?.parentSpanContext?.spanId).toBe(request?.spanContext().spanId);
    expect(request?.events.map((e) => [e.name, e.attributes?.['exception.message']])).toEqual([['exception', 'boom']]);
  });

  it('is a root span when no span is active', () => {
    createExceptionReporter({ tracer }).capture(new Error('alone'), { mechanism: 'manual', handled: true });
    expect(trace.getActiveSpan()).toBeUndefined();
    expect(spans.getFinishedSpans()[0]?.parentSpanContext).toBeUndefined();
  });

  it('collapses a storm into one report; the next report of the same error carries the count', () => {
    let t = 0;
    const reporter = createExceptionReporter({ tracer, rateLimit: { dedupeWindowMs: 60_000 }, now: () => t });
    const throwSame = () => new Error('same');
    for (let i = 0; i < 1000; i++) reporter.capture(throwSame(), { mechanism: 'manual', handled: true });
    reporter.capture(new RangeError('other'), { mechanism: 'manual', handled: true });
    t += 60_000;
    reporter.capture(throwSame(), { mechanism: 'manual', handled: true });
    const finished = spans.getFinishedSpans();
    expect(finished).toHaveLength(3);
    // Another error's report does not carry them; the same error's next report does.
    expect(finished[1]?.events[0]?.attributes?.['faultline.duplicates']).toBeUndefined();
    expect(finished[2]?.events[0]?.attributes?.['faultline.duplicates']).toBe(999);
    expect(finished[2]?.attributes['faultline.fingerprint']).toBe(finished[0]?.attributes['faultline.fingerprint']);
    expect(reporter.stats).toMatchObject({ captured: 1002, reported: 3, duplicates: 999 });
  });

  it('sends what is still withheld as a faultline.withheld span, per fingerprint', () => {
    const reporter = createExceptionReporter({ tracer });
    for (let i = 0; i < 5; i++) reporter.capture(new Error('same'), { mechanism: 'manual', handled: true });
    for (let i = 0; i < 3; i++) reporter.capture(new TypeError('another'), { mechanism: 'manual', handled: true });
    expect(reporter.reportWithheld()).toBe(true);
    const finished = spans.getFinishedSpans();
    const summary = finished.find((s) => s.name === 'faultline.withheld');
    const fingerprints = finished
      .filter((s) => s.name === 'exception')
      .map((s) => s.attributes['faultline.fingerprint']);
    expect(summary?.attributes).toMatchObject({
      'faultline.duplicates': 6,
      'faultline.dropped': 0,
      'faultline.withheld.fingerprints': fingerprints,
      'faultline.withheld.duplicates': [4, 2],
    });
    expect(reporter.reportWithheld()).toBe(false);
  });

  it('reports an error captured by hand and then rethrown once', () => {
    const reporter = createExceptionReporter({ tracer });
    const err = new Error('once');
    reporter.capture(err, { mechanism: 'manual', handled: true });
    reporter.capture(err, { mechanism: 'uncaughtException', handled: false });
    expect(spans.getFinishedSpans()).toHaveLength(1);
    expect(reporter.stats.repeated).toBe(1);
  });

  it('lets beforeSend change or drop a report, and counts the drops', () => {
    const reporter = createExceptionReporter({
      tracer,
      beforeSend: (r) =>
        r.record.message.includes('ignore') ? null : { ...r, attributes: { ...r.attributes, team: 'payments' } },
    });
    reporter.capture(new Error('please ignore'), { mechanism: 'manual', handled: true });
    reporter.capture(new Error('keep'), { mechanism: 'manual', handled: true });
    expect(spans.getFinishedSpans().map((s) => s.attributes.team)).toEqual(['payments']);
    expect(reporter.stats.filtered).toBe(1);
  });

  it('never throws, even when beforeSend or the tracer does', () => {
    const broken = createExceptionReporter({
      tracer,
      beforeSend: () => {
        throw new Error('user bug');
      },
    });
    expect(broken.capture(new Error('x'), { mechanism: 'manual', handled: true })).toBeUndefined();
    expect(broken.stats.failed).toBe(1);
  });

  it('counts reports a beforeSend lost (threw, or returned no report) on the next report that goes out', () => {
    let calls = 0;
    const reporter = createExceptionReporter({
      tracer,
      beforeSend: (r) => {
        calls++;
        if (calls === 1) throw new Error('user bug');
        if (calls === 2) return 'not a report' as never;
        if (calls === 3) return { ...r, record: undefined } as never;
        return r;
      },
    });
    for (const m of ['a', 'b', 'c', 'd', 'e'])
      reporter.capture(new Error(`lost ${m}`), { mechanism: 'manual', handled: true });
    const sent = spans.getFinishedSpans().filter((s) => s.name === 'exception');
    expect(sent.map((s) => s.events.at(-1)?.attributes?.['exception.message'])).toEqual(['lost d', 'lost e']);
    // The first report out carries the three losses; the next one none.
    expect(sent.map((s) => s.attributes['faultline.failed'])).toEqual([3, undefined]);
  });

  it('sends losses with nothing else to send on the withheld span (page hide, exit)', () => {
    const reporter = createExceptionReporter({
      tracer,
      beforeSend: () => {
        throw new Error('user bug');
      },
    });
    reporter.capture(new Error('lost'), { mechanism: 'manual', handled: true });
    expect(reporter.reportWithheld()).toBe(true);
    expect(reporter.reportWithheld()).toBe(false); // counted once
    const withheld = spans.getFinishedSpans().filter((s) => s.name === 'faultline.withheld');
    expect(withheld.map((s) => s.attributes['faultline.failed'])).toEqual([1]);
  });

  it("sends the agent's own loss counts on the withheld span, even with nothing else withheld", () => {
    const reporter = createExceptionReporter({ tracer });
    expect(reporter.reportWithheld(undefined, { 'faultline.spool.dropped': 0 })).toBe(false);
    expect(reporter.reportWithheld(undefined, { 'faultline.spool.dropped': 2, 'faultline.refused': 1 })).toBe(true);
    const withheld = spans.getFinishedSpans().filter((s) => s.name === 'faultline.withheld');
    expect(withheld).toHaveLength(1);
    expect(withheld[0]?.attributes).toMatchObject({ 'faultline.spool.dropped': 2, 'faultline.refused': 1 });
  });

  it('whatever beforeSend returns, capture never throws and every loss is counted once', () => {
    fc.assert(
      fc.property(fc.array(fc.anything({ withBigInt: true }), { minLength: 1, maxLength: 8 }), (results) => {
        spans.reset();
        let i = 0;
        const reporter = createExceptionReporter({
          tracer,
          rateLimit: { burst: 100 },
          beforeSend: () => results[i++ % results.length] as never,
        });
        for (let n = 0; n < results.length; n++)
          reporter.capture(new Error(`error ${'abcdefgh'[n]}`), { mechanism: 'manual', handled: true }); // distinct fingerprints
        reporter.reportWithheld();
        const out = spans.getFinishedSpans();
        const counted = out.reduce((sum, s) => sum + ((s.attributes['faultline.failed'] as number) ?? 0), 0);
        const { filtered, failed, reported } = reporter.stats;
        // Each capture was filtered (null/undefined), lost (counted on a later span), or sent.
        expect(filtered + failed + reported).toBe(results.length);
        expect(counted).toBe(failed);
      }),
      { numRuns: 300 },
    );
  });
});

describe('exceptions as log records (OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN)', () => {
  it.each([
    [undefined, { spans: true, logs: false }],
    ['', { spans: true, logs: false }],
    ['logs', { spans: false, logs: true }],
    ['logs/dup', { spans: true, logs: true }],
    ['http, logs/dup', { spans: true, logs: true }],
    ['nonsense', { spans: true, logs: false }],
  ])('reads %j', (value, expected) => {
    expect(exceptionSignals(value)).toEqual(expected);
  });

  it('emits a log record with the exception attributes in the active trace context', () => {
    const reporter = createExceptionReporter({ tracer, logger, signals: exceptionSignals('logs') });
    tracer.startActiveSpan('job', (job) => {
      reporter.capture(new SyntaxError('unexpected token'), { mechanism: 'manual', handled: true });
      job.end();
    });
    expect(spans.getFinishedSpans().map((s) => s.name)).toEqual(['job']);
    const [record] = logs.getFinishedLogRecords();
    // Handled: WARN (an unhandled one is ERROR, a crash FATAL; classify.test.ts).
    expect([record?.severityNumber, record?.severityText]).toEqual([13, 'WARN']);
    expect(record?.eventName).toBe('exception');
    expect(record?.attributes).toMatchObject({
      'exception.type': 'SyntaxError',
      'exception.message': 'unexpected token',
    });
    expect(record?.spanContext?.traceId).toBe(spans.getFinishedSpans()[0]?.spanContext().traceId);
  });

  it('sends both with logs/dup', () => {
    const reporter = createExceptionReporter({ tracer, logger, signals: exceptionSignals('logs/dup') });
    reporter.capture(new Error('twice'), { mechanism: 'manual', handled: true });
    expect(spans.getFinishedSpans()).toHaveLength(1);
    expect(logs.getFinishedLogRecords()).toHaveLength(1);
  });
});

describe('reporter options from app code', () => {
  it('any scrub and rate-limit options: the reporter is made, reports, and still scrubs with its own rules', () => {
    const anyValue = fc.anything({ withBigInt: true, withNullPrototype: true });
    const list = fc.oneof(anyValue, fc.array(fc.oneof(fc.string(), fc.constant(/x/g), anyValue), { maxLength: 3 }));
    fc.assert(
      fc.property(
        fc.oneof(anyValue, fc.record({ patterns: list, denyKeys: list }, { requiredKeys: [] })),
        fc.oneof(
          anyValue,
          fc.record({ burst: anyValue, now: anyValue, dedupeWindowMs: anyValue }, { requiredKeys: [] }),
        ),
        (scrub, rateLimit) => {
          spans.reset();
          const reporter = createExceptionReporter({ tracer, scrub: scrub as never, rateLimit: rateLimit as never });
          const report = reporter.capture(new Error('mail ada@example.com'), { mechanism: 'manual', handled: true });
          expect(report).toBeDefined();
          expect(report?.record.message).not.toContain('ada@example.com');
          expect(spans.getFinishedSpans()).toHaveLength(1);
        },
      ),
      { numRuns: 300 },
    );
  });
});
