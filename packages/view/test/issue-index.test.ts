import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errorsOfTrace } from '../src/error-events';
import { IssueIndex, MAX_EVENT_REFS, MAX_TAG_VALUES, series } from '../src/issue-index';
import type { JaegerTrace } from '../src/jaeger-json';
import { exceptionTrace, markedTrace, withheldTrace } from './traces';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 12);
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** Traces as Jaeger could hand them over: reports (some with a parent copy), withheld spans, marked spans. */
const traceList = fc
  .array(
    fc.record({
      kind: fc.constantFrom('error', 'error', 'error', 'withheld', 'marked'),
      fp: fc.integer({ min: 0, max: 5 }),
      other: fc.integer({ min: 0, max: 5 }),
      minute: fc.integer({ min: 0, max: 14 * 24 * 60 }),
      duplicates: fc.integer({ min: 0, max: 4 }),
      unattributed: fc.integer({ min: 0, max: 3 }),
      withParent: fc.boolean(),
      user: fc.integer({ min: 0, max: 3 }),
    }),
    { maxLength: 60 },
  )
  .map((specs) =>
    specs.map((s, i): JaegerTrace => {
      const traceId = hex(i + 1, 32);
      const spanId = `a${hex(i + 1, 15)}`;
      const timeMs = T0 - s.minute * 60_000;
      const fingerprint = `fp${s.fp}`;
      if (s.kind === 'withheld')
        return withheldTrace({
          traceId,
          spanId,
          timeMs,
          byFingerprint: [
            [fingerprint, s.duplicates + 1],
            [`fp${s.other}`, 1],
          ],
          unattributed: s.unattributed,
        });
      if (s.kind === 'marked') return markedTrace({ traceId, spanId, fingerprint: `py${s.fp}`, timeMs });
      return exceptionTrace({
        traceId,
        spanId,
        fingerprint,
        timeMs,
        duplicates: s.duplicates,
        withParent: s.withParent,
        user: `u${s.user}`,
      });
    }),
  );

/** What the traces hold, counted independently of the index: every error span once. */
function expectedTotals(traces: JaegerTrace[]) {
  let spans = 0;
  let duplicates = 0;
  let withheld = 0;
  let unattributed = 0;
  for (const trace of traces) {
    for (const span of trace.spans) {
      const tags = Object.fromEntries((span.tags ?? []).map((t) => [t.key, t.value]));
      if (span.operationName === 'faultline.withheld') {
        const counts = JSON.parse(String(tags['faultline.withheld.duplicates'])) as number[];
        const sum = counts.reduce((a, b) => a + b, 0);
        withheld += sum;
        unattributed += Number(tags['faultline.duplicates']) - sum;
        continue;
      }
      const event = Object.fromEntries((span.logs?.[0]?.fields ?? []).map((f) => [f.key, f.value]));
      const own = span.operationName === 'exception';
      const marked = tags['faultline.exception'] === true && event['faultline.mechanism'] === undefined;
      if (!own && !marked) continue;
      spans++;
      duplicates += Number(event['faultline.duplicates'] ?? 0);
    }
  }
  return { spans, duplicates, withheld, unattributed };
}

function indexOf(traces: JaegerTrace[]): IssueIndex {
  const index = new IssueIndex();
  for (const trace of traces) index.add(errorsOfTrace(trace));
  return index;
}

function shape(index: IssueIndex) {
  return [...index.issues.values()]
    .map((s) => ({
      fp: s.fingerprint,
      events: s.events,
      reports: s.reports,
      users: s.users.size,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      title: `${s.type}: ${s.message}`,
      last14d: series(s, T0, 14, 24 * HOUR),
    }))
    .sort((a, b) => (a.fp < b.fp ? -1 : 1));
}

describe('the issue index', () => {
  it('counts every event once: issue events = exception spans + their duplicates + withheld duplicates', () => {
    fc.assert(
      fc.property(traceList, (traces) => {
        const index = indexOf(traces);
        const want = expectedTotals(traces);
        const events = [...index.issues.values()].reduce((n, s) => n + s.events, 0);
        expect(events).toBe(want.spans + want.duplicates + want.withheld);
        expect(index.totals.unattributed).toBe(want.unattributed);
        expect(index.lost.get('faultline.duplicates.unattributed')?.get('shop') ?? 0).toBe(want.unattributed);
        expect(index.totals.reports).toBe(want.spans);
      }),
    );
  });

  it('ends in the same issues whatever the order of arrival, and a trace seen again changes nothing', () => {
    fc.assert(
      fc.property(
        traceList.chain((traces) =>
          fc.tuple(fc.constant(traces), fc.shuffledSubarray(traces, { minLength: traces.length }), fc.subarray(traces)),
        ),
        ([traces, shuffled, again]) => {
          const inOrder = indexOf(traces);
          const reordered = indexOf([...shuffled, ...again]);
          expect(shape(reordered)).toEqual(shape(inOrder));
        },
      ),
    );
  });

  it('does not count the copy of the event on the active parent span', () => {
    const index = indexOf([
      exceptionTrace({
        traceId: hex(1, 32),
        spanId: `a${hex(1, 15)}`,
        fingerprint: 'fp',
        timeMs: T0,
        withParent: true,
      }),
    ]);
    expect(index.issues.get('fp')?.events).toBe(1);
    expect(index.issues.size).toBe(1);
  });

  it("does not count the parent span when faultline's copy is not its first exception event", () => {
    // The HTTP instrumentation recorded the same error on the active span before faultline's agent did.
    const trace = exceptionTrace({
      traceId: hex(9, 32),
      spanId: `a${hex(9, 15)}`,
      fingerprint: 'fp',
      timeMs: T0,
      withParent: true,
    });
    const parent = trace.spans[1]!;
    parent.tags!.push({ key: 'faultline.fingerprint', type: 'string', value: 'collector-fp' });
    parent.logs!.unshift({
      timestamp: T0 * 1000 - 1,
      fields: [
        { key: 'event', value: 'exception' },
        { key: 'exception.type', value: 'TypeError' },
        { key: 'exception.message', value: 'boom' },
      ],
    });
    const index = indexOf([trace]);
    expect([...index.issues.keys()]).toEqual(['fp']);
    expect(index.totals.reports).toBe(1);
  });

  it('counts the spans of other SDKs that the collector marked, as issues of their own service', () => {
    const index = indexOf([
      markedTrace({ traceId: hex(2, 32), spanId: `b${hex(2, 15)}`, fingerprint: 'py1', timeMs: T0 }),
    ]);
    const issue = index.issues.get('py1');
    expect(issue?.type).toBe('ValueError');
    expect([...(issue?.services.keys() ?? [])]).toEqual(['orders-py']);
  });

  it('keeps the newest event references, in time order, and the oldest one, within its bound', () => {
    const traces = Array.from({ length: MAX_EVENT_REFS + 50 }, (_, i) =>
      exceptionTrace({
        traceId: hex(i + 1, 32),
        spanId: `c${hex(i + 1, 15)}`,
        fingerprint: 'fp',
        timeMs: T0 - ((i * 7919) % 1000) * 1000,
      }),
    );
    const issue = indexOf(traces).issues.get('fp')!;
    expect(issue.refs).toHaveLength(MAX_EVENT_REFS);
    const times = issue.refs.map((r) => r.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(issue.oldest?.time).toBe(Math.min(...traces.map((t) => t.spans[0]!.startTime / 1000)));
  });

  it('keeps at most MAX_TAG_VALUES environments per issue, whatever the agents send', () => {
    const traces = Array.from({ length: MAX_TAG_VALUES * 3 }, (_, i) =>
      exceptionTrace({
        traceId: hex(i + 1, 32),
        spanId: `e${hex(i + 1, 15)}`,
        fingerprint: 'fp',
        timeMs: T0 - i,
        environment: `env-${i}`,
      }),
    );
    const issue = indexOf(traces).issues.get('fp')!;
    expect(issue.events).toBe(MAX_TAG_VALUES * 3);
    expect(issue.environments.size).toBeLessThanOrEqual(MAX_TAG_VALUES);
  });

  it('carries the losses the agents counted, per kind and service', () => {
    const index = indexOf([
      exceptionTrace({
        traceId: hex(3, 32),
        spanId: `d${hex(3, 15)}`,
        fingerprint: 'fp',
        timeMs: T0,
        losses: { 'faultline.queue.dropped': 3, 'faultline.refused': 2 },
      }),
    ]);
    expect(index.lost.get('faultline.queue.dropped')?.get('shop')).toBe(3);
    expect(index.lost.get('faultline.refused')?.get('shop')).toBe(2);
  });

  it('never throws on whatever Jaeger (or something pretending to be it) returns', () => {
    fc.assert(
      fc.property(fc.anything(), fc.array(fc.anything()), (trace, spans) => {
        const index = new IssueIndex();
        index.add(errorsOfTrace(trace as JaegerTrace));
        index.add(errorsOfTrace({ traceID: 'x', spans } as unknown as JaegerTrace));
      }),
    );
  });
});

describe('the culprit', () => {
  it('is the top in-app frame, with a short file', async () => {
    const { culpritOf } = await import('../src/error-events');
    expect(culpritOf('TypeError: x\n    at HTMLButtonElement.<anonymous> (http://localhost:8080/:19:93)')).toBe(
      'HTMLButtonElement.<anonymous> (localhost:8080:19)',
    );
    expect(culpritOf('TypeError: x\n    at pay (https://shop.example/assets/js/app.3f9a.js:1:480)')).toBe(
      'pay (js/app.3f9a.js:1)',
    );
    expect(culpritOf('Error: x\n    at a (node:internal/x:1:1)\n    at checkout (/srv/app/src/cart.js:12:5)')).toBe(
      'checkout (src/cart.js:12)',
    );
    expect(culpritOf('no stack here')).toBeUndefined();
  });
});

describe('forgetting old span ids', () => {
  it('does not count a span again once its id was forgotten, whatever brings it back', () => {
    fc.assert(
      fc.property(traceList, fc.integer({ min: 0, max: 14 * 24 * 60 }), (traces, minutes) => {
        const index = indexOf(traces);
        const before = shape(index);
        index.prune(T0 - minutes * 60_000);
        for (const trace of traces) index.add(errorsOfTrace(trace));
        expect(shape(index)).toEqual(before);
      }),
    );
  });
});
