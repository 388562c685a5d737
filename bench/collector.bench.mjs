// Exception spans per second through the full pipeline (collector: memory_limiter, OTTL + redaction
// processor, routing connector, batch, persistent queue → Jaeger), and the latency from receive to queryable
// in Jaeger. The load generator is this script: real faultline exception spans (core's reporter on the
// OpenTelemetry SDK), protobuf-encoded by @opentelemetry/otlp-transformer as the OTLP exporter would, posted
// by several concurrent clients. Loss is checked by counting every trace in Jaeger.
// Run: node bench/collector.bench.mjs [totalSpans=60000]. Results: BENCHMARKS.md.
import { cpus } from 'node:os';
import { createScrubber, fingerprint, normalizeError, recordExceptionSpan } from '@faultline/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startStack } from '../collector-config/stack.mjs';

const TOTAL = Number(process.argv[2] ?? 60_000);
const BATCH = 500; // spans per request: what the SDK's BatchSpanProcessor sends at most by default
const CONCURRENCY = 4;
const SERVICES = 20; // spread over services so Jaeger can be queried per service
const PORTS = {
  otlpGrpc: 44317,
  otlpHttp: 44318,
  otlpTenantsHttp: 44319,
  collectorHealth: 43133,
  jaegerOtlpGrpc: 54317,
  jaegerOtlpHttp: 54318,
  jaegerHealth: 54133,
  jaegerQuery: 56686,
  jaegerQueryGrpc: 56685,
};

/**
 * Encodes `count` distinct exception spans (each its own trace) for one service into OTLP protobuf.
 * Returns the body and the last trace id, which the benchmark watches for in Jaeger.
 */
function encodeBatch(service, count, seq) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      // As the agents send it (the collector trusts their in-process scrubbing for its five costliest
      // rules); FAULTLINE_BENCH_FOREIGN=1 measures spans from any other SDK, which get every rule.
      ...(process.env.FAULTLINE_BENCH_FOREIGN ? {} : { 'telemetry.sdk.name': 'faultline' }),
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

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
  if (res.status !== 200) throw new Error(`collector answered ${res.status}: ${await res.text()}`);
}

async function countInJaeger(queryUrl, service) {
  const res = await fetch(`${queryUrl}/api/traces?service=${service}&limit=100000&lookback=1h`);
  return ((await res.json()).data ?? []).length;
}

// FAULTLINE_COLLECTOR_CONFIG: measure another configuration (e.g. a variant of faultline.yaml).
const stack = await startStack({ ports: PORTS, config: process.env.FAULTLINE_COLLECTOR_CONFIG });
try {
  console.log(`Node ${process.version}, ${cpus().length} CPUs; collector ${stack.binaries.collector}`);
  const batches = [];
  const perService = new Map();
  for (let n = 0, seq = 0; n < TOTAL; n += BATCH, seq++) {
    const service = `bench-${seq % SERVICES}`;
    const count = Math.min(BATCH, TOTAL - n);
    perService.set(service, (perService.get(service) ?? 0) + count);
    batches.push(encodeBatch(service, count, seq));
  }
  console.log(`encoded ${TOTAL} exception spans in ${batches.length} requests of ${BATCH}`);

  // Throughput: from the first request to the moment the last trace of every batch is queryable in
  // Jaeger (cheap lookups by id, so the measuring does not load the machine); then, untimed, every trace
  // is counted to prove there was no loss.
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) await post(stack.urls.otlpTraces, batches[next++].body);
    }),
  );
  const accepted = performance.now() - start;
  const pending = new Set(batches.map((b) => b.lastTraceId));
  while (pending.size > 0 && performance.now() - start < 120_000) {
    for (const id of [...pending])
      if ((await fetch(`${stack.urls.jaegerQuery}/api/traces/${id}`)).ok) pending.delete(id);
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 20));
  }
  const all = performance.now() - start;
  await new Promise((r) => setTimeout(r, 1000));
  let stored = 0;
  for (const service of perService.keys()) stored += await countInJaeger(stack.urls.jaegerQuery, service);
  console.log(
    `accepted by the collector: ${(TOTAL / (accepted / 1000)).toFixed(0)} spans/s (${accepted.toFixed(0)} ms)`,
  );
  console.log(
    `queryable in Jaeger: ${(TOTAL / (all / 1000)).toFixed(0)} exception spans/s end to end (${all.toFixed(0)} ms)`,
  );
  console.log(`stored in Jaeger: ${stored}/${TOTAL} (${stored === TOTAL ? 'no loss' : `${TOTAL - stored} LOST`})`);

  // Latency: one exception span at a time, from the POST to the moment Jaeger's API returns it.
  const latencies = [];
  for (let i = 0; i < 20; i++) {
    const { body } = encodeBatch('bench-latency', 1, 1_000_000 + i);
    const before = await countInJaeger(stack.urls.jaegerQuery, 'bench-latency');
    const t0 = performance.now();
    await post(stack.urls.otlpTraces, body);
    while ((await countInJaeger(stack.urls.jaegerQuery, 'bench-latency')) <= before)
      await new Promise((r) => setTimeout(r, 10));
    latencies.push(performance.now() - t0);
  }
  latencies.sort((a, b) => a - b);
  console.log(
    `receive → queryable in Jaeger: median ${latencies[10].toFixed(0)} ms, max ${latencies.at(-1).toFixed(0)} ms (20 single spans)`,
  );
} finally {
  await stack.stop();
}
