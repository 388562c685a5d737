// @faultline/node side by side with its peers, in one run (results: BENCHMARKS.md):
// 1. start-up time added by the preload, vs bare `node -e ''` (median of many runs), next to an
//    OpenTelemetry NodeSDK preload and @sentry/node;
// 2. CPU per captured error until export is queued, vs Sentry.captureException and a bare OpenTelemetry
//    span.recordException + end (BatchSpanProcessor), each in its own process;
// 3. an error storm: 100,000 identical errors, memory and event-loop delay, and what was exported.
// The peers are installed for the benchmark only, into bench/.peers (not part of the workspace).
// Run: node bench/node.bench.mjs [--baseline <packages/node/dist of another build>]
// --baseline adds that build's captureException to part 2, measured in the same run (issue 13: the cost
// of classification against the build before it).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePeers } from './peers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const peers = join(here, '.peers');
const PEERS = {
  '@sentry/node': '11.12.0',
  '@opentelemetry/sdk-node': '0.223.0',
  '@opentelemetry/sdk-trace-base': '2.12.1',
};
const register = join(here, '../packages/node/dist/register.cjs');
const faultlineApi = join(here, '../packages/node/dist/index.cjs');
const DEAD = 'http://127.0.0.1:9';
const baselineAt = process.argv.indexOf('--baseline');
const baselineApi = baselineAt > 0 ? join(process.argv[baselineAt + 1], 'index.cjs') : undefined;

ensurePeers(peers, PEERS);
writeFileSync(
  join(peers, 'otel-register.cjs'),
  "const { NodeSDK } = require('@opentelemetry/sdk-node');\nnew NodeSDK().start();\n",
);
writeFileSync(
  join(peers, 'sentry-register.cjs'),
  `require('@sentry/node').init({ dsn: 'http://public@127.0.0.1:9/1' });\n`,
);

const env = {
  PATH: process.env.PATH,
  OTEL_EXPORTER_OTLP_ENDPOINT: DEAD,
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
  // A spool of this run's own: reports spooled by an earlier run (the dead endpoint) must not be sent here.
  FAULTLINE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'faultline-bench-spool-')),
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// ---- 1. start-up ----
const RUNS = 40;
const variants = {
  'bare node': [],
  '@faultline/node (--require)': ['--require', register],
  'OpenTelemetry NodeSDK (--require)': ['--require', join(peers, 'otel-register.cjs')],
  '@sentry/node (--require)': ['--require', join(peers, 'sentry-register.cjs')],
};
const startup = {};
for (let round = 0; round < RUNS; round++) {
  for (const [name, args] of Object.entries(variants)) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [...args, '-e', ''], { env, cwd: peers });
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    if (!startup[name]) startup[name] = [];
    startup[name].push(performance.now() - t0);
  }
}
const bare = median(startup['bare node']);
console.log(`\nNode ${process.version}: start-up, median of ${RUNS} runs (interleaved)`);
console.table(
  Object.fromEntries(
    Object.entries(startup).map(([name, xs]) => [
      name,
      { 'median ms': median(xs).toFixed(1), 'added ms': (median(xs) - bare).toFixed(1) },
    ]),
  ),
);

// ---- 2. CPU per captured error ----
const N = 3000;
const common = `
const N = ${N};
const words = (i) => i.toString(26).replace(/[0-9]/g, (d) => 'qrstuvwxyz'[d]);
// Distinct errors (distinct words, not numbers: numbers do not change a fingerprint).
const errors = Array.from({ length: N + 200 }, (_, i) => new TypeError('cannot load ' + words(i + 1000)));
function measure(capture, done) {
  for (let i = 0; i < 200; i++) capture(errors[N + i]); // warm-up, first-use loading
  setTimeout(async () => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < N; i++) capture(errors[i]);
    const t1 = performance.now();
    await done();
    const cpu = process.cpuUsage(c0);
    process.stdout.write(JSON.stringify({ callUs: ((t1 - t0) * 1000) / N, cpuUs: (cpu.user + cpu.system) / N }));
    process.exit(0);
  }, 200);
}
`;
const faultlineCapture = (api) => `${common}
const fl = require(${JSON.stringify(api)});
fl.init({ endpoint: '${DEAD}', rateLimit: { burst: 1e9, refillPerSecond: 1e9, dedupeWindowMs: 1 }, spoolDir: require('os').tmpdir() + '/fl-bench-spool-' + process.pid });
measure((e) => fl.captureException(e), async () => {});`;
const perError = {
  '@faultline/node captureException': faultlineCapture(faultlineApi),
  ...(baselineApi ? { '@faultline/node captureException (baseline)': faultlineCapture(baselineApi) } : {}),
  '@sentry/node captureException': `${common}
const Sentry = require('@sentry/node');
Sentry.init({ dsn: 'http://public@127.0.0.1:9/1', transport: () => ({ send: async () => ({}), flush: async () => true }) });
measure((e) => Sentry.captureException(e), () => Sentry.flush(5000));`,
  'bare OpenTelemetry span.recordException + end': `${common}
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const exporter = { export: (spans, cb) => cb({ code: 0 }), shutdown: async () => {} };
const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 100000 })] });
const tracer = provider.getTracer('bench');
measure((e) => { const s = tracer.startSpan('exception'); s.recordException(e); s.setStatus({ code: 2, message: e.message }); s.end(); }, () => provider.forceFlush());`,
};
// Five rounds, the processes of a round one after the other: each figure is a median, and a build compared
// with its baseline ran under the same load.
const ROUNDS = 5;
const samples = {};
for (let round = 0; round < ROUNDS; round++)
  for (const [name, source] of Object.entries(perError)) {
    const out = execFileSync(process.execPath, ['-e', source], { cwd: peers, env, encoding: 'utf8' });
    samples[name] ??= [];
    samples[name].push(JSON.parse(out));
  }
const medianOf = (rs, key) => [...rs.map((r) => r[key])].sort((a, b) => a - b)[Math.floor(rs.length / 2)];
const cpu = Object.fromEntries(
  Object.entries(samples).map(([name, rs]) => [name, { cpuUs: medianOf(rs, 'cpuUs'), callUs: medianOf(rs, 'callUs') }]),
);
const sentryCpu = cpu['@sentry/node captureException'].cpuUs;
const otelCpu = cpu['bare OpenTelemetry span.recordException + end'].cpuUs;
console.log(`\nCPU per captured error (${N} distinct errors, until export is queued; medians of ${ROUNDS} rounds)`);
console.table(
  Object.fromEntries(
    Object.entries(cpu).map(([name, r]) => [
      name,
      {
        'CPU µs/error': r.cpuUs.toFixed(1),
        'call µs/error': r.callUs.toFixed(1),
        'vs Sentry': `${(sentryCpu / r.cpuUs).toFixed(1)}x less`,
        'vs bare OTel': `${(r.cpuUs / otelCpu).toFixed(2)}x`,
        ...(baselineApi
          ? {
              'vs baseline': `${((100 * r.cpuUs) / cpu['@faultline/node captureException (baseline)'].cpuUs).toFixed(0)}%`,
            }
          : {}),
      },
    ]),
  ),
);

// ---- 3. error storm ----
const storm = `
const http = require('node:http');
let spans = 0, duplicates = 0, dropped = 0;
const server = http.createServer((req, res) => {
  let body = ''; req.on('data', (d) => (body += d)); req.on('end', () => {
    const json = JSON.parse(body);
    for (const rs of json.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) {
      spans++;
      for (const e of s.events ?? []) for (const a of e.attributes ?? []) {
        if (a.key === 'faultline.duplicates') duplicates += Number(a.value.intValue);
        if (a.key === 'faultline.dropped') dropped += Number(a.value.intValue);
      }
      for (const a of s.attributes ?? []) if (a.key === 'faultline.duplicates') duplicates += Number(a.value.intValue);
    }
    res.end('{}');
  });
});
server.listen(0, '127.0.0.1', async () => {
  const fl = require(${JSON.stringify(faultlineApi)});
  fl.init({ endpoint: 'http://127.0.0.1:' + server.address().port });
  const { monitorEventLoopDelay } = require('node:perf_hooks');
  const delay = monitorEventLoopDelay({ resolution: 10 }); delay.enable();
  const rss0 = process.memoryUsage().rss;
  let peak = rss0;
  const t0 = performance.now();
  for (let chunk = 0; chunk < 100; chunk++) {
    for (let i = 0; i < 1000; i++) fl.captureException(new Error('the same failure'));
    peak = Math.max(peak, process.memoryUsage().rss);
    await new Promise((r) => setImmediate(r));
  }
  const elapsed = performance.now() - t0;
  await fl.flush();
  await new Promise((r) => setTimeout(r, 300));
  delay.disable();
  process.stdout.write(JSON.stringify({ errors: 100000, elapsedMs: elapsed, rssGrowthMb: (peak - rss0) / 1048576, loopDelayP99Ms: delay.percentile(99) / 1e6, spans, duplicates, dropped }));
  server.close();
  process.exit(0);
});
`;
const stormOut = JSON.parse(execFileSync(process.execPath, ['-e', storm], { env, encoding: 'utf8' }));
console.log('\nError storm: 100,000 identical errors captured in a loop (1,000 per event-loop turn)');
console.table({ result: stormOut });
