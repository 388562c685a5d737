// CPU time a page spends per captured error, from the error event to the report queued for export, in
// headless Chromium: @faultline/browser (the shipped script tag) vs @sentry/browser (errors only, bundled
// with esbuild), and a page with no agent as the baseline that is subtracted (creating the Error and
// dispatching the event cost the same everywhere). Both agents deliver to a local sink that answers 200,
// so neither pays for failures. Storm control is off for both: every error is distinct and faultline's
// token bucket is opened wide, so each one takes the full path.
// Results: BENCHMARKS.md. Run: node bench/browser-cpu.bench.mjs (needs /usr/bin/chromium:
// scripts/ensure-chromium.sh). `--baseline <file>` adds a tab with another build of faultline.min.js (an
// earlier commit's), measured in the same run: node bench/browser-cpu.bench.mjs --baseline /tmp/old.min.js
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './median.mjs';
import { ensurePeers } from './peers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const peers = join(here, '.peers-browser');
ensurePeers(peers, { esbuild: '0.28.2', '@sentry/browser': '11.12.0' });
const { chromium } = createRequire(join(here, '../test/package.json'))('playwright-core');

const ERRORS_PER_ROUND = 200;
// FAULTLINE_BENCH_ROUNDS: more rounds for a steadier median on a busy machine (15 by default).
const ROUNDS = Number(process.env.FAULTLINE_BENCH_ROUNDS) || 15;

const sentryEntry = join(peers, 'entry-cpu-sentry.mjs');
writeFileSync(sentryEntry, "import * as Sentry from '@sentry/browser';\nwindow.Sentry = Sentry;\n");
const sentryBundle = execFileSync(
  join(peers, 'node_modules/.bin/esbuild'),
  [sentryEntry, '--bundle', '--minify', '--format=iife', '--platform=browser', '--target=es2020'],
  { cwd: peers, maxBuffer: 64 << 20 },
);
const faultlineBundle = readFileSync(join(here, '../packages/browser/dist/faultline.min.js'));
const baselineAt = process.argv.indexOf('--baseline');
const baselineBundle = baselineAt > 0 ? readFileSync(process.argv[baselineAt + 1]) : undefined;

const received = { faultline: 0, baseline: 0, sentry: 0 };
// A sink for both agents' requests, and the pages, on one origin (no CORS preflight to pay for).
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (c) => (body += c));
    return req.on('end', () => {
      // What arrived: exception spans (faultline, OTLP JSON) or error events (Sentry, one per envelope).
      const spans = body.split('"name":"exception","kind"').length - 1;
      if (path === '/v1/traces') received.faultline += spans;
      else if (path === '/baseline/v1/traces') received.baseline += spans;
      else received.sentry += 1;
      res.writeHead(200).end('{}');
    });
  }
  if (path === '/faultline.min.js')
    return res.writeHead(200, { 'content-type': 'text/javascript' }).end(faultlineBundle);
  if (path === '/faultline-baseline.min.js' && baselineBundle)
    return res.writeHead(200, { 'content-type': 'text/javascript' }).end(baselineBundle);
  if (path === '/sentry.min.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(sentryBundle);
  const page = pages[path];
  if (page === undefined) return res.writeHead(404).end();
  res
    .writeHead(200, { 'content-type': 'text/html' })
    .end(`<!doctype html><html><head>${page}</head><body></body></html>`);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;

const pages = {
  '/none.html': '',
  '/faultline.html': `<script>window.faultlineConfig = { rateLimit: { burst: 1e9, refillPerSecond: 1e9 } };</script>
    <script src="/faultline.min.js" data-endpoint="${origin}/v1/traces" data-service-name="bench"></script>`,
  '/baseline.html': `<script>window.faultlineConfig = { rateLimit: { burst: 1e9, refillPerSecond: 1e9 } };</script>
    <script src="/faultline-baseline.min.js" data-endpoint="${origin}/baseline/v1/traces" data-service-name="bench"></script>`,
  '/sentry.html': `<script src="/sentry.min.js"></script>
    <script>Sentry.init({ dsn: '${origin.replace('//', '//public@')}/1', integrations: (all) => all.filter((i) => i.name !== 'Dedupe') });</script>`,
};

// One round: ERRORS_PER_ROUND distinct errors dispatched as window `error` events (what an uncaught throw
// does), each in its own call stack, timed until every microtask the agents queued has run.
async function round(tab, offset) {
  return tab.evaluate(
    async ([n, offset]) => {
      const word = (i) =>
        i
          .toString(16)
          .split('')
          .map((c) => 'ghijklmnopqrstuv'[Number.parseInt(c, 16)])
          .join('');
      const errors = [];
      for (let i = 0; i < n; i++) errors.push(new Error(`bench ${word(offset + i)}`));
      const start = performance.now();
      for (const error of errors) {
        window.dispatchEvent(new ErrorEvent('error', { error, message: error.message, cancelable: true }));
      }
      await new Promise((r) => setTimeout(r, 0));
      return performance.now() - start;
    },
    [ERRORS_PER_ROUND, offset],
  );
}

const browser = await chromium.launch({
  executablePath: process.env.FAULTLINE_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const tabs = {};
const names = baselineBundle ? ['none', 'faultline', 'baseline', 'sentry'] : ['none', 'faultline', 'sentry'];
for (const name of names) {
  tabs[name] = await browser.newPage();
  tabs[name].on('pageerror', () => {});
  await tabs[name].goto(`${origin}/${name}.html`);
  await round(tabs[name], 1e6); // warm-up: JIT, lazy initialisation
}
// Interleaved rounds, so that a noisy moment hits every setup alike.
const times = Object.fromEntries(names.map((name) => [name, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const name of Object.keys(tabs)) {
    times[name].push(await round(tabs[name], r * ERRORS_PER_ROUND));
    await tabs[name].waitForTimeout(50); // let exports run outside the timed part
  }
}
for (const tab of Object.values(tabs)) await tab.waitForTimeout(1500); // last exports
await browser.close();
server.close();
const perError = (name) => (median(times[name]) * 1000) / ERRORS_PER_ROUND;
const base = perError('none');
const faultline = perError('faultline') - base;
const sentry = perError('sentry') - base;
console.log(
  `CPU per captured error in Chromium (median of ${ROUNDS} rounds of ${ERRORS_PER_ROUND}, baseline subtracted):`,
);
console.table({
  'no agent (baseline: new Error + dispatch)': { 'µs/error': base.toFixed(1) },
  '@faultline/browser': {
    'µs/error': faultline.toFixed(1),
    'vs Sentry': `${(sentry / faultline).toFixed(1)}x cheaper`,
  },
  ...(baselineBundle
    ? {
        [`@faultline/browser, baseline (${process.argv[baselineAt + 1]})`]: {
          'µs/error': (perError('baseline') - base).toFixed(1),
          'vs Sentry': `${(sentry / (perError('baseline') - base)).toFixed(1)}x cheaper`,
        },
      }
    : {}),
  '@sentry/browser 11.12.0': { 'µs/error': sentry.toFixed(1) },
});
const thrown = (ROUNDS + 1) * ERRORS_PER_ROUND;
console.log(
  `reports received by the sink, of ${thrown} errors: faultline ${received.faultline}${baselineBundle ? `, baseline ${received.baseline}` : ''}, Sentry ${received.sentry}`,
);
