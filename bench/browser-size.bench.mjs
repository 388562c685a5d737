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
const entries = {
  '@faultline/browser (ESM import, whole agent)': {
    cwd: dir,
    source: `import { init } from ${JSON.stringify(join(here, '../packages/browser/dist/index.mjs'))};\ninit({ endpoint: '${URL_}', serviceName: 'shop' });`,
    // One @opentelemetry/api, the browser package's, as in an app (in this workspace, core's own
    // node_modules would bring a second copy for its tests).
    plugins: [oneApi(join(here, '../packages/browser'))],
  },
  '@sentry/browser (errors only)': `import * as Sentry from '@sentry/browser';\nSentry.init({ dsn: 'https://public@sentry.example/1' });`,
  '@grafana/faro-web-sdk (errors only)': `import { initializeFaro, ErrorsInstrumentation } from '@grafana/faro-web-sdk';\ninitializeFaro({ url: '${URL_}', app: { name: 'shop' }, instrumentations: [new ErrorsInstrumentation()] });`,
  '@splunk/otel-web': `import SplunkRum from '@splunk/otel-web';\nSplunkRum.init({ realm: 'us0', rumAccessToken: 'x', applicationName: 'shop' });`,
  '@honeycombio/opentelemetry-web': `import { HoneycombWebSDK } from '@honeycombio/opentelemetry-web';\nnew HoneycombWebSDK({ apiKey: 'x', serviceName: 'shop' }).start();`,
  'plain OpenTelemetry web tracer + OTLP exporter': `import { WebTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-web';\nimport { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';\nconst p = new WebTracerProvider({ spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: '${URL_}' }))] });\np.getTracer('x').startSpan('exception').end();`,
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
  const { cwd, source, plugins = [] } = typeof spec === 'string' ? { cwd: dir, source: spec } : spec;
  const entry = join(cwd, `entry-${Object.keys(rows).length}.mjs`);
  writeFileSync(entry, source);
  try {
    const result = await esbuild.build({
      entryPoints: [entry],
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
