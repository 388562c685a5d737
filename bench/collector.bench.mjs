// Exception spans per second through the full pipeline (collector: memory_limiter, the faultline processor
// with every redaction rule on every span, routing connector, batch, persistent queue → Jaeger), and the
// latency from receive to queryable in Jaeger; side by side, in the same run, with the same pipeline where
// the upstream `redaction` processor runs the same rules (every pattern of redaction-rules.json as
// blocked_values, the same deny list and protected keys): rounds alternate between the two, and the result
// is their ratio. The load generator is this script: real faultline exception spans (core's reporter on the
// OpenTelemetry SDK), protobuf-encoded by @opentelemetry/otlp-transformer as the OTLP exporter would, posted
// by several concurrent clients, from a resource that does not say it is faultline (nothing depends on it).
// Loss is checked by counting every trace in Jaeger.
//
// The browser-stack run (issue 12): the same pipeline with symbolication on (FAULTLINE_SOURCEMAP_STORE), spans
// from a browser SDK whose 8-frame V8 stacks point into a real 94 KB minified bundle with a 645 KB map
// (sourcemap-fixture.mjs), uploaded with `faultline sourcemaps upload` under 50 releases: throughput with the
// maps warm, next to the same spans with symbolication off; the first span of a new map against a warm one;
// the collector's memory with 50 maps loaded.
// Run: node bench/collector.bench.mjs [totalSpans=60000] [rounds=2] [runs=redaction,browser]. Results:
// BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint, normalizeError, recordExceptionSpan } from '@faultline/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { buildBinaries, startStack } from '../collector-config/stack.mjs';
import { countInJaeger, encodeBatch, post, refusals } from './exception-load.mjs';
import { median } from './median.mjs';
import { buildFixture, mappedPositions, v8Stacks } from './sourcemap-fixture.mjs';

const TOTAL = Number(process.argv[2] ?? 60_000);
const ROUNDS = Number(process.argv[3] ?? 2);
const RUNS = (process.argv[4] ?? 'redaction,browser').split(',');
// --profile: a CPU profile of the collector during the first symbolicated round (pprof extension), to
// /tmp/faultline-collector.pprof (read it with `go tool pprof -top <binary> <file>`).
const PROFILE = process.argv.includes('--profile');
const PPROF_PORT = 41777;
// A variant beside the shipped collector, in the same run: the browser run adds a maps-warm round per round
// with the collector started with FAULTLINE_BENCH_COLLECTOR_ENV ('GOGC=200 ...') and/or the config file
// FAULTLINE_BENCH_COLLECTOR_CONFIG in place of faultline.yaml.
const VARIANT_CONFIG = process.env.FAULTLINE_BENCH_COLLECTOR_CONFIG || undefined;
const VARIANT_ENV_TEXT = process.env.FAULTLINE_BENCH_COLLECTOR_ENV?.trim();
const VARIANT_ENV = VARIANT_ENV_TEXT
  ? Object.fromEntries(VARIANT_ENV_TEXT.split(/\s+/).map((pair) => pair.split(/=(.*)/s).slice(0, 2)))
  : undefined;
const VARIANT_LABEL = [VARIANT_ENV_TEXT, VARIANT_CONFIG].filter(Boolean).join(', ');
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
 * faultline.yaml with the faultline processor replaced by the upstream redaction processor running the
 * same rules: every pattern as a blocked value (masked whole: it has no labelled replacements, group
 * references or checks), the deny list as a key pattern, the protected keys ignored.
 */
function upstreamRedactionConfig() {
  const here = new URL('../collector-config/', import.meta.url);
  const rules = JSON.parse(readFileSync(new URL('faultlineprocessor/redaction-rules.json', here), 'utf8'));
  const yaml = readFileSync(new URL('faultline.yaml', here), 'utf8');
  const q = (v) => JSON.stringify(v).replaceAll('$', '$$$$'); // `$$` is a literal `$` in collector configs
  const keys = rules.denyKeys.keys.map((k) => k.replace(/[-.]/g, '\\$&')).join('|');
  const processor = [
    '  redaction/rules:',
    '    allow_all_keys: true',
    '    summary: silent',
    `    ignored_keys: ${q(rules.protectedKeys.keys)}`,
    `    blocked_key_patterns: [${q(`(?i)^(.*[._-])?(${keys})$`)}]`,
    '    blocked_values:',
    ...rules.rules.map((r) => `      - ${q((r.ignoreCase ? '(?i)' : '') + r.pattern)}`),
    '',
  ].join('\n');
  const out = yaml
    .replace(/^ {2}faultline:\n(?: {4}.*\n)*/m, `${processor}\n`)
    .replaceAll(
      'attributes/tenant, transform/tenant, faultline,',
      'attributes/tenant, transform/tenant, redaction/rules,',
    )
    .replaceAll('[memory_limiter, faultline, batch]', '[memory_limiter, redaction/rules, batch]');
  if (out.includes(' faultline,') || !out.includes('redaction/rules, batch]'))
    throw new Error('faultline.yaml changed shape');
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'upstream-redaction.yaml');
  writeFileSync(file, out);
  return file;
}

/** faultline.yaml without any redaction: the pipeline's own ceiling on this machine at this moment. */
function noRedactionConfig() {
  const yaml = readFileSync(new URL('../collector-config/faultline.yaml', import.meta.url), 'utf8');
  const out = yaml
    .replaceAll('attributes/tenant, transform/tenant, faultline,', 'attributes/tenant, transform/tenant,')
    .replaceAll('[memory_limiter, faultline, batch]', '[memory_limiter, batch]');
  if (out.includes(' faultline,') || out.includes(' faultline]')) throw new Error('faultline.yaml changed shape');
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'no-redaction.yaml');
  writeFileSync(file, out);
  return file;
}

console.log(`Node ${process.version}, ${cpus().length} CPUs`);
const batches = [];
const perService = new Map();
for (let n = 0, seq = 0; (RUNS.includes('redaction') || RUNS.includes('metrics')) && n < TOTAL; n += BATCH, seq++) {
  const service = `bench-${seq % SERVICES}`;
  const count = Math.min(BATCH, TOTAL - n);
  perService.set(service, (perService.get(service) ?? 0) + count);
  batches.push(encodeBatch(service, count, seq));
}
if (batches.length) console.log(`encoded ${TOTAL} exception spans in ${batches.length} requests of ${BATCH}`);

/** One round: a fresh collector (with `config`, or the `collector` binary) and Jaeger, every batch of `load`
 * sent, figures returned. `warm(stack)` runs first, untimed. */
async function measure(
  label,
  config,
  load = { batches, perService, total: TOTAL },
  warm = async () => {},
  collector,
  collectorEnv,
) {
  const { batches, perService } = load;
  const TOTAL = load.total;
  const binaries = collector ? { ...(await buildBinaries({ log: () => {} })), collector } : undefined;
  // Jaeger in memory, as in every earlier run of this benchmark: it measures the collector, not the store.
  // Room for every trace of the round (the memory store's default keeps 200,000 and drops the oldest,
  // which a longer run would count as loss), plus the warm-up and latency spans.
  process.env.FAULTLINE_JAEGER_MAX_TRACES = String(Math.max(200_000, TOTAL + 10_000));
  const stack = await startStack({ ports: PORTS, config, binaries, collectorEnv, jaeger: { storage: 'memory' } });
  try {
    await warm(stack);
    // Throughput: from the first request to the moment the last trace of every batch is queryable in
    // Jaeger (cheap lookups by id, so the measuring does not load the machine); then, untimed, every trace
    // is counted to prove there was no loss.
    refusals.count = 0;
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
    stored -= load.extra ?? 0; // spans sent by warm() to the same services
    const perSecond = TOTAL / (all / 1000);
    console.log(`[${label}] accepted by the collector: ${(TOTAL / (accepted / 1000)).toFixed(0)} spans/s`);
    console.log(
      `[${label}] queryable in Jaeger: ${perSecond.toFixed(0)} exception spans/s end to end (${all.toFixed(0)} ms)`,
    );
    console.log(
      `[${label}] stored in Jaeger: ${stored}/${TOTAL} (${stored === TOTAL ? 'no loss' : `${TOTAL - stored} LOST`}); requests refused by the memory limiter and retried: ${refusals.count}`,
    );

    // Latency: one exception span at a time, from the POST to the moment Jaeger's API returns it.
    const latencies = [];
    for (let i = 0; i < 20; i++) {
      const { body } = (load.single ?? encodeBatch)('bench-latency', 1, 1_000_000 + i);
      const before = await countInJaeger(stack.urls.jaegerQuery, 'bench-latency');
      const t0 = performance.now();
      await post(stack.urls.otlpTraces, body);
      while ((await countInJaeger(stack.urls.jaegerQuery, 'bench-latency')) <= before)
        await new Promise((r) => setTimeout(r, 10));
      latencies.push(performance.now() - t0);
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `[${label}] receive → queryable in Jaeger: median ${latencies[10].toFixed(0)} ms, max ${latencies.at(-1).toFixed(0)} ms (20 single spans)`,
    );
    await load.verify?.(stack, label);
    return { perSecond, stored, median: latencies[10] };
  } catch (err) {
    // A component that died says why in its log.
    console.error(
      `[${label}] ${err.message}\njaeger: ${stack.jaeger.logs().slice(-3000)}\ncollector: ${stack.collector.logs().slice(-3000)}`,
    );
    throw err;
  } finally {
    await stack.stop();
  }
}

if (RUNS.includes('redaction')) {
  // FAULTLINE_COLLECTOR_CONFIG: measure another configuration in place of faultline.yaml.
  const ours = process.env.FAULTLINE_COLLECTOR_CONFIG;
  const upstream = upstreamRedactionConfig();
  const none = noRedactionConfig();
  const results = { faultline: [], upstream: [], none: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    results.faultline.push(await measure(`faultline processor, round ${round}`, ours));
    results.upstream.push(await measure(`upstream redaction processor, round ${round}`, upstream));
    results.none.push(await measure(`no redaction (ceiling), round ${round}`, none));
  }
  const f = median(results.faultline.map((r) => r.perSecond));
  const u = median(results.upstream.map((r) => r.perSecond));
  const n = median(results.none.map((r) => r.perSecond));
  console.log(
    `\nevery rule on every span, exception spans/s end to end (medians): faultline processor ${f.toFixed(0)}, upstream redaction processor on the same rules ${u.toFixed(0)} (faultline ${(f / u).toFixed(2)}x), the same pipeline with no redaction ${n.toFixed(0)} (faultline at ${((100 * f) / n).toFixed(0)}% of it)`,
  );
}

/** `config` (faultline.yaml if none) with Go's profiler served on PPROF_PORT. */
function profiledConfig(config) {
  const yaml = readFileSync(config ?? new URL('../collector-config/faultline.yaml', import.meta.url), 'utf8');
  const out = yaml
    .replace(/^extensions:\n/m, `extensions:\n  pprof:\n    endpoint: 127.0.0.1:${PPROF_PORT}\n`)
    .replace('  extensions: [health_check,', '  extensions: [pprof, health_check,');
  if (!out.includes('[pprof,')) throw new Error('faultline.yaml changed shape');
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'profiled.yaml');
  writeFileSync(file, out);
  return file;
}

/** Starts a `seconds` CPU profile of the collector now; resolves once it is written to `file`. */
function profileCollector(seconds, file) {
  return fetch(`http://127.0.0.1:${PPROF_PORT}/debug/pprof/profile?seconds=${seconds}`)
    .then(async (res) => writeFileSync(file, Buffer.from(await res.arrayBuffer())))
    .then(() => console.log(`collector CPU profile: ${file}`));
}

/** faultline.yaml without the metrics pipeline (issue 13): exception spans go to Jaeger only, uncounted. */
function noMetricsConfig() {
  const yaml = readFileSync(new URL('../collector-config/faultline.yaml', import.meta.url), 'utf8');
  const out = yaml
    .replace('exporters: [routing, spanmetrics/exceptions, spanmetrics/fingerprints]', 'exporters: [routing]')
    .replace(/ {4}metrics\/exceptions:\n(?: {6}.*\n)+/, '');
  if (out.includes('spanmetrics/fingerprints]') || out.includes('    metrics/exceptions:'))
    throw new Error('faultline.yaml changed shape');
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'no-metrics.yaml');
  writeFileSync(file, out);
  return file;
}

/** noMetricsConfig without transform/classify either: the pipeline as it was before issue 13. */
function beforeIssue13Config() {
  const yaml = readFileSync(noMetricsConfig(), 'utf8');
  const out = yaml.replace('faultline, transform/classify]', 'faultline]');
  if (out.includes('transform/classify]')) throw new Error('faultline.yaml changed shape');
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'before-issue-13.yaml');
  writeFileSync(file, out);
  return file;
}

if (RUNS.includes('metrics')) {
  const configs = [
    ['as shipped (classification + metrics)', undefined],
    ['without the metrics pipeline', noMetricsConfig()],
    ['without classification or metrics (before issue 13)', beforeIssue13Config()],
  ];
  const results = configs.map(() => []);
  for (let round = 1; round <= ROUNDS; round++)
    for (const [i, [label, config]] of configs.entries())
      results[i].push((await measure(`${label}, round ${round}`, config)).perSecond);
  const base = median(results[2]);
  console.log('\nexception spans/s end to end, medians of the rounds:');
  for (const [i, [label]] of configs.entries())
    console.log(
      `  ${label}: ${median(results[i]).toFixed(0)} (${((100 * median(results[i])) / base).toFixed(0)}% of the last)  rounds: ${results[i].map((r) => r.toFixed(0)).join(', ')}`,
    );
}

/** The collector process's resident memory, in MiB (Linux). */
function rssMiB(stack) {
  const status = readFileSync(`/proc/${stack.collector.child.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

if (RUNS.includes('browser')) {
  const RELEASES = 50;
  const fixtureDir = mkdtempSync(join(tmpdir(), 'faultline-bench-bundle-'));
  const { file, mapBytes } = await buildFixture(fixtureDir);
  const url = `https://shop.example/assets/${file}`;
  const stacks = v8Stacks(url, mappedPositions(readFileSync(join(fixtureDir, `${file}.map`), 'utf8')), 20);
  const store = mkdtempSync(join(tmpdir(), 'faultline-bench-store-'));
  // 50 maps in all: release 1.0.r belongs to one service, so the load touches 50 (service, release) pairs.
  const releaseService = (r) => `shop-web-${(r - 1) % SERVICES}`;
  const cli = new URL('../packages/cli/bin/faultline.mjs', import.meta.url).pathname;
  const uploadStart = performance.now();
  execFileSync(
    process.execPath,
    [
      cli,
      'sourcemaps',
      'upload',
      '--service',
      'shop-web-0',
      '--release',
      '1.0.1',
      '--url-prefix',
      'https://shop.example/assets/',
      fixtureDir,
    ],
    { env: { ...process.env, FAULTLINE_SOURCEMAP_STORE: store }, stdio: 'ignore' },
  );
  const uploadMs = performance.now() - uploadStart;
  // Every other (service, release) gets a copy of what the CLI wrote: the store is keyed by both, and a copy
  // is what another upload of the same build would write.
  for (let r = 2; r <= RELEASES; r++)
    cpSync(join(store, 'v1', 'shop-web-0', '1.0.1'), join(store, 'v1', releaseService(r), `1.0.${r}`), {
      recursive: true,
    });
  console.log(
    `\nbrowser stacks: ${file} (${(readFileSync(join(fixtureDir, file)).length / 1024).toFixed(0)} KB) with a ${(mapBytes / 1024).toFixed(0)} KB map, uploaded in ${uploadMs.toFixed(0)} ms (CLI, index included), under ${RELEASES} releases`,
  );

  /** Browser exception spans (faultline's agent's shape, telemetry.sdk.language webjs) of one release. */
  const encodeBrowser = (release) => (service, count, seq) => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({
        'telemetry.sdk.name': 'faultline',
        'telemetry.sdk.language': 'webjs',
        'service.name': service,
        'service.version': release,
        // What Honeycomb's processor finds its maps by (faultline's finds them by service and release).
        'app.debug.source_map_uuid': release,
      }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('bench');
    for (let i = 0; i < count; i++) {
      const err = new TypeError(`Cannot read properties of undefined (reading 'item${(seq + i) % 7}')`);
      err.stack = `TypeError: ${err.message}\n${stacks[(seq * 31 + i) % stacks.length]}`;
      const record = normalizeError(err);
      recordExceptionSpan(tracer, {
        record,
        fingerprint: fingerprint(record),
        mechanism: 'onerror',
        handled: false,
        withheld: { duplicates: 0, dropped: 0 },
        attributes: { 'url.full': `https://shop.example/cart?step=${i % 3}` },
        time: Date.now(),
      });
    }
    const spans = exporter.getFinishedSpans();
    return { body: ProtobufTraceSerializer.serializeRequest(spans), lastTraceId: spans.at(-1).spanContext().traceId };
  };
  const load = { batches: [], perService: new Map(), total: TOTAL, single: encodeBrowser('1.0.1') };
  // (single: the latency spans, of service bench-latency, whose release has no map there: no_map.)
  // What the collector did to the spans: the last one of every batch, as Jaeger stored it.
  load.verify = async (stack, label) => {
    const statuses = {};
    for (const { lastTraceId } of load.batches) {
      const trace = (await (await fetch(`${stack.urls.jaegerQuery}/api/traces/${lastTraceId}`)).json()).data[0];
      const event = trace.spans[0].logs.find((l) => l.fields.some((f) => f.key === 'event' && f.value === 'exception'));
      const failed = event?.fields.find((f) => f.key === 'exception.symbolicator.failed')?.value;
      const tag =
        trace.spans[0].tags.find((t) => t.key === 'faultline.symbolication')?.value ??
        (failed === undefined ? 'off' : failed ? 'honeycomb failed' : 'honeycomb mapped');
      statuses[tag] = (statuses[tag] ?? 0) + 1;
    }
    console.log(`[${label}] faultline.symbolication of the last span of each batch: ${JSON.stringify(statuses)}`);
  };
  for (let n = 0, seq = 0; n < TOTAL; n += BATCH, seq++) {
    const release = 1 + (seq % RELEASES);
    const service = releaseService(release);
    const count = Math.min(BATCH, TOTAL - n);
    load.perService.set(service, (load.perService.get(service) ?? 0) + count);
    load.batches.push(encodeBrowser(`1.0.${release}`)(service, count, seq));
  }
  const send = (stack, body) => post(stack.urls.otlpTraces, body);
  const queryable = async (stack, body, traceId) => {
    const t0 = performance.now();
    await send(stack, body);
    while (!(await fetch(`${stack.urls.jaegerQuery}/api/traces/${traceId}`)).ok)
      await new Promise((r) => setTimeout(r, 5));
    return performance.now() - t0;
  };
  const cold = [];
  const warm = [];
  const memory = {};
  const warmUp = async (stack) => {
    load.extra = 2 * 20 + RELEASES;
    memory.start = rssMiB(stack);
    // First span of a new map (one service, 20 releases never seen) against the same span once it is warm.
    for (let r = 1; r <= 20; r++) {
      const one = encodeBrowser(`1.0.${r}`)(releaseService(r), 1, 5_000_000 + r);
      cold.push(await queryable(stack, one.body, one.lastTraceId));
      const again = encodeBrowser(`1.0.${r}`)(releaseService(r), 1, 6_000_000 + r);
      warm.push(await queryable(stack, again.body, again.lastTraceId));
    }
    // Every release's map loaded.
    for (let r = 1; r <= RELEASES; r++)
      await send(stack, encodeBrowser(`1.0.${r}`)(releaseService(r), 1, 7_000_000 + r).body);
    await new Promise((r) => setTimeout(r, 1500));
    memory.loaded = rssMiB(stack);
  };
  const rounds = [];
  const off = [];
  const peer = [];
  const gzipped = [];
  const variant = [];
  const symbolicationOff = noSymbolicationConfig();
  const warmEvery = (extra) => async (stack) => {
    load.extra = extra;
    for (let r = 1; r <= RELEASES; r++)
      await send(stack, encodeBrowser(`1.0.${r}`)(releaseService(r), 1, 8_000_000 + r).body);
  };
  // The peer: Honeycomb's sourcemapprocessor v1.0.4 in the same pipeline (faultline's symbolication off), on
  // the same spans, its maps laid out as its file store reads them (<uuid>/<bundle> and the map beside it,
  // the uuid from the resource's app.debug.source_map_uuid). Built for the benchmark only, when it builds.
  let honeycomb;
  if (process.env.FAULTLINE_BENCH_PEERS === '0')
    console.log("Honeycomb's sourcemapprocessor: not measured (FAULTLINE_BENCH_PEERS=0)");
  else
    try {
      honeycomb = execFileSync('bash', [new URL('honeycomb-collector.sh', import.meta.url).pathname], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      }).trim();
    } catch (err) {
      console.log(`Honeycomb's sourcemapprocessor: not measured (${err.message.split('\n')[0]})`);
    }
  const peerConfig = honeycomb && honeycombConfig(fixtureDir, file, RELEASES);
  for (let round = 1; round <= ROUNDS; round++) {
    process.env.FAULTLINE_SOURCEMAP_STORE = store;
    let profiled;
    const warmThenProfile = (warm) => async (stack) => {
      await warm(stack);
      if (PROFILE && round === 1) profiled = profileCollector(4, '/tmp/faultline-collector.pprof');
    };
    rounds.push(
      await measure(
        `browser stacks, maps warm, round ${round}`,
        PROFILE && round === 1 ? profiledConfig() : undefined,
        load,
        warmThenProfile(round === 1 ? warmUp : warmEvery(RELEASES)),
      ),
    );
    await profiled;
    if (RUNS.includes('gzip')) {
      // The same, with the export to Jaeger gzipped (the OTLP exporter's default, faultline.yaml's before).
      process.env.FAULTLINE_JAEGER_COMPRESSION = 'gzip';
      gzipped.push(
        await measure(
          `browser stacks, maps warm, gzip to Jaeger, round ${round}`,
          undefined,
          load,
          warmEvery(RELEASES),
        ),
      );
      delete process.env.FAULTLINE_JAEGER_COMPRESSION;
    }
    if (VARIANT_LABEL)
      variant.push(
        await measure(
          `browser stacks, maps warm, collector with ${VARIANT_LABEL}, round ${round}`,
          VARIANT_CONFIG,
          load,
          warmEvery(RELEASES),
          undefined,
          VARIANT_ENV,
        ),
      );
    delete process.env.FAULTLINE_SOURCEMAP_STORE;
    load.extra = 0;
    off.push(await measure(`browser stacks, symbolication off, round ${round}`, symbolicationOff, load));
    if (honeycomb)
      peer.push(
        await measure(
          `browser stacks, Honeycomb sourcemapprocessor, round ${round}`,
          peerConfig,
          load,
          warmEvery(RELEASES),
          honeycomb,
        ),
      );
  }
  const on = median(rounds.map((r) => r.perSecond));
  const without = median(off.map((r) => r.perSecond));
  console.log(
    `\nbrowser stacks, exception spans/s end to end (medians): symbolicated with maps warm ${on.toFixed(0)}, the same spans with symbolication off ${without.toFixed(0)} (${((100 * on) / without).toFixed(0)}%)`,
  );
  if (gzipped.length > 0) {
    const gz = median(gzipped.map((r) => r.perSecond));
    console.log(`the same, symbolicated, gzip to Jaeger: ${gz.toFixed(0)} (uncompressed ${(on / gz).toFixed(2)}x)`);
  }
  if (variant.length > 0) {
    const v = median(variant.map((r) => r.perSecond));
    console.log(`the same, symbolicated, collector with ${VARIANT_LABEL}: ${v.toFixed(0)} (${(v / on).toFixed(2)}x)`);
  }
  if (peer.length > 0) {
    const hc = median(peer.map((r) => r.perSecond));
    console.log(
      `Honeycomb sourcemapprocessor v1.0.4 on the same spans: ${hc.toFixed(0)} (faultline ${(on / hc).toFixed(2)}x)`,
    );
  }
  console.log(
    `first span of a new map: median ${median(cold).toFixed(0)} ms receive → queryable, against ${median(warm).toFixed(0)} ms for the next span of the same map (${(median(cold) - median(warm)).toFixed(0)} ms more; 20 maps)`,
  );
  console.log(
    `collector memory (RSS): ${memory.start.toFixed(0)} MiB at start, ${memory.loaded.toFixed(0)} MiB with ${RELEASES} maps of ${(mapBytes / 1024).toFixed(0)} KB loaded (+${(memory.loaded - memory.start).toFixed(0)} MiB)`,
  );
}

/** faultline.yaml with symbolication off (no store): the same spans' ceiling in the same pipeline. */
function noSymbolicationConfig() {
  const yaml = readFileSync(new URL('../collector-config/faultline.yaml', import.meta.url), 'utf8');
  const out = yaml.replace(/ {6}store: \$\{env:FAULTLINE_SOURCEMAP_STORE:-\}\n/, '      store: ""\n');
  if (out === yaml) throw new Error('faultline.yaml changed shape');
  const file = join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'no-symbolication.yaml');
  writeFileSync(file, out);
  return file;
}

/**
 * faultline.yaml with faultline's symbolication off and Honeycomb's sourcemapprocessor before the faultline
 * processor, reading a store laid out as it expects: <uuid>/<bundle> with its map beside it.
 */
function honeycombConfig(fixtureDir, file, releases) {
  const store = mkdtempSync(join(tmpdir(), 'faultline-bench-honeycomb-'));
  for (let r = 1; r <= releases; r++) {
    mkdirSync(join(store, `1.0.${r}`));
    for (const f of [file, `${file}.map`]) cpSync(join(fixtureDir, f), join(store, `1.0.${r}`, f));
  }
  const yaml = readFileSync(noSymbolicationConfig(), 'utf8');
  const out = yaml
    .replace(
      /^ {2}faultline:\n/m,
      `  source_map_symbolicator:\n    source_map_store: file_store\n    local_source_maps:\n      path: ${store}\n  faultline:\n`,
    )
    .replaceAll(
      'attributes/tenant, transform/tenant, faultline,',
      'attributes/tenant, transform/tenant, source_map_symbolicator, faultline,',
    );
  if (!out.includes('source_map_symbolicator, faultline,')) throw new Error('faultline.yaml changed shape');
  const path = join(mkdtempSync(join(tmpdir(), 'faultline-bench-')), 'honeycomb.yaml');
  writeFileSync(path, out);
  return path;
}
