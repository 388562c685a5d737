// Exceptions from SDKs that are not faultline's (issue 12): a Python service on OpenTelemetry's own Python
// SDK (from PyPI, scripts/python-otel.sh) and the OpenTelemetry JS SDK's recordException on an HTTP span
// get faultline.exception and a fingerprint computed the way core computes one, so that the view and the
// metrics treat them like faultline's own; the same error from another request groups with the first.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { eventOf, tagsOf, waitForTrace } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;
const exec = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

let python: string;
/** Runs the Python example once; returns the trace id it sent. */
const pythonRequest = async (service: string, orderId: string, kind = 'price') => {
  const { stdout } = await exec(python, [`${root}examples/python-service/app.py`, service, orderId, kind], {
    env: { ...process.env, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: stack.urls.otlpTraces },
  });
  return stdout.trim();
};

beforeAll(async () => {
  python = (await exec('bash', [`${root}scripts/python-otel.sh`], { timeout: 110_000 })).stdout.trim();
}, 120_000);

describe("exceptions from other SDKs get faultline's grouping", () => {
  it("a Python service's recorded exception is marked and fingerprinted; the same bug groups, another does not", async () => {
    const service = `billing-py-${run}`;
    const [first, again, other] = [
      await pythonRequest(service, '1234'),
      await pythonRequest(service, '98'),
      await pythonRequest(service, '7', 'missing'),
    ];
    const stored = await Promise.all([first, again, other].map((id) => waitForTrace(stack.urls.jaegerQuery, id)));
    const [a, b, c] = stored.map((trace) => ({ tags: tagsOf(trace), event: eventOf(trace.spans[0]) }));
    for (const s of [a, b, c]) {
      expect(s.tags['resource.telemetry.sdk.language']).toBe('python');
      expect(s.tags['faultline.exception']).toBe(true);
      expect(s.tags['faultline.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
      expect(s.event?.['faultline.fingerprint']).toBe(s.tags['faultline.fingerprint']);
      // The stack itself is the SDK's, untouched.
      expect(s.event?.['exception.stacktrace']).toMatch(/^Traceback \(most recent call last\):\n {2}File ".*app\.py"/);
    }
    expect(a.event?.['exception.message']).toBe('order 1234 has no price');
    expect(b.event?.['exception.message']).toBe('order 98 has no price');
    expect(a.tags['faultline.fingerprint']).toBe(b.tags['faultline.fingerprint']);
    expect(c.event?.['exception.type']).toBe('KeyError');
    expect(c.tags['faultline.fingerprint']).not.toBe(a.tags['faultline.fingerprint']);
  });

  it("the OpenTelemetry JS SDK's recordException on an HTTP span is marked and fingerprinted", async () => {
    const service = `catalog-js-${run}`;
    const provider = new BasicTracerProvider({
      // What NodeSDK declares: telemetry.sdk.* from the default resource, then the service.
      resource: defaultResource().merge(resourceFromAttributes({ 'service.name': service })),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: stack.urls.otlpTraces }))],
    });
    const tracer = provider.getTracer('catalog');
    const ids: string[] = [];
    for (const id of [17, 4242]) {
      const span = tracer.startSpan('GET /items/:id');
      span.recordException(new TypeError(`item ${id} has no price`));
      span.end();
      ids.push(span.spanContext().traceId);
    }
    await provider.forceFlush();
    await provider.shutdown();
    const [a, b] = (await Promise.all(ids.map((id) => waitForTrace(stack.urls.jaegerQuery, id)))).map((t) => tagsOf(t));
    expect(a?.['resource.telemetry.sdk.language']).toBe('nodejs');
    expect(a?.['faultline.exception']).toBe(true);
    expect(a?.['faultline.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
    expect(a?.['faultline.fingerprint']).toBe(b?.['faultline.fingerprint']);
  });
});
