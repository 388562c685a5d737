// @faultline/node side by side with its peers, in one run (results: BENCHMARKS.md):
// 1. start-up time added by the preload, vs bare `node -e ''` (median of many runs), next to an
//    OpenTelemetry NodeSDK preload and @sentry/node;
// 2. CPU per captured error until export is queued, vs Sentry.captureException and a bare OpenTelemetry
//    span.recordException + end (BatchSpanProcessor), each in its own process;
// 3. an error storm: 100,000 identical errors, memory and event-loop delay, and what was exported;
// 4. requests/s of an Express 5 and a Fastify 5 app (autocannon), bare, with the preload and with
//    @sentry/node's integration for the framework (issue 14: overhead at most 2 %).
// The peers are installed for the benchmark only, into bench/.peers (not part of the workspace).
// Run: node bench/node.bench.mjs [--parts 1,4] [--baseline <packages/node/dist of another build>]
//      [--frameworks express,fastify] [--rounds 5] [--seconds 3] [--pin | --together] [--floors]
//      [--only <regexp of part 4's variants>]
// --parts runs only those parts (all by default); --frameworks, --rounds, --seconds and --only narrow or
// lengthen part 4. --pin runs part 4's servers on the first CPU and autocannon on the second; --together runs
// a round's variants at once, all on the first CPU, each loaded by its own autocannon on the second;
// --floors adds what Node's channel and AsyncLocalStorage cost a request with no agent. --baseline adds that
// build to parts 1, 2 and 4, measured in the same run (issue 13: the cost of classification against the
// build before it; issue 14: what the framework hooks and the in-flight request context cost).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median, medianInterval } from './median.mjs';
import { ensurePeers } from './peers.mjs';
import { listeningPort, rotated } from './request-servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const peers = join(here, '.peers');
const PEERS = {
  '@sentry/node': '11.12.0',
  '@opentelemetry/sdk-node': '0.223.0',
  '@opentelemetry/sdk-trace-base': '2.12.1',
  autocannon: '9.0.0',
  express: '5.3.0',
  fastify: '5.12.8',
};
const register = join(here, '../packages/node/dist/register.cjs');
const faultlineApi = join(here, '../packages/node/dist/index.cjs');
const DEAD = 'http://127.0.0.1:9';
const baselineAt = process.argv.indexOf('--baseline');
// Absolute: the processes measured run in bench/.peers.
const baselineDir = baselineAt > 0 ? resolve(process.argv[baselineAt + 1]) : undefined;
const baselineApi = baselineDir && join(baselineDir, 'index.cjs');
const baselineRegister = baselineDir && join(baselineDir, 'register.cjs');
const partsAt = process.argv.indexOf('--parts');
const parts = new Set(partsAt > 0 ? process.argv[partsAt + 1].split(',').map(Number) : [1, 2, 3, 4]);
const option = (name, fallback) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
};

ensurePeers(peers, PEERS);
writeFileSync(
  join(peers, 'otel-register.cjs'),
  "const { NodeSDK } = require('@opentelemetry/sdk-node');\nnew NodeSDK().start();\n",
);
writeFileSync(
  join(peers, 'sentry-register.cjs'),
  `require('@sentry/node').init({ dsn: 'http://public@127.0.0.1:9/1' });\n`,
);
writeFileSync(join(peers, 'empty-register.cjs'), '');
// Sentry 11 warns that a --require preload is no longer supported (Node re-runs it on the module-hooks
// thread), and asks for --import: the throughput part uses this one.
writeFileSync(
  join(peers, 'sentry-register.mjs'),
  `import * as Sentry from '@sentry/node';\nSentry.init({ dsn: 'http://public@127.0.0.1:9/1' });\n`,
);

const env = {
  PATH: process.env.PATH,
  OTEL_EXPORTER_OTLP_ENDPOINT: DEAD,
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
  // A spool of this run's own: reports spooled by an earlier run (the dead endpoint) must not be sent here.
  FAULTLINE_SPOOL_DIR: mkdtempSync(join(tmpdir(), 'faultline-bench-spool-')),
};

// ---- 1. start-up ----
// Wall time of the whole process, and the CPU it used (user + system, process.cpuUsage at the end), against
// bare node and against an empty preload (the issue-14 bar: at most 5 ms CPU over it).
function startupPart() {
  const RUNS = 40;
  const variants = {
    'bare node': [],
    'empty preload (--require)': ['--require', join(peers, 'empty-register.cjs')],
    '@faultline/node (--require)': ['--require', register],
    ...(baselineRegister ? { '@faultline/node, baseline (--require)': ['--require', baselineRegister] } : {}),
    'OpenTelemetry NodeSDK (--require)': ['--require', join(peers, 'otel-register.cjs')],
    '@sentry/node (--require)': ['--require', join(peers, 'sentry-register.cjs')],
  };
  const cpuAtExit = 'const c = process.cpuUsage(); process.stdout.write(String((c.user + c.system) / 1000))';
  const wall = {};
  const cpu = {};
  for (let round = 0; round < RUNS; round++) {
    for (const [name, args] of Object.entries(variants)) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, [...args, '-e', cpuAtExit], { env, cwd: peers, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
      wall[name] ??= [];
      cpu[name] ??= [];
      wall[name].push(performance.now() - t0);
      cpu[name].push(Number(r.stdout));
    }
  }
  const bare = median(wall['bare node']);
  const emptyCpu = median(cpu['empty preload (--require)']);
  console.log(`\nNode ${process.version}: start-up, median of ${RUNS} runs (interleaved)`);
  console.table(
    Object.fromEntries(
      Object.keys(variants).map((name) => [
        name,
        {
          'median ms': median(wall[name]).toFixed(1),
          'added ms': (median(wall[name]) - bare).toFixed(1),
          'CPU ms': median(cpu[name]).toFixed(1),
          'CPU ms over an empty preload': (median(cpu[name]) - emptyCpu).toFixed(1),
        },
      ]),
    ),
  );
}
if (parts.has(1)) startupPart();

// ---- 2. CPU per captured error ----
if (parts.has(2)) {
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
  const medianOf = (rs, key) => median(rs.map((r) => r[key]));
  const cpu = Object.fromEntries(
    Object.entries(samples).map(([name, rs]) => [
      name,
      { cpuUs: medianOf(rs, 'cpuUs'), callUs: medianOf(rs, 'callUs') },
    ]),
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
}

// ---- 3. error storm ----
if (parts.has(3)) {
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
}

// ---- 4. requests/s of a framework app ----
// The same small app (one route with a parameter, an await, a JSON answer) on Express 5 and Fastify 5:
// bare, with faultline's preload alone, and with @sentry/node initialised by a preload plus its error
// handler for the framework (setupExpressErrorHandler / setupFastifyErrorHandler), errors only (no
// tracesSampleRate), as faultline. autocannon in this process, 10 connections; each variant warmed up for
// 1 s, then measured for 3 s; rounds interleaved, medians. The machine's other load hits every variant alike
// within a round, not across rounds: compare within the table, not with another run.

/**
 * --floors: what Node itself costs a request for the request in flight, with no agent: a preload with an
 * empty subscriber of `http.server.request.start` (Node then builds the channel's message for every
 * request), and one whose subscriber enters that message as an AsyncLocalStorage store, the least any
 * agent can do to know the request of an uncaught error; and a store entered once at start-up (then in
 * every frame), which tells what having a store at all costs from what entering one per request does.
 */
function floors() {
  const preload = (name, body) => {
    const file = join(peers, `floor-${name}.cjs`);
    writeFileSync(
      file,
      `const { subscribe } = require('node:diagnostics_channel');\nconst { AsyncLocalStorage } = require('node:async_hooks');\n${body}\n`,
    );
    return { args: ['--require', file] };
  };
  return {
    'Node floor: an empty request.start subscriber': preload(
      'subscriber',
      "subscribe('http.server.request.start', () => {});",
    ),
    'Node floor: the subscriber entering an AsyncLocalStorage store': preload(
      'store',
      "const storage = new AsyncLocalStorage();\nsubscribe('http.server.request.start', (message) => storage.enterWith(message));",
    ),
    // What a store costs once it exists at all: entered once, here, it is in every frame the process makes.
    'Node floor: a store entered once at start-up, and the empty subscriber': preload(
      'store-once',
      "const storage = new AsyncLocalStorage();\nstorage.enterWith({});\nsubscribe('http.server.request.start', () => {});",
    ),
  };
}

async function throughputPart() {
  const { default: autocannon } = await import(join(peers, 'node_modules/autocannon/autocannon.js'));
  writeFileSync(
    join(peers, 'express-app.cjs'),
    `const express = require('express');
const app = express();
app.get('/orders/:id', async (req, res) => {
  await null;
  res.json({ id: req.params.id, total: 42 });
});
app.get('/cpu', (req, res) => res.json(process.cpuUsage()));
if (process.env.SENTRY === '1') require('@sentry/node').setupExpressErrorHandler(app);
const server = app.listen(0, '127.0.0.1', () => console.log('listening ' + server.address().port));
`,
  );
  writeFileSync(
    join(peers, 'fastify-app.cjs'),
    `const fastify = require('fastify')();
if (process.env.SENTRY === '1') require('@sentry/node').setupFastifyErrorHandler(fastify);
fastify.get('/orders/:id', async (request) => {
  await null;
  return { id: request.params.id, total: 42 };
});
fastify.get('/cpu', async () => process.cpuUsage());
fastify.listen({ port: 0, host: '127.0.0.1' }).then(() => console.log('listening ' + fastify.server.address().port));
`,
  );
  const variants = {
    bare: { args: [] },
    '@faultline/node (preload alone)': { args: ['--require', register] },
    '@faultline/node, FAULTLINE_REQUEST_CONTEXT=true': {
      args: ['--require', register],
      env: { FAULTLINE_REQUEST_CONTEXT: 'true' },
    },
    '@faultline/node, FAULTLINE_REQUEST_CONTEXT=false': {
      args: ['--require', register],
      env: { FAULTLINE_REQUEST_CONTEXT: 'false' },
    },
    ...(baselineRegister ? { '@faultline/node, baseline': { args: ['--require', baselineRegister] } } : {}),
    ...(process.argv.includes('--floors') ? floors() : {}),
    '@sentry/node (preload + error handler)': {
      args: ['--import', join(peers, 'sentry-register.mjs')],
      env: { SENTRY: '1' },
    },
  };
  // --only <regexp>: the variants to run besides bare (long runs of two variants resolve a smaller difference).
  const only = new RegExp(option('--only', ''));
  for (const name of Object.keys(variants)) if (name !== 'bare' && !only.test(name)) delete variants[name];
  const ROUNDS_HTTP = Number(option('--rounds', 5));
  const SECONDS = Number(option('--seconds', 3));
  // Pinned, the server has a CPU of its own and autocannon the other: the server is the bottleneck, and its
  // requests/s no longer move with how the scheduler shares two CPUs between it and its load.
  // --together runs a round's variants at once, every server on the first CPU (so pinned), each loaded by
  // its own autocannon on the second: the CPU's share is the scheduler's to split evenly, and whatever slows
  // the machine in that moment (another VM's load, a frequency step) slows every variant alike. Each
  // variant's requests/s are then against bare's in the same seconds: a paired measure, where interleaved
  // rounds are not (this VM's rounds swing by 15 to 40 %).
  const together = process.argv.includes('--together');
  const pin = together || process.argv.includes('--pin');
  if (pin) execFileSync('taskset', ['-a', '-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
  const rps = {};
  const cpuPerRequest = {};
  const cpuShare = {};
  const start = async (framework, name, variant) => {
    const command = [process.execPath, ...variant.args, join(peers, `${framework}-app.cjs`)];
    const child = spawn(pin ? 'taskset' : command[0], pin ? ['-c', '0', ...command] : command.slice(1), {
      cwd: peers,
      env: { ...env, ...variant.env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const port = await listeningPort(child, `${framework} ${name}`);
    const url = `http://127.0.0.1:${port}/orders/42`;
    const cpu = async () => {
      const c = await (await fetch(`http://127.0.0.1:${port}/cpu`)).json();
      return c.user + c.system;
    };
    return { framework, name, child, url, cpu };
  };
  const record = (server, result, cpuUs) => {
    const { framework, name } = server;
    if (result.non2xx || result.errors)
      throw new Error(`${framework} ${name}: ${result.non2xx} non-2xx, ${result.errors} errors`);
    for (const [table, value] of [
      [cpuPerRequest, cpuUs / result.requests.total],
      [rps, result.requests.average],
      [cpuShare, cpuUs / (SECONDS * 1e6)],
    ]) {
      table[framework] ??= {};
      table[framework][name] ??= [];
      table[framework][name].push(value);
    }
  };
  /** Warms the servers up, then loads them for SECONDS, all at once; every one is killed, whatever happens. */
  const load = async (servers) => {
    try {
      await Promise.all(servers.map((s) => autocannon({ url: s.url, connections: 10, duration: together ? 2 : 1 })));
      const cpu0 = await Promise.all(servers.map((s) => s.cpu()));
      const results = await Promise.all(
        servers.map((s) => autocannon({ url: s.url, connections: 10, duration: SECONDS })),
      );
      const cpu1 = await Promise.all(servers.map((s) => s.cpu()));
      for (const [i, s] of servers.entries()) record(s, results[i], cpu1[i] - cpu0[i]);
    } finally {
      for (const s of servers) s.child.kill('SIGKILL');
    }
  };
  for (let round = 0; round < ROUNDS_HTTP; round++)
    // Each round in another order: no variant always runs first, just after another framework's.
    for (const framework of option('--frameworks', 'express,fastify').split(',')) {
      const order = rotated(Object.entries(variants), round);
      if (together) await load(await Promise.all(order.map(([name, v]) => start(framework, name, v))));
      else for (const [name, v] of order) await load([await start(framework, name, v)]);
    }
  console.log(
    `\nNode ${process.version}: requests/s (autocannon, 10 connections, ${SECONDS} s; medians of ${ROUNDS_HTTP} rounds${together ? '; all variants at once, the servers sharing one CPU, autocannon on the other' : pin ? '; server and autocannon on a CPU each' : ''})`,
  );
  // Each round's figure against the same round's bare one: the machine's drift between rounds cancels.
  // The median's 95 % interval (median.mjs) says what many rounds resolve; the range, how far one round strays.
  const againstBare = (xs, bare) => {
    const ratios = xs.map((x, i) => (100 * (x - bare[i])) / bare[i]).sort((a, b) => a - b);
    const { low, high } = medianInterval(ratios);
    return `${median(ratios).toFixed(1)} % (95 % CI ${low.toFixed(1)} to ${high.toFixed(1)}; range ${ratios[0].toFixed(1)} to ${ratios.at(-1).toFixed(1)})`;
  };
  // Requests/s move with whatever else the machine runs; the server's own CPU per request much less so.
  const table = {};
  for (const [framework, byVariant] of Object.entries(rps)) {
    const bare = median(byVariant.bare);
    for (const [name, xs] of Object.entries(byVariant)) {
      const cpu = median(cpuPerRequest[framework][name]);
      table[`${framework}: ${name}`] = {
        'req/s': Math.round(median(xs)),
        'req/s vs bare': `${((100 * (median(xs) - bare)) / bare).toFixed(1)} %`,
        'req/s vs bare, per round': againstBare(xs, byVariant.bare),
        'server CPU µs/request': cpu.toFixed(1),
        ...(together ? { 'CPU share': `${(100 * median(cpuShare[framework][name])).toFixed(0)} %` } : {}),
        'CPU vs bare, per round': againstBare(cpuPerRequest[framework][name], cpuPerRequest[framework].bare),
        'req/s rounds': xs.map(Math.round).join(' / '),
      };
    }
  }
  console.table(table);
}
if (parts.has(4)) await throughputPart();
