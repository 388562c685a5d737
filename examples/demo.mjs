// The demo (npm start): the real collector and Jaeger, the example apps throwing real errors with the
// faultline agents, then what Jaeger stored, grouped by fingerprint, and how to look at it yourself.
// Ctrl-C stops everything it started.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from '../collector-config/stack.mjs';

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

// What Jaeger stored, grouped by fingerprint.
await new Promise((r) => setTimeout(r, 1500));
console.log('\nwhat Jaeger stored, grouped by faultline.fingerprint:');
for (const [service] of results) {
  const res = await fetch(`${stack.urls.jaegerQuery}/api/traces?service=${service}&limit=100&lookback=1h`);
  const traces = (await res.json()).data ?? [];
  const groups = new Map();
  for (const trace of traces) {
    for (const span of trace.spans.filter((s) => s.operationName === 'exception')) {
      const tags = Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
      const event = Object.fromEntries((span.logs[0]?.fields ?? []).map((f) => [f.key, f.value]));
      const key = tags['faultline.fingerprint'];
      const group = groups.get(key) ?? {
        count: 0,
        type: event['exception.type'],
        message: event['exception.message'],
        mechanism: tags['faultline.mechanism'],
      };
      group.count++;
      groups.set(key, group);
    }
  }
  console.log(`  service ${service}:`);
  if (groups.size === 0) console.log('    (nothing yet)');
  for (const [fp, g] of groups) console.log(`    ${fp}  x${g.count}  ${g.mechanism}  ${g.type}: ${g.message}`);
}

console.log(`\nlook at them yourself (Jaeger's HTTP API; this build has no UI):
  curl '${stack.urls.jaegerQuery}/api/services'
  curl '${stack.urls.jaegerQuery}/api/traces?service=demo-orders-api&limit=20'
  curl '${stack.urls.jaegerQuery}/api/traces?service=demo-checkout&tags=%7B%22error.type%22%3A%22TypeError%22%7D'
send your own app's errors: OTEL_EXPORTER_OTLP_ENDPOINT=${stack.urls.otlpHttp} node --require @faultline/node/register app.js
Ctrl-C stops the collector and Jaeger.`);
if (process.env.FAULTLINE_DEMO_EXIT === '1') await stop();
