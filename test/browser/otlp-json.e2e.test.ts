// The script tag's OTLP/JSON writer (packages/browser/src/otlp-json.ts, through otlp-direct.ts and its
// delivery) against the real collector and Jaeger: spans with arbitrary attribute values (strings of any
// script, booleans, 64-bit integers, doubles, arrays) are accepted, and Jaeger stores each value with its
// type. The unit properties (packages/browser/test/otlp-json.properties.test.ts) pin the encoding itself.
import fc from 'fast-check';
import { describe, expect, inject, it } from 'vitest';
import { createDirectPipeline } from '../../packages/browser/src/otlp-direct';
import { eventually, findTraces } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;

// Strings the collector's redaction rules leave alone (no digits, no @, :, / or =), so what Jaeger stored
// can be compared with what was sent; the rules' own behaviour is tested with the collector.
const text = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !/[0-9@:/=\\]/.test(s));
const value = fc.oneof(
  text,
  fc.boolean(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((d) => (Object.is(d, -0) ? 0 : d)),
  fc.array(text, { minLength: 1, maxLength: 3 }),
  fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
);
const attributes = fc.array(value, { minLength: 1, maxLength: 8 });

interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}

/** What Jaeger's v1 API shows for an attribute value of each kind. */
function expectedTag(v: unknown): { type: string; value: unknown } {
  if (typeof v === 'string') return { type: 'string', value: v };
  if (typeof v === 'boolean') return { type: 'bool', value: v };
  // Integers that fit an int64 are int64s; an integral double past that (1e100) stays a double. Jaeger's JSON
  // gives an int64 beyond 2^53 as a string, its exact decimal, which a JSON number could not hold.
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || Math.abs(v) >= 2 ** 63) return { type: 'float64', value: v };
    return { type: 'int64', value: Number.isSafeInteger(v) ? v : BigInt(v).toString() };
  }
  return { type: 'string', value: v }; // arrays: Jaeger keeps them as JSON text (read back below)
}

describe('OTLP/JSON written by the script tag', () => {
  it('is accepted by the collector for arbitrary attribute values, and Jaeger stores each with its type', async () => {
    const service = `otlp-json-${run}`;
    const pipeline = createDirectPipeline(stack.urls.otlpTraces, { 'service.name': service });
    const samples = fc.sample(attributes, { numRuns: 60, seed: run });
    samples.forEach((values, i) => {
      const attrs = Object.fromEntries(values.map((v, k) => [`prop.${k}`, v]));
      const span = pipeline.tracer.startSpan('exception', {
        kind: 0,
        startTime: Date.now(),
        attributes: { case: i, ...attrs },
      });
      span.addEvent('exception', attrs, Date.now());
      span.setStatus({ code: 2, message: `case ${i}` });
      span.end(Date.now());
    });
    await pipeline.flush();
    // Nothing refused, nothing kept for later (in Node there is no storage: anything not accepted is counted).
    expect(pipeline.spool.dropped).toBe(0);

    const spans = await eventually(
      async () => {
        const traces = await findTraces(stack.urls.jaegerQuery, { service });
        const all = traces.flatMap((t: { spans: unknown[] }) => t.spans) as {
          tags: JaegerTag[];
          logs: { fields: JaegerTag[] }[];
        }[];
        return all.length >= samples.length ? all : undefined;
      },
      { what: `${samples.length} spans of ${service}`, timeoutMs: 30_000 },
    );
    expect(spans).toHaveLength(samples.length);
    for (const span of spans) {
      const i = span.tags.find((t) => t.key === 'case')?.value as number;
      const values = samples[i] as unknown[];
      // An array's JSON text (Go escapes &, < and > in it) read back as the array.
      const read = (t: JaegerTag, k: string) => {
        const array = Array.isArray(values[Number(k.slice(5))]) && k.startsWith('prop.');
        return [t.key, { type: t.type, value: array ? JSON.parse(String(t.value)) : t.value }];
      };
      const tags = Object.fromEntries(span.tags.map((t) => read(t, t.key)));
      const fields = Object.fromEntries((span.logs[0]?.fields ?? []).map((t) => read(t, t.key)));
      values.forEach((v, k) => {
        expect(tags[`prop.${k}`], `case ${i} prop.${k} = ${JSON.stringify(v)}`).toEqual(expectedTag(v));
        expect(fields[`prop.${k}`], `event of case ${i} prop.${k}`).toEqual(expectedTag(v));
      });
      expect(tags['otel.status_description']).toEqual({ type: 'string', value: `case ${i}` });
    }
  });
});
