// Bytes a page pays for error capture: faultline and its peers, each an errors-only setup bundled the same
// way in one run (esbuild, minified IIFE for the browser, gzip -9). Results: BENCHMARKS.md.
// The peers are installed for the benchmark only, into bench/.peers-browser.
// Run: node bench/browser-size.bench.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ensurePeers } from './peers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '.peers-browser');
const PEERS = {
  esbuild: '0.28.2',
  '@sentry/browser': '11.12.0',
  '@grafana/faro-web-sdk': '2.12.1',
  '@splunk/otel-web': '2.5.1',
  '@honeycombio/opentelemetry-web': '1.5.1',
  '@opentelemetry/sdk-trace-web': '2.12.0',
  '@opentelemetry/exporter-trace-otlp-http': '0.223.0',
};
ensurePeers(dir, PEERS);
// The OpenTelemetry JS 3.x line (what @faultline/browser is built on) needs a folder of its own.
const otel3 = join(here, '.peers-browser-otel3');
ensurePeers(otel3, {
  '@opentelemetry/api': '1.10.0',
  '@opentelemetry/sdk-trace': '3.1.0',
  '@opentelemetry/exporter-trace-otlp-http': '0.301.0',
});

const URL_ = 'https://collector.example/v1/traces';

/** An esbuild plugin resolving every `@opentelemetry/api` import from `packageDir`. */
function oneApi(packageDir) {
  return {
    name: 'one-opentelemetry-api',
    setup(build) {
      build.onResolve({ filter: /^@opentelemetry\/api$/ }, (args) =>
        args.pluginData === 'one-api'
          ? undefined
          : build.resolve(args.path, { kind: args.kind, resolveDir: packageDir, pluginData: 'one-api' }),
      );
    },
  };
}
/** A tree-shaken Sentry setup: BrowserClient with exactly the named integrations. */
function sentryClient(integrations) {
  const names = integrations.split(', ');
  return `import { BrowserClient, defaultStackParser, makeFetchTransport, getCurrentScope, ${integrations} } from '@sentry/browser';
const client = new BrowserClient({ dsn: 'https://public@sentry.example/1', transport: makeFetchTransport, stackParser: defaultStackParser, integrations: [${names.map((n) => `${n}()`).join(', ')}] });
getCurrentScope().setClient(client);
client.init();`;
}
const entries = {
  '@faultline/browser (ESM import, whole agent)': {
    cwd: dir,
    source: `import { init } from ${JSON.stringify(join(here, '../packages/browser/dist/index.mjs'))};\ninit({ endpoint: '${URL_}', serviceName: 'shop' });`,
    // One @opentelemetry/api, the browser package's, as in an app (in this workspace, core's own
    // node_modules would bring a second copy for its tests).
    plugins: [oneApi(join(here, '../packages/browser'))],
  },
  '@sentry/browser (Sentry.init: every default integration)': `import * as Sentry from '@sentry/browser';\nSentry.init({ dsn: 'https://public@sentry.example/1' });`,
  // Sentry's documented tree-shakable setup: a client of its own instead of init(), which pulls in every
  // default integration. Errors only (what the issue measured at 20.9 KB), then with what faultline does
  // besides: dedupe, breadcrumbs, page context.
  '@sentry/browser (BrowserClient: global handlers + linked errors)': sentryClient(
    'globalHandlersIntegration, linkedErrorsIntegration',
  ),
  '@sentry/browser (BrowserClient, same features as faultline)': sentryClient(
    'globalHandlersIntegration, linkedErrorsIntegration, dedupeIntegration, breadcrumbsIntegration, httpContextIntegration',
  ),
  '@grafana/faro-web-sdk (errors only)': `import { initializeFaro, ErrorsInstrumentation } from '@grafana/faro-web-sdk';\ninitializeFaro({ url: '${URL_}', app: { name: 'shop' }, instrumentations: [new ErrorsInstrumentation()] });`,
  '@splunk/otel-web': `import SplunkRum from '@splunk/otel-web';\nSplunkRum.init({ realm: 'us0', rumAccessToken: 'x', applicationName: 'shop' });`,
  '@honeycombio/opentelemetry-web': `import { HoneycombWebSDK } from '@honeycombio/opentelemetry-web';\nnew HoneycombWebSDK({ apiKey: 'x', serviceName: 'shop' }).start();`,
  'plain OpenTelemetry web tracer + OTLP exporter': `import { WebTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-web';\nimport { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';\nconst p = new WebTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: '${URL_}' }))] });\np.getTracer('x').startSpan('exception').end();`,
  // The floor under target (b): exactly the OpenTelemetry parts the agent imports, at the versions it pins,
  // resolved from the browser package itself. The whole agent minus this is what faultline's own code costs.
  'the OpenTelemetry parts @faultline/browser uses (SDK floor)': {
    cwd: dir,
    resolveDir: join(here, '../packages/browser'),
    source: `import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';\nimport { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';\nimport { resourceFromAttributes } from '@opentelemetry/resources';\nimport { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';\nconst p = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'shop' }), spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: '${URL_}' }) })] });\np.getTracer('x').startSpan('exception').end();\nglobalThis.s = JsonTraceSerializer;`,
    plugins: [oneApi(join(here, '../packages/browser'))],
  },
  'plain OpenTelemetry 3.x tracer + OTLP exporter': {
    cwd: otel3,
    source: `import { TracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace';\nimport { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';\nconst p = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: '${URL_}' }) })] });\np.getTracer('x').startSpan('exception').end();`,
  },
};

const rows = {};
const loader = readFileSync(join(here, '../packages/browser/dist/faultline-loader.min.js'));
rows['@faultline/browser early-capture loader (dist/faultline-loader.min.js)'] = {
  'min KB': (loader.length / 1024).toFixed(1),
  'min+gzip KB': (gzipSync(loader, { level: 9 }).length / 1024).toFixed(1),
};
const scriptTag = readFileSync(join(here, '../packages/browser/dist/faultline.min.js'));
rows['@faultline/browser script tag (dist/faultline.min.js, as shipped)'] = {
  'min KB': (scriptTag.length / 1024).toFixed(1),
  'min+gzip KB': (gzipSync(scriptTag, { level: 9 }).length / 1024).toFixed(1),
};
const esbuild = createRequire(join(dir, 'package.json'))('esbuild');
for (const [name, spec] of Object.entries(entries)) {
  const { cwd, source, resolveDir, plugins = [] } = typeof spec === 'string' ? { cwd: dir, source: spec } : spec;
  // An entry that must resolve from a workspace package is passed on stdin, so no file is written there.
  const entry = join(cwd, `entry-${Object.keys(rows).length}.mjs`);
  if (!resolveDir) writeFileSync(entry, source);
  try {
    const result = await esbuild.build({
      ...(resolveDir ? { stdin: { contents: source, resolveDir, loader: 'js' } } : { entryPoints: [entry] }),
      absWorkingDir: cwd,
      bundle: true,
      minify: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2020',
      logLevel: 'silent',
      write: false,
      // faultline's logs pipeline is a dynamic-import chunk, loaded only when log records are asked for;
      // an IIFE build would inline it, so it stays out (as it does from a code-splitting app bundle).
      external: ['./logs-*'],
      plugins,
    });
    const out = result.outputFiles[0].contents;
    rows[name] = {
      'min KB': (out.length / 1024).toFixed(1),
      'min+gzip KB': (gzipSync(out, { level: 9 }).length / 1024).toFixed(1),
    };
  } catch (err) {
    rows[name] = { error: String(err.message).slice(0, 120) };
  }
}
console.log('Minified + gzip -9 size of an errors-only setup (esbuild, IIFE, browser):');
console.table(rows);
const tag = Number(rows['@faultline/browser script tag (dist/faultline.min.js, as shipped)']['min+gzip KB']);
const loaderKb = Number(rows['@faultline/browser early-capture loader (dist/faultline-loader.min.js)']['min+gzip KB']);
console.log(
  `script tag, the whole default agent without the OpenTelemetry SDK (issue 15): ${tag} KB min+gzip, target 16 KB ${tag <= 16 ? 'met' : 'not met'}; loader ${loaderKb} KB, target 2 KB ${loaderKb <= 2 ? 'met' : 'not met'}`,
);
const whole = Number(rows['@faultline/browser (ESM import, whole agent)']?.['min+gzip KB']);
const floor = Number(rows['the OpenTelemetry parts @faultline/browser uses (SDK floor)']?.['min+gzip KB']);
if (whole && floor)
  console.log(
    `ESM build (keeps the SDK, shared with the app's own OpenTelemetry): faultline's own code on top of the SDK floor ${(whole - floor).toFixed(1)} KB min+gzip`,
  );
