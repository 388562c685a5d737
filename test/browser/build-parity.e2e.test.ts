// The two builds of @faultline/browser store the same thing (issue 15): the script tag writes its OTLP/JSON
// itself, the ESM build goes through the OpenTelemetry SDK and its OTLP exporter. The same pages, run once
// with each build in headless Chromium against the real collector and Jaeger, must leave spans that are equal
// tag by tag (key, type and value) and event by event (name, fields, their types), with the same resource
// and scope; only what differs by nature is left out: ids, timestamps, the session and page-view ids, and
// the service name each build reports under (so that the two sets can be told apart).
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { agentReady, flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventually, findTraces } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;
const browserPackage = resolve(import.meta.dirname, '../../packages/browser');

/** `source` bundled for a page the way an app's bundler would (OpenTelemetry from the browser package). */
async function bundle(source: string): Promise<string> {
  const require = createRequire(resolve(browserPackage, 'package.json'));
  const { rollup } = require('rollup');
  const { nodeResolve } = require('@rollup/plugin-node-resolve');
  const entry = '\0parity-entry';
  const bundle = await rollup({
    input: entry,
    plugins: [
      {
        name: 'parity-entry',
        resolveId: (id: string) => (id === entry ? entry : null),
        load: (id: string) => (id === entry ? source : null),
      },
      nodeResolve({ browser: true, rootDir: browserPackage, dedupe: ['@opentelemetry/api'] }),
    ],
    onwarn: () => {},
  });
  const { output } = await bundle.generate({ format: 'iife', inlineDynamicImports: true });
  await bundle.close();
  return output[0].code;
}

/** The ESM build (dist/index.mjs), with its SDK. */
const esmBuild = () =>
  bundle(`import * as faultline from ${JSON.stringify(resolve(browserPackage, 'dist/index.mjs'))};
    faultline.init(window.faultlineConfig);
    window.faultline = faultline;`);

/** An app's own OpenTelemetry setup, registered on the global API (a tracer provider exporting to the
 * collector, a context manager), as a page that traces itself has it: window.appTracing(url, service). */
const appTracing = () =>
  bundle(`import { context, trace } from '@opentelemetry/api';
    import { SimpleSpanProcessor, StackContextManager, TracerProvider } from '@opentelemetry/sdk-trace';
    import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
    import { resourceFromAttributes } from '@opentelemetry/resources';
    window.appTracing = (url, serviceName) => {
      const provider = new TracerProvider({
        resource: resourceFromAttributes({ 'service.name': serviceName, 'app.part': 'checkout' }),
        spanProcessors: [new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })],
      });
      trace.setGlobalTracerProvider(provider);
      context.setGlobalContextManager(new StackContextManager().enable());
      return { tracer: provider.getTracer('shop-app'), flush: () => provider.forceFlush() };
    };`);

interface Case {
  name: string;
  /** The page's script; it ends by resolving `window.done`. */
  body: string;
  /** Spans each build must store for it. */
  spans: number;
  /** What the script tag's spans must show besides being equal to the ESM build's. */
  check?: (spans: Record<string, ReturnType<typeof comparable>>) => void;
}

// Each page touches what the writer must encode: strings, integers, doubles, booleans, string arrays
// (browser.brands, the cause chain), breadcrumbs of every kind with their own attributes, user and context,
// the status, the withheld span with its parallel arrays.
const cases: Case[] = [
  {
    name: 'an uncaught TypeError after a click, a console error, a failed fetch and a navigation',
    body: `document.body.innerHTML = '<button id="buy" class="primary big">Buy now</button>';
      document.getElementById('buy').click();
      console.error('payment widget', 42);
      await fetch('/missing.json', { method: 'POST' });
      history.pushState({}, '', '#checkout');
      setTimeout(() => { null.total; }, 0);`,
    spans: 1,
  },
  {
    name: 'a rejection with a cause, a custom breadcrumb of every value type, user and context',
    body: `faultline.addBreadcrumb('cart updated', { items: 3, total: 12.5, express: true, coupon: 'SPRING', big: 2 ** 40, negative: -7 });
      faultline.setUser({ id: 42, email: 'ann@example.com', username: 'ann' });
      faultline.setContext('cart', { currency: 'EUR', lines: 2, gift: false });
      Promise.reject(new Error('checkout failed', { cause: new RangeError('total < 0') }));`,
    spans: 1,
  },
  {
    name: 'captureException with attributes, an AggregateError, a thrown object',
    body: `faultline.captureException(new SyntaxError('bad coupon'), { attributes: { 'order.id': 'A-17', attempt: 2, ratio: 0.25, retried: true } });
      Promise.any([Promise.reject(new Error('mirror a down')), Promise.reject(new Error('mirror b down'))]);
      setTimeout(() => { throw { code: 'E_QUOTA', limit: 100 }; }, 0);`,
    spans: 3,
  },
  {
    // The page traces itself: faultline's span is a child of the app's active span in either build, and the
    // app's span carries the exception event too.
    name: "an error captured inside the app's own active span joins the app's trace",
    body: `const app = appTracing(faultlineConfig.endpoint, faultlineConfig.serviceName);
      app.tracer.startActiveSpan('checkout', (span) => {
        faultline.captureException(new Error('inside the app span'));
        span.end();
      });
      await app.flush();`,
    spans: 2,
    check: (spans) => {
      expect(spans['exception Error: inside the app span']?.references).toEqual([['CHILD_OF', 'checkout']]);
      const events = spans['checkout ']?.events ?? [];
      expect(JSON.stringify(events)).toContain('"exception.message","string","inside the app span"');
    },
  },
  {
    name: 'an error storm: one report, its duplicates counted on the withheld span',
    body: `for (let i = 0; i < 6; i++) setTimeout(() => { throw new Error('stormy ' + 'weather'); }, 0);`,
    // the report, and the faultline.withheld span the flush sends for the 5 duplicates
    spans: 2,
  },
];

/** What must be equal between the builds: everything Jaeger stored but ids, times and the session. */
function comparable(trace: JaegerTrace, span: JaegerSpan) {
  const skip = new Set(['session.id', 'faultline.page_view.id']);
  const tags = (list: JaegerTag[]) =>
    list
      .filter((t) => !skip.has(t.key))
      .map((t) => [t.key, t.type, t.value])
      .sort((a, b) => String(a[0]).localeCompare(String(b[0])));
  const process = trace.processes[span.processID];
  return {
    operationName: span.operationName,
    flags: span.flags,
    // Parents by what they are (the ids differ from run to run).
    references: span.references.map((r) => [r.refType, trace.spans.find((s) => s.spanID === r.spanID)?.operationName]),
    resource: tags((process?.tags ?? []).filter((t) => t.key !== 'service.name')),
    tags: tags(span.tags),
    // Events in order (breadcrumbs, oldest first, then the exception), each with every field and its type.
    events: [...(span.logs ?? [])].sort((a, b) => a.timestamp - b.timestamp).map((log) => tags(log.fields)),
    // Jaeger's own notes (a zero-length span's "Negative duration detected..."), without the times they name,
    // and without its clock-skew notes: those measure the page's wall clock (the report's time) against its
    // performance clock (the app's span) at that load, which drift apart by milliseconds in either build.
    warnings: (span.warnings ?? [])
      .filter((w) => !w.startsWith('clock skew adjustment'))
      .map((w) => w.replace(/\d{4}-\d\d-\d\d [\d:.]+ \+0000 UTC/g, '<time>')),
  };
}

interface JaegerTag {
  key: string;
  type: string;
  value: unknown;
}
interface JaegerSpan {
  spanID: string;
  operationName: string;
  flags: number;
  references: { refType: string; spanID: string }[];
  processID: string;
  tags: JaegerTag[];
  logs?: { timestamp: number; fields: JaegerTag[] }[];
  warnings?: string[] | null;
}
interface JaegerTrace {
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
}

/** A key that tells one case's spans apart within a service: its operation and the message it carries. */
function keyOf(span: JaegerSpan): string {
  const message = span.tags.find((t) => t.key === 'otel.status_description')?.value;
  return `${span.operationName} ${message ?? ''}`;
}

describe('the script tag and the ESM build store the same spans', () => {
  let browser: Browser;
  let server: { close(): Promise<void> };
  let build: 'script' | 'esm' = 'script';
  let esm = '';
  let app = '';
  const service = (b: string, i: number) => `parity-${b}-${run}-${i}`;

  beforeAll(async () => {
    esm = await esmBuild();
    app = await appTracing();
    const pages: Record<string, string | (() => string)> = { '/faultline-esm.js': esm, '/app-tracing.js': app };
    cases.forEach((c, i) => {
      // One line for the agent in either build: the page's own line numbers (and so its stacks and
      // fingerprints) are the same.
      pages[`/parity-${i}.html`] = () => {
        const config = `window.faultlineConfig = { endpoint: '${stack.urls.otlpTraces}', serviceName: '${service(build, i)}', release: '2.0.${i}', environment: 'parity' };`;
        const agent =
          build === 'script'
            ? '<script src="/faultline.min.js"></script>'
            : '<script src="/faultline-esm.js"></script>';
        return `<!doctype html><html><head><script>${config}</script>${agent}<script src="/app-tracing.js"></script></head><body><script>
window.done = (async () => {
${c.body}
})();
</script></body></html>`;
      };
    });
    server = await servePages(pages);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('bundles the ESM build with the OpenTelemetry SDK in it (the script tag has none)', () => {
    expect(esm).toContain('BatchSpanProcessor');
  });

  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      for (const b of ['script', 'esm'] as const) {
        build = b;
        const tab = await browser.newPage();
        tab.on('pageerror', () => {});
        await tab.goto(`${PAGE_ORIGIN}/parity-${i}.html`);
        await agentReady(tab);
        await tab.evaluate(() => (window as unknown as { done: Promise<void> }).done);
        await tab.waitForTimeout(100); // the timers the page set
        await flushAgent(tab);
        await tab.close();
      }
      const stored = async (b: string) =>
        eventually(
          async () => {
            const traces = (await findTraces(stack.urls.jaegerQuery, { service: service(b, i) })) as JaegerTrace[];
            const spans = traces.flatMap((t) => t.spans.map((s) => ({ trace: t, span: s })));
            return spans.length >= c.spans ? spans : undefined;
          },
          { what: `${c.spans} spans of ${service(b, i)}` },
        );
      const [script, esmSpans] = [await stored('script'), await stored('esm')];
      expect(script).toHaveLength(c.spans);
      expect(esmSpans).toHaveLength(c.spans);
      const byKey = (list: typeof script) =>
        Object.fromEntries(list.map(({ trace, span }) => [keyOf(span), comparable(trace, span)]));
      const fromScript = byKey(script);
      const fromEsm = byKey(esmSpans);
      expect(Object.keys(fromScript).sort()).toEqual(Object.keys(fromEsm).sort());
      for (const key of Object.keys(fromEsm)) expect({ key, ...fromScript[key] }).toEqual({ key, ...fromEsm[key] });
      c.check?.(fromScript);
      // Not vacuous: the spans hold what the page did (events, typed values, the resource).
      const all = JSON.stringify(fromScript);
      expect(all).toContain('"deployment.environment.name","string","parity"');
      expect(all).toContain('exception.stacktrace');
    });
  }
});
