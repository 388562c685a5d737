// The script tag's OTLP/JSON writer against the OTLP JSON encoding and against the OpenTelemetry SDK's own
// serializer (what the ESM build sends): for arbitrary attribute values, the writer's body decodes to the
// same values, with 64-bit integers as decimal strings and ids as hex; and the same span written both ways
// decodes to the same thing. The real collector's view of the writer's output is test/browser/otlp-json.e2e.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectPipeline } from '../src/otlp-direct';
import { type AnyValue, anyValue, attributesOf, MAX_ATTRIBUTES, unixNanos } from '../src/otlp-json';

/** An AnyValue read back as the OTLP JSON mapping defines it. */
function decode(value: AnyValue): unknown {
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('intValue' in value) return BigInt(String(value.intValue));
  if ('doubleValue' in value) return Number(value.doubleValue); // "NaN", "Infinity", "-Infinity" as strings
  if ('arrayValue' in value) return (value.arrayValue?.values ?? []).map(decode);
  return null; // the empty AnyValue
}

const primitive = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.boolean(),
  fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
  fc.double(),
);
const attributeValue = fc.oneof(
  primitive,
  fc.array(fc.string()),
  fc.array(fc.integer()),
  fc.array(fc.double({ noNaN: true })),
  fc.array(fc.boolean()),
);

describe('anyValue', () => {
  it('decodes to the value it was given, for every attribute value', () => {
    fc.assert(
      fc.property(attributeValue, (v) => {
        const encoded = JSON.parse(JSON.stringify(anyValue(v))) as AnyValue;
        // Integers that fit an int64 come back as integers; larger ones are doubles.
        const expected = (x: unknown) =>
          typeof x === 'number' && Number.isInteger(x) && Math.abs(x) < 2 ** 63 ? BigInt(x) : x;
        expect(decode(encoded)).toEqual(Array.isArray(v) ? v.map(expected) : expected(v));
      }),
    );
  });

  it('writes integers as decimal strings (int64), exactly, up to 2^63; doubles as JSON numbers', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n) + 1n, max: 2n ** 63n - 1n }), (n) => {
        const v = Number(n); // the double nearest to n: what a page can hold
        const encoded = anyValue(v) as AnyValue;
        if (Math.abs(v) < 2 ** 63) {
          expect(encoded.intValue).toMatch(/^-?(0|[1-9][0-9]*)$/);
          expect(BigInt(encoded.intValue as string)).toBe(BigInt(v));
        } else expect(encoded).toEqual({ doubleValue: v }); // rounded up to 2^63: no longer an int64
      }),
    );
    expect(anyValue(1.5)).toEqual({ doubleValue: 1.5 });
    expect(anyValue(2 ** 70)).toEqual({ doubleValue: 2 ** 70 });
    expect(anyValue(Number.NaN)).toEqual({ doubleValue: 'NaN' });
    expect(anyValue(-Infinity)).toEqual({ doubleValue: '-Infinity' });
    expect(anyValue({ an: 'object' })).toBeUndefined();
    expect(anyValue(undefined)).toBeUndefined();
  });
});

describe('unixNanos', () => {
  it('is the exact decimal count of nanoseconds of an epoch time in milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 44 }), fc.integer({ min: 0, max: 999_999 }), (ms, ns) => {
        expect(unixNanos(ms)).toBe((BigInt(ms) * 1_000_000n).toString());
        // Sub-millisecond parts (performance.now()-style times) to within the double's precision.
        const t = ms + ns / 1e6;
        expect(Number(BigInt(unixNanos(t)) - BigInt(ms) * 1_000_000n - BigInt(ns))).toBeLessThan(
          Math.max(2, ms * 1e6 * Number.EPSILON * 2),
        );
      }),
    );
  });
});

describe('attributesOf', () => {
  it('keeps the first 128 attributes and counts the rest, as the SDK does', () => {
    const many = Object.fromEntries(Array.from({ length: 140 }, (_, i) => [`k${i}`, i]));
    const { attributes, droppedAttributesCount } = attributesOf(many);
    expect(attributes).toHaveLength(MAX_ATTRIBUTES);
    expect(attributes[0]).toEqual({ key: 'k0', value: { intValue: '0' } });
    expect(droppedAttributesCount).toBe(12);
    expect(attributesOf({ '': 'no key', a: undefined, b: { no: 'object' }, c: 'kept' }).attributes).toEqual([
      { key: 'c', value: { stringValue: 'kept' } },
    ]);
  });
});

// The span core writes (attributes at start, breadcrumb events, the exception event, an ERROR status), once
// through the writer and its delivery to a local sink, once through the SDK and its JSON serializer.
describe('the writer and the SDK serializer', () => {
  const bodies: string[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const resource = { 'service.name': 'shop', 'service.version': '1.4.2', 'telemetry.sdk.name': 'faultline' };
  // Keys as pages write them (never empty, never __proto__); values of every attribute kind, finite ones
  // (the SDK's serializer writes NaN as null, which is not OTLP: the writer's own encoding is checked above).
  const key = fc.string({ minLength: 1, maxLength: 20 }).filter((k) => k !== '__proto__');
  const finite = fc.oneof(
    fc.string(),
    fc.boolean(),
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(fc.string(), { maxLength: 4 }),
    fc.array(fc.integer(), { maxLength: 4 }),
  );
  const attributes = fc.dictionary(key, finite, { maxKeys: 12 });
  const time = fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 });
  const spanInput = fc.record({
    attributes,
    time,
    events: fc.array(fc.record({ name: fc.string({ minLength: 1 }), attributes, time }), { maxLength: 5 }),
    status: fc.string(),
  });

  type Input = typeof spanInput extends fc.Arbitrary<infer T> ? T : never;
  const record = (tracer: { startSpan: (...a: never[]) => unknown }, input: Input) => {
    const span = (tracer.startSpan as (n: string, o: object) => Record<string, (...a: unknown[]) => unknown>)(
      'exception',
      { kind: 0, startTime: input.time, attributes: input.attributes },
    );
    for (const e of input.events) span.addEvent?.(e.name, e.attributes, e.time);
    span.setStatus?.({ code: 2, message: input.status });
    span.end?.(input.time);
  };
  /** What a request says about its one span, decoded: the same shape whoever wrote it. */
  const decoded = (body: string) => {
    const request = JSON.parse(body);
    const [resourceSpans] = request.resourceSpans;
    const [scopeSpans] = resourceSpans.scopeSpans;
    const [span] = scopeSpans.spans;
    const kv = (list: { key: string; value: AnyValue }[]) => list.map(({ key, value }) => [key, decodeLoose(value)]);
    return {
      resource: kv(resourceSpans.resource.attributes),
      scope: scopeSpans.scope.name,
      ids: [/^[0-9a-f]{32}$/.test(span.traceId), /^[0-9a-f]{16}$/.test(span.spanId)],
      name: span.name,
      kind: span.kind,
      times: [String(span.startTimeUnixNano), String(span.endTimeUnixNano)],
      attributes: kv(span.attributes),
      droppedAttributesCount: span.droppedAttributesCount ?? 0,
      events: span.events.map((e: { name: string; timeUnixNano: string; attributes: [] }) => ({
        name: e.name,
        time: String(e.timeUnixNano),
        attributes: kv(e.attributes),
      })),
      status: span.status,
      flags: span.flags,
    };
  };
  /** As decode, with every number compared as a double: the SDK writes integers as JSON numbers (even
   * integral doubles past int64, e.g. 1e100, which are not OTLP), the writer as strings, or as doubles. */
  const decodeLoose = (value: AnyValue): unknown => {
    if ('intValue' in value) return Number(value.intValue);
    if ('arrayValue' in value) return (value.arrayValue?.values ?? []).map(decodeLoose);
    return decode(value);
  };

  it('give the same span for the same calls', async () => {
    const pipeline = createDirectPipeline(url, resource);
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({
      resource: resourceFromAttributes(resource),
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    const sdkTracer = provider.getTracer('@faultline/browser');
    const inputs = fc.sample(spanInput, { numRuns: 150, seed: 15 });
    for (const input of inputs) {
      bodies.length = 0;
      record(pipeline.tracer as never, input);
      await pipeline.flush();
      expect(bodies).toHaveLength(1);
      exporter.reset();
      record(sdkTracer as never, input);
      await new Promise((r) => setTimeout(r, 0));
      const sdkBody = new TextDecoder().decode(JsonTraceSerializer.serializeRequest(exporter.getFinishedSpans()));
      const ours = decoded(bodies[0] as string);
      expect(ours.ids).toEqual([true, true]);
      expect(ours).toEqual(decoded(sdkBody));
    }
  });
});
