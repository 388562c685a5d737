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
import { bundleExample } from './bundle.mjs';

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
  // The framework examples, bundled as their apps would be: React at /react/, Vue at /vue/, Angular at /angular/.
  const apps = {};
  for (const [name, entry, root] of [
    ['react', 'react-shop/src/main.jsx', '<div id="root"></div>'],
    ['vue', 'vue-shop/main.js', '<div id="app"></div>'],
    ['angular', 'angular-shop/main.js', '<app-root></app-root>'],
  ])
    apps[name] = {
      script: await bundleExample(join(here, entry)),
      html: `<!doctype html><html><head><title>${name} shop</title></head><body>${root}
<script>window.FAULTLINE_ENDPOINT = ${JSON.stringify(stack.urls.otlpTraces)};</script><script src="/${name}/app.js"></script></body></html>`,
    };
  const server = createServer((req, res) => {
    if (req.url === '/faultline.min.js') return res.writeHead(200, { 'content-type': 'text/javascript' }).end(agent);
    if (req.url === '/' || req.url === '/index.html')
      return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    const app = apps[req.url.split('/')[1]];
    if (app && req.url.endsWith('/')) return res.writeHead(200, { 'content-type': 'text/html' }).end(app.html);
    if (app && req.url.endsWith('/app.js'))
      return res.writeHead(200, { 'content-type': 'text/javascript' }).end(app.script);
    res.writeHead(503).end(); // the "API" is down
  });
  await new Promise((resolve) => server.listen(WEB_PORT, '127.0.0.1', resolve));
  children.add({ kill: () => server.close() });
  return { url: `http://localhost:${WEB_PORT}/`, appUrl: (name) => `http://localhost:${WEB_PORT}/${name}/` };
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
// The Node frameworks (node-frameworks/): each server gets a request that fails and one the app answers with
// a 404, then is stopped; the preload reports the 5xx alone, with the request.
const frameworks = [
  ['express', 'Express 5', ['/orders/42', '/orders/42/invoice', '/coupons/WINTER']],
  ['fastify', 'Fastify 5', ['/orders/42', '/coupons/WINTER']],
  ['koa', 'Koa 3', ['/orders/42', '/coupons']],
  ['hapi', 'hapi 21', ['/orders/42', '/coupons']],
  ['nest', 'NestJS 11', ['/orders/42', '/orders/missing']],
];
for (const [name, label, paths] of frameworks)
  results.push([
    `demo-${name}-api`,
    `node-frameworks/${name}.js (${label}: ${paths.length} requests, the 5xx reported)`,
    await run(`demo-${name}-api`, join(here, `node-frameworks/${name}.js`), {
      onStdout: async (text, child) => {
        const port = /listening (\d+)/.exec(text)?.[1];
        if (!port) return;
        for (const path of paths) await fetch(`http://127.0.0.1:${port}${path}`).catch(() => {});
        await new Promise((r) => setTimeout(r, 1500)); // the agent sends handled errors in the background
        child.kill('SIGTERM');
      },
    }),
  ]);
for (const [, what, r] of results) console.log(`  ${what}: ${r.code === null ? 'stopped' : `exit code ${r.code}`}`);

// The web example: the script tag on a page served on http://localhost:8080 (an origin the collector allows).
const web = await serveWebExample();
results.push(['demo-shop-web', 'web/index.html (script tag: click handler TypeError, unhandled fetch rejection)']);
results.push(['demo-shop-react', 'react-shop (ErrorBoundary: render TypeError; click handler TypeError)']);
results.push(['demo-shop-vue', 'vue-shop (render TypeError)'], ['demo-shop-angular', 'angular-shop (click TypeError)']);
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
  for (const [name, ready, click] of [
    ['react', '#fallback', '#apply'],
    ['vue', '#app', undefined],
    ['angular', '#pay', '#pay'],
  ]) {
    const tab = await browser.newPage();
    await tab.goto(web.appUrl(name));
    await tab.waitForSelector(ready, { state: 'attached' });
    if (click) await tab.click(click);
    await tab.waitForTimeout(500);
    await tab.close(); // pagehide: the agent delivers what it holds
  }
  await browser.close();
  console.log(`  web/index.html in headless Chromium: clicked Add, then Pay`);
  console.log('  react-shop, vue-shop, angular-shop in headless Chromium: a render error (React: caught by its');
  console.log('  boundary, then Apply coupon), a render error (Vue), a click handler error (Angular)');
} else {
  console.log(`  web/index.html: open ${web.url} in a browser and click Pay (no Chromium found at ${CHROMIUM})`);
  console.log(`  react-shop, vue-shop, angular-shop: open ${web.appUrl('react')} (and /vue/, /angular/) and click`);
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
