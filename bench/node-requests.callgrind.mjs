// Instructions per request of an Express and a Fastify server, bare and with faultline's preload, counted by
// callgrind (valgrind): repeatable on a shared machine, where requests/s and CPU time per request (part 4 of
// node.bench.mjs) wander by more than the 2 % issue 14 asks about. Each variant runs twice, N1 and N2
// keep-alive requests after start-up, and the difference over N2 - N1 is its cost per request (start-up,
// JIT warm-up and exit cancel out). Run: node bench/node.bench.mjs --parts 4 --rounds 1 once (it installs
// express and fastify into bench/.peers/), then node bench/node-requests.callgrind.mjs [N1=12000] [N2=32000]
// [express,fastify] [--probes] [--baseline <packages/node/dist of another build>] [--only <regexp of variant
// names>] [--also-require <preload>, before every variant's own: an app's OpenTelemetry, say] [--keep <prefix>:
// each run's counts kept as <prefix>.<variant>.<requests>, for callgrind_annotate] [--node-flags '<V8 flags>']
// [--gc-rate <requests>] [--dist <packages/node/dist or a copy>]; with another node binary for another Node version. Results: BENCHMARKS.md.
// A full GC (incremental marking, mark-compact, write barriers: 100 to 140 M instructions on these servers) is rare and lands in
// one variant's window and not another's: the line of each variant says how many its window held. For the
// requests' own work, run with --node-flags --initial-old-space-size=512 (no full GC in the window), and count
// how often each variant pays one with --gc-rate 1000000 (plain node, a million requests).
// Node runs with --predictable (V8 on one thread, its compiler and GC on a fixed schedule): without it the
// counts of one variant wander by 3 to 5 points between runs; with it, by about 0.1. --probes adds preloads
// that do one part of what faultline's does each (an empty subscriber, a store entered per request), to
// tell what Node and the framework cost from what faultline's code adds.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitingApps } from './request-servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const peers = join(here, '.peers');
// The default window starts late: before about 10,000 requests V8 is still optimizing the server's code, and
// the compiler's work (62 k of the 131 k instructions per request from 2,000 to 12,000 on Node 24's Fastify)
// hides what a request costs once the server is warm (49 k).
// The three positional arguments, wherever they are among the options (every option but --probes takes a value).
const positional = process.argv
  .slice(2)
  .filter(
    (arg, i, args) => !arg.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--') || args[i - 1] === '--probes'),
  );
const [N1, N2] = [Number(positional[0] ?? 12000), Number(positional[1] ?? 32000)];
const frameworks = (positional[2] ?? 'express,fastify').split(',');
const withProbes = process.argv.includes('--probes');
const option = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const baseline = option('--baseline') && resolve(option('--baseline')); // the servers run in bench/.peers
const only = new RegExp(option('--only') ?? '');
const alsoRequire = option('--also-require') && resolve(option('--also-require'));
const keep = option('--keep') && resolve(option('--keep'));
// --dist <dir>: the build to count instead of packages/node/dist (a copy, so that a rebuild cannot change a long run).
const register = join(
  option('--dist') ? resolve(option('--dist')) : join(here, '../packages/node/dist'),
  'register.cjs',
);
// V8 flags for every variant's node, e.g. --initial-old-space-size=512: no full GC in a window of this length, so
// the count is the requests' own work (the GCs' counts are printed either way).
const nodeFlags = option('--node-flags')?.split(' ').filter(Boolean) ?? [];
// --gc-rate <requests>: no callgrind; each variant serves that many requests under plain node (same flags), and
// the full GCs it ran are counted: how often a variant pays the 100 M instructions or more of one, in the long run.
const gcRate = Number(option('--gc-rate') ?? 0);

// One part of faultline's per-request work each (callgrind-probe-N.cjs, written beside the apps), and what
// an earlier build paid: a subscriber on Fastify's per-request tracing channel.
const probes = {
  'http.server.request.start, empty subscriber': `require('node:diagnostics_channel').subscribe('http.server.request.start', () => {});`,
  'an AsyncLocalStorage store entered per request': `const { AsyncLocalStorage } = require('node:async_hooks');
const storage = new AsyncLocalStorage();
require('node:diagnostics_channel').subscribe('http.server.request.start', (m) => storage.enterWith({ req: m.request, res: m.response }));`,
  "the same, the channel's message as the store (nothing allocated)": `const { AsyncLocalStorage } = require('node:async_hooks');
const storage = new AsyncLocalStorage();
require('node:diagnostics_channel').subscribe('http.server.request.start', (m) => storage.enterWith(m));`,
  "Fastify's onError hook, added on fastify.initialization": `require('node:diagnostics_channel').subscribe('fastify.initialization', ({ fastify }) =>
  fastify.addHook('onError', (request, reply, error, done) => done()),
);`,
  "Fastify's handler error channel, empty subscriber (the build before)": `require('node:diagnostics_channel').subscribe('tracing:fastify.request.handler:error', () => {});`,
};
const variants = {
  bare: {},
  '@faultline/node preload': { args: ['--require', register] },
  '@faultline/node, FAULTLINE_REQUEST_CONTEXT=true': {
    args: ['--require', register],
    env: { FAULTLINE_REQUEST_CONTEXT: 'true' },
  },
  '@faultline/node, FAULTLINE_REQUEST_CONTEXT=false': {
    args: ['--require', register],
    env: { FAULTLINE_REQUEST_CONTEXT: 'false' },
  },
  ...(baseline ? { '@faultline/node, baseline build': { args: ['--require', join(baseline, 'register.cjs')] } } : {}),
};

const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
const get = (port, path) =>
  new Promise((resolve, reject) =>
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => res.resume().on('end', resolve)).on('error', reject),
  );

/** Every instruction the server ran, start to exit, having answered `requests` requests. */
async function instructions(app, variant, requests) {
  const out = join(tmpdir(), `faultline-callgrind.${process.pid}`);
  const valgrind = gcRate ? [] : ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`];
  const child = spawn(
    gcRate ? process.execPath : 'valgrind',
    [
      ...valgrind,
      ...(gcRate ? [] : [process.execPath]),
      '--predictable',
      '--trace-gc', // to count the full GCs in each run: one in a 20,000-request window adds 5 to 7 k per request
      ...nodeFlags,
      ...(alsoRequire ? ['--require', alsoRequire] : []),
      ...(variant.args ?? []),
      app,
    ],
    {
      cwd: peers,
      env: { PATH: process.env.PATH, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9', ...variant.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('close', resolve)); // 'close': stdout read to its end
  let stdout = '';
  const port = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /listening (\d+)\n/.exec(stdout);
      if (m) resolve(m[1]);
    });
    exited.then(() => reject(new Error(`the server exited before listening:\n${stderr.slice(-2000)}`)));
  });
  for (let i = 0; i < requests; i += 4) await Promise.all([0, 1, 2, 3].map(() => get(port, '/orders/42')));
  get(port, '/exit').catch(() => {}); // the server exits before it answers
  await exited;
  if (gcRate) return { fullGCs: stdout.match(/Mark-Compact/g)?.length ?? 0 };
  const counts = readFileSync(out, 'utf8');
  if (keep) writeFileSync(`${keep}.${variant.name.replace(/\W+/g, '_')}.${requests}`, counts);
  rmSync(out, { force: true });
  return {
    instructions: Number((/^summary:\s+(\d+)/m.exec(counts) ?? /^totals:\s+(\d+)/m.exec(counts))?.[1]),
    fullGCs: stdout.match(/Mark-Compact/g)?.length ?? 0,
  };
}

if (withProbes)
  for (const [name, source] of Object.entries(probes)) {
    const file = join(peers, `callgrind-probe-${Object.keys(probes).indexOf(name)}.cjs`);
    writeFileSync(file, `${source}\n`);
    variants[`probe: ${name}`] = { args: ['--require', file] };
  }

console.log(
  gcRate
    ? `Node ${process.version}: full GCs in ${gcRate} requests${nodeFlags.length ? `, with ${nodeFlags.join(' ')}` : ''}`
    : `Node ${process.version}: instructions per request (callgrind, ${N2} - ${N1} requests)${alsoRequire ? `, every variant with --require ${alsoRequire}` : ''}${nodeFlags.length ? `, with ${nodeFlags.join(' ')}` : ''}`,
);
for (const framework of frameworks) {
  const app = join(peers, `callgrind-${framework}-app.cjs`);
  writeFileSync(app, exitingApps[framework]);
  if (gcRate) {
    for (const [name, variant] of Object.entries(variants)) {
      if (name !== 'bare' && !only.test(name)) continue;
      const { fullGCs } = await instructions(app, { ...variant, name }, gcRate);
      console.log(`${framework}, ${name}: ${fullGCs} full GCs in ${gcRate} requests (plain node, no callgrind)`);
    }
    continue;
  }
  let bare;
  for (const [name, variant] of Object.entries(variants)) {
    if (name !== 'bare' && !only.test(name)) continue;
    const [long, short] = [
      await instructions(app, { ...variant, name }, N2),
      await instructions(app, { ...variant, name }, N1),
    ];
    const perRequest = (long.instructions - short.instructions) / (N2 - N1);
    bare ??= perRequest;
    const vsBare = name === 'bare' ? '' : ` (${((perRequest / bare - 1) * 100).toFixed(1)} % over bare)`;
    const gcs = `full GCs in the window: ${long.fullGCs - short.fullGCs} (${short.fullGCs} before it)`;
    console.log(`${framework}, ${name}: ${(perRequest / 1000).toFixed(1)} k instructions${vsBare}; ${gcs}`);
  }
}
agent.destroy();
