// The demo (npm start): the real collector and Jaeger, the example apps throwing real errors with the
// faultline agents, then what Jaeger stored, grouped by fingerprint, and how to look at it yourself.
// Ctrl-C stops everything it started.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from '../collector-config/stack.mjs';

const CHROMIUM = process.env.FAULTLINE_CHROMIUM || '/usr/bin/chromium';
const WEB_PORT = 8080;

const here = dirname(fileURLToPath(import.meta.url));
const register = join(here, '../packages/node/dist/register');
const children = new Set();

const stack = await startStack().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

console.log(`\ncollector  ${stack.urls.otlpHttp}  (OTLP/HTTP; gRPC on ${stack.urls.otlpGrpc})`);
console.log(`jaeger     ${stack.urls.jaegerQuery}  (query API)\n`);

/** Serves examples/web on http://localhost:8080 with the agent's script tag pointed at the collector. */
async function serveWebExample() {
  const html = readFileSync(join(here, 'web/index.html'), 'utf8').replace('__ENDPOINT__', stack.urls.otlpTraces);
  const agent = readFileSync(join(here, '../packages/browser/dist/faultline.min.js'));
  const server = createServer((req, res) => {
    if (req.url === '/faultline.min.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(agent);
    if (req.url === '/' || req.url === '/index.html')
      return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    res.writeHead(503).end(); // the "API" is down
  });
  await new Promise((resolve) => server.listen(WEB_PORT, '127.0.0.1', resolve));
  children.add({ kill: () => server.close() });
  return { url: `http://localhost:${WEB_PORT}/` };
}

/** Runs an example with the agent; resolves with its exit code and output. */
function run(name, file, { preload = 'require', env = {}, onStdout } = {}) {
  const args = preload === 'import' ? ['--import', `${register}.mjs`, file] : ['--require', `${register}.cjs`, file];
  const child = spawn(process.execPath, args, {
    env: {
      ...process.env,
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: stack.urls.otlpHttp,
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=production,service.version=1.4.2',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
    onStdout?.(String(d), child);
  });
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      children.delete(child);
      resolve({ code, stdout, stderr });
    }),
  );
}

console.log('running the examples (each with @faultline/node preloaded):');
const results = [];
results.push([
  'demo-checkout',
  'node-app/checkout.js (CommonJS, uncaught TypeError)',
  await run('demo-checkout', join(here, 'node-app/checkout.js')),
]);
results.push([
  'demo-inventory',
  'node-app/sync-job.mjs (ESM, unhandled rejection with a cause)',
  await run('demo-inventory', join(here, 'node-app/sync-job.mjs'), { preload: 'import' }),
]);
results.push([
  'demo-orders-api',
  'node-service/server.js (HTTP: 3 handled errors, then a crash)',
  await run('demo-orders-api', join(here, 'node-service/server.js'), {
    onStdout: async (text) => {
      const port = /listening (\d+)/.exec(text)?.[1];
      if (!port) return;
      for (let i = 0; i < 3; i++) await fetch(`http://127.0.0.1:${port}/orders/unknown`).catch(() => {});
      await fetch(`http://127.0.0.1:${port}/crash`).catch(() => {});
    },
  }),
]);
for (const [, what, r] of results) console.log(`  ${what}: exit code ${r.code}`);

// The web example: the script tag on a page served on http://localhost:8080 (an origin the collector allows).
const web = await serveWebExample();
results.push(['demo-shop-web', 'web/index.html (script tag: click handler TypeError, unhandled fetch rejection)']);
if (existsSync(CHROMIUM)) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage();
  await page.goto(web.url);
  await page.click('#add');
  await page.click('#pay');
  await page.waitForTimeout(500);
  await page.close(); // pagehide: the agent delivers what it holds
  await browser.close();
  console.log(`  web/index.html in headless Chromium: clicked Add, then Pay`);
} else {
  console.log(`  web/index.html: open ${web.url} in a browser and click Pay (no Chromium found at ${CHROMIUM})`);
}

// What Jaeger stored, grouped by fingerprint.
await new Promise((r) => setTimeout(r, 1500));
console.log('\nwhat Jaeger stored, grouped by faultline.fingerprint:');
for (const [service] of results) {
  const res = await fetch(`${stack.urls.jaegerQuery}/api/traces?service=${service}&limit=100&lookback=1h`);
  const traces = (await res.json()).data ?? [];
  const groups = new Map();
  const group = (key) => {
    if (!groups.has(key)) groups.set(key, { reports: 0, duplicates: 0, crumbs: 0 });
    return groups.get(key);
  };
  for (const trace of traces) {
    for (const span of trace.spans) {
      const tags = Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
      if (span.operationName === 'faultline.withheld') {
        // Repeats still held when the process or page went away, per fingerprint (parallel arrays).
        const fps = JSON.parse(tags['faultline.withheld.fingerprints'] ?? '[]');
        const counts = JSON.parse(tags['faultline.withheld.duplicates'] ?? '[]');
        fps.forEach((fp, i) => {
          group(fp).duplicates += Number(counts[i] ?? 0);
        });
        continue;
      }
      if (span.operationName !== 'exception') continue;
      // Breadcrumbs come first among the span's events; the exception event is the one named so.
      const events = (span.logs ?? []).map((log) => Object.fromEntries(log.fields.map((f) => [f.key, f.value])));
      const event = events.find((e) => e.event === 'exception') ?? {};
      const g = group(tags['faultline.fingerprint']);
      g.reports++;
      g.duplicates += Number(event['faultline.duplicates'] ?? 0);
      g.type = event['exception.type'];
      g.message = event['exception.message'];
      g.mechanism = tags['faultline.mechanism'];
      g.crumbs = events.filter((e) => String(e.event).startsWith('breadcrumb.')).length;
    }
  }
  console.log(`  service ${service}:`);
  if (groups.size === 0) console.log('    (nothing yet)');
  for (const [fp, g] of groups) {
    if (g.reports === 0) continue; // its report is older than the lookback
    // Times it happened: its reports, plus the repeats collapsed into them.
    const seen = g.reports + g.duplicates;
    const how = g.duplicates ? ` (${g.reports} reported, ${g.duplicates} collapsed)` : '';
    console.log(
      `    ${fp}  x${seen}${how}  ${g.mechanism}  ${g.type}: ${g.message}${g.crumbs ? `  (${g.crumbs} breadcrumb${g.crumbs === 1 ? '' : 's'} before it)` : ''}`,
    );
  }
}

console.log(`\nlook at them yourself (Jaeger's HTTP API; this build has no UI):
  curl '${stack.urls.jaegerQuery}/api/services'
  curl '${stack.urls.jaegerQuery}/api/traces?service=demo-orders-api&limit=20'
  curl '${stack.urls.jaegerQuery}/api/traces?service=demo-checkout&tags=%7B%22error.type%22%3A%22TypeError%22%7D'
send your own app's errors: OTEL_EXPORTER_OTLP_ENDPOINT=${stack.urls.otlpHttp} node --require @faultline/node/register app.js
Ctrl-C stops the collector and Jaeger.`);
if (process.env.FAULTLINE_DEMO_EXIT === '1') await stop();
