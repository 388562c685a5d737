// The demo (npm start): the real collector, Jaeger (Badger), the faultline view, Prometheus and
// Alertmanager, the example apps throwing real errors with the faultline agents, then the issues as the view
// shows them, and where to look; the alerts Alertmanager sends are printed as they arrive.
// Ctrl-C stops everything it started; Jaeger's store and the view's state stay in FAULTLINE_DATA.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dataHome, startAlerting, startStack } from '../collector-config/stack.mjs';
import { parseOptions, startView } from '../packages/view/dist/index.mjs';
import { buildReactShop } from './react-shop/build.mjs';

const CHROMIUM = process.env.FAULTLINE_CHROMIUM || '/usr/bin/chromium';
const WEB_PORT = 8080;
const VIEW_PORT = Number(process.env.FAULTLINE_VIEW_PORT || 8090);

const here = dirname(fileURLToPath(import.meta.url));
const register = join(here, '../packages/node/dist/register');
const children = new Set();

const stack = await startStack().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
const view = await startView(
  parseOptions([
    '--port',
    String(VIEW_PORT),
    '--jaeger',
    stack.urls.jaegerQuery,
    '--data',
    join(dataHome(), 'view'),
    '--poll-interval',
    '1s',
  ]),
).catch(async (err) => {
  console.error(`faultline: the view could not start: ${err.message}`);
  await stack.stop();
  process.exit(1);
});
// Prometheus scrapes the collector's error counts and evaluates the alert rules; Alertmanager sends the
// alerts to a receiver here, which prints them (collector-config/prometheus/).
let alertArrived;
const firstAlert = new Promise((resolve) => {
  alertArrived = resolve;
});
const alerting = await startAlerting({
  ports: stack.ports,
  dataDir: dataHome(),
  onAlert(a) {
    console.log(
      `alert  ${String(a.status).padEnd(8)}  ${a.labels?.alertname}  ${a.labels?.service_name ?? ''}  ${a.annotations?.summary ?? ''}`,
    );
    alertArrived();
  },
}).catch((err) => {
  console.error(`faultline: Prometheus or Alertmanager could not start (${err.message}); going on without alerts`);
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  await alerting?.stop();
  await view.close();
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

console.log(`\ncollector  ${stack.urls.otlpHttp}  (OTLP/HTTP; gRPC on ${stack.urls.otlpGrpc})`);
console.log(`jaeger     ${stack.urls.jaegerQuery}  (query API; Badger in ${join(dataHome(), 'jaeger')})`);
console.log(`view       ${view.url}/  (the issues page)`);
if (alerting) {
  console.log(
    `prometheus http://127.0.0.1:${stack.ports.prometheus}/  (error counts: faultline_exceptions_total; alert rules)`,
  );
  console.log(
    `alerts     http://127.0.0.1:${stack.ports.alertmanager}/  (Alertmanager, sending to this demo, printed below)`,
  );
}
console.log('');

/** Serves examples/web on http://localhost:8080 with the agent's script tag pointed at the collector, and
 * the React example (examples/react-shop, bundled with @faultline/browser's ESM build) at /react/. */
async function serveWebExample() {
  const html = readFileSync(join(here, 'web/index.html'), 'utf8').replace('__ENDPOINT__', stack.urls.otlpTraces);
  const agent = readFileSync(join(here, '../packages/browser/dist/faultline.min.js'));
  const reactApp = await buildReactShop();
  const reactHtml = `<!doctype html><html><head><title>React shop</title></head><body><div id="root"></div>
<script>window.FAULTLINE_ENDPOINT = ${JSON.stringify(stack.urls.otlpTraces)};</script><script src="/react/app.js"></script></body></html>`;
  const server = createServer((req, res) => {
    if (req.url === '/faultline.min.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(agent);
    if (req.url === '/' || req.url === '/index.html')
      return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    if (req.url === '/react/') return res.writeHead(200, { 'content-type': 'text/html' }).end(reactHtml);
    if (req.url === '/react/app.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(reactApp);
    res.writeHead(503).end(); // the "API" is down
  });
  await new Promise((resolve) => server.listen(WEB_PORT, '127.0.0.1', resolve));
  children.add({ kill: () => server.close() });
  return { url: `http://localhost:${WEB_PORT}/`, reactUrl: `http://localhost:${WEB_PORT}/react/` };
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
results.push(['demo-shop-react', 'react-shop (ErrorBoundary: render TypeError; click handler TypeError)']);
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
  const react = await browser.newPage();
  await react.goto(web.reactUrl);
  await react.waitForSelector('#fallback');
  await react.click('#apply');
  await react.waitForTimeout(500);
  await react.close();
  await browser.close();
  console.log(`  web/index.html in headless Chromium: clicked Add, then Pay`);
  console.log(
    `  react-shop (React 19, @faultline/react) in headless Chromium: a render error its boundary caught, then Apply coupon`,
  );
} else {
  console.log(`  web/index.html: open ${web.url} in a browser and click Pay (no Chromium found at ${CHROMIUM})`);
  console.log(`  react-shop: open ${web.reactUrl} and click Apply coupon`);
}

// What the view shows: the issues, grouped by fingerprint, with their counts.
await new Promise((r) => setTimeout(r, 1500));
await view.pollNow();
const demoServices = new Set(results.map(([service]) => service));
const { issues } = await (await fetch(`${view.url}/api/issues?status=&sort=events`)).json();
console.log(`\nwhat the view shows (${view.url}/), the examples' issues:`);
for (const issue of issues.filter((i) => i.services.some((s) => demoServices.has(s)))) {
  const where = issue.culprit ? `  at ${issue.culprit}` : '';
  console.log(
    `  ${String(issue.events).padStart(4)}x  ${issue.status.padEnd(10)}  ${issue.service}  ${issue.title}${where}`,
  );
}

console.log(`
look at them:
  the issues page       ${view.url}/
  the same, as JSON     curl '${view.url}/api/issues'
  Jaeger's query API    curl '${stack.urls.jaegerQuery}/api/traces?service=demo-orders-api&limit=20'
  error counts          curl 'http://127.0.0.1:${stack.ports.prometheus}/api/v1/query?query=faultline_exceptions_total'
  the crashes fire FaultlineCrash (and FaultlineNewExceptionType) within about a minute: printed here as
  'alert  firing ...' when Alertmanager sends them
send your own app's errors: OTEL_EXPORTER_OTLP_ENDPOINT=${stack.urls.otlpHttp} node --require @faultline/node/register app.js
Ctrl-C stops the view, the collector and Jaeger (what they stored stays in ${dataHome()}).`);
if (process.env.FAULTLINE_DEMO_EXIT === '1') {
  // Exit mode (a check that the demo works end to end): wait for the first alert, at most 3 minutes.
  if (alerting) await Promise.race([firstAlert, new Promise((r) => setTimeout(r, 180_000))]);
  await stop();
}
