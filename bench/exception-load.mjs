// The load both collector benchmarks send (collector.bench.mjs, scale.bench.mjs): real faultline exception
// spans (core's reporter on the OpenTelemetry SDK), protobuf-encoded by @opentelemetry/otlp-transformer as
// the OTLP exporter would, from a resource that does not say it is faultline; and the count Jaeger holds.
import { createScrubber, fingerprint, normalizeError, recordExceptionSpan } from '@faultline/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';

/**
 * Encodes `count` distinct exception spans (each its own trace) for one service into OTLP protobuf.
 * Returns the body and the last trace id, which the benchmark watches for in Jaeger.
 */
export function encodeBatch(service, count, seq) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      // Any SDK: the collector applies every rule whatever the resource says.
      'telemetry.sdk.name': 'opentelemetry',
      'service.name': service,
      'deployment.environment.name': seq % 2 ? 'production' : 'staging',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('bench');
  const scrubber = createScrubber();
  for (let i = 0; i < count; i++) {
    // The core path minus the rate limiter (which would rightly collapse a generated storm).
    const err = new TypeError(`order ${seq}-${i} failed for ann@example.com (card 4111 1111 1111 1111)`);
    const record = scrubber.record(normalizeError(err));
    recordExceptionSpan(tracer, {
      record,
      fingerprint: fingerprint(record),
      mechanism: 'bench',
      handled: false,
      withheld: { duplicates: 0, dropped: 0 },
      attributes: { 'url.full': `https://shop.example/checkout?token=t${i}&step=2` },
      time: Date.now(),
    });
  }
  const spans = exporter.getFinishedSpans();
  return { body: ProtobufTraceSerializer.serializeRequest(spans), lastTraceId: spans.at(-1).spanContext().traceId };
}

/** Refusals the collector answered with 503 or 429 (its memory limiter), retried as an OTLP exporter
 * retries them; the benchmarks print the count. */
export const refusals = { count: 0 };

export async function post(url, body) {
  for (let attempt = 1; ; attempt++) {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    if (res.status === 200) return;
    const text = await res.text();
    if ((res.status !== 503 && res.status !== 429) || attempt === 20)
      throw new Error(`collector answered ${res.status}: ${text}`);
    refusals.count++;
    await new Promise((r) => setTimeout(r, Math.min(50 * attempt, 1000)));
  }
}

export async function countInJaeger(queryUrl, service) {
  // Jaeger 2.13 ignores `lookback`: the window is given as `start`, in microseconds.
  const start = (Date.now() - 3_600_000) * 1000;
  const res = await fetch(`${queryUrl}/api/traces?service=${service}&limit=100000&start=${start}`);
  return ((await res.json()).data ?? []).length;
}
