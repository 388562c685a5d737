// Symbolication end to end (issue 12): a web app built by rollup + terser with source maps, uploaded with
// `faultline sourcemaps upload`, served to headless Chromium with faultline's script tag; its errors must
// reach Jaeger with original files, lines and function names, and two builds that differ only in unrelated
// code must give the same fingerprints. Node stacks pass untouched.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
// @ts-expect-error: a plain ESM build script without types
import { buildApp } from '../../examples/web-bundled/build.mjs';
import { agentReady, flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, getTrace, tagsOf, waitForExceptionSpans, waitForTrace } from '../support/jaeger.mjs';
import { exceptionSpan, sendOtlp } from '../support/otlp.mjs';

const stack = inject('stack' as never) as {
  urls: { otlpTraces: string; jaegerQuery: string };
  sourcemapStore: string;
};
const cli = new URL('../../packages/cli/bin/faultline.mjs', import.meta.url).pathname;
const run = Date.now() % 100000;
const service = `shop-web-${run}`;
const RELEASE = '1.4.2';
const BUGS = ['missing-items', 'declined-card', 'unknown-coupon'] as const;
const BUILDS = ['a', 'b'] as const;

const page = (build: string, bundle: string) => `<!doctype html><html><head>
<script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}"
  data-release="${RELEASE}"></script>
<script src="/${build}/${bundle}"></script></head><body></body></html>`;

let browser: Browser;
let server: { close(): Promise<unknown> };
const dirs: string[] = [];
const bundles: Record<string, string> = {};
/** Jaeger's exception spans of the service, by build and bug. */
const spans: Record<string, any> = {};

beforeAll(async () => {
  const pages: Record<string, string> = {};
  for (const build of BUILDS) {
    const dir = mkdtempSync(join(tmpdir(), `faultline-app-${build}-`));
    dirs.push(dir);
    // Build b has unrelated code in front of the app: every minified name and column moves.
    bundles[build] = await buildApp({ outDir: dir, withPadding: build === 'b' });
    for (const file of readdirSync(dir)) pages[`/${build}/${file}`] = readFileSync(join(dir, file), 'utf8');
    pages[`/${build}/index.html`] = page(build, bundles[build] as string);
    const { stdout } = await promisify(execFile)(process.execPath, [
      cli,
      'sourcemaps',
      'upload',
      '--service',
      service,
      '--release',
      RELEASE,
      '--url-prefix',
      `${PAGE_ORIGIN}/${build}/`,
      dir,
    ]);
    expect(stdout).toContain(`uploaded ${bundles[build]}`);
  }
  // The maps themselves are never served: the page gets the bundles only.
  for (const path of Object.keys(pages)) if (path.endsWith('.map')) delete pages[path];
  server = await servePages(pages);
  browser = await launchChromium();
  for (const build of BUILDS) {
    const tab = await browser.newPage();
    await tab.goto(`${PAGE_ORIGIN}/${build}/index.html`);
    await agentReady(tab);
    for (const bug of BUGS) {
      await tab.evaluate((kind) => (window as any).shop.fail(kind), bug);
      await tab.waitForTimeout(50);
    }
    await flushAgent(tab);
    await tab.close();
  }
  const found = await waitForExceptionSpans(stack.urls.jaegerQuery, service, BUGS.length * BUILDS.length, 20_000);
  expect(found).toHaveLength(BUGS.length * BUILDS.length);
  for (const span of found) {
    const event = eventOf(span) as Record<string, string>;
    const build = /\/(a|b)\/app\./.exec(event['exception.stacktrace.minified'] ?? '')?.[1];
    const bug = event['exception.message'].includes('reduce')
      ? 'missing-items'
      : event['exception.message'].includes('checkout failed')
        ? 'declined-card'
        : 'unknown-coupon';
    spans[`${build}/${bug}`] = { span, event, tags: Object.fromEntries(span.tags.map((t: any) => [t.key, t.value])) };
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('browser stacks symbolicated from uploaded source maps', () => {
  it.each(BUILDS)('build %s: every error reaches Jaeger with original files, lines and function names', (build) => {
    const missing = spans[`${build}/missing-items`];
    expect(missing.event['faultline.symbolication']).toBe('mapped');
    expect(missing.tags['faultline.symbolication']).toBe('mapped');
    // faultline's own report: not marked (faultline.exception is for other SDKs' exceptions).
    expect(missing.tags['faultline.exception']).toBeUndefined();
    expect(missing.event['exception.stacktrace']).toMatch(
      new RegExp(
        [
          "^TypeError: Cannot read properties of undefined \\(reading 'reduce'\\)",
          '    at Cart\\.total \\(src/cart\\.js:8:\\d+\\)',
          '    at submitOrder \\(src/checkout\\.js:9:\\d+\\)',
          '    at checkout \\(src/checkout\\.js:5:\\d+\\)',
        ].join('\n'),
      ),
    );
    expect(missing.event['exception.stacktrace.minified']).toContain(`${PAGE_ORIGIN}/${build}/${bundles[build]}:1:`);
    // A few lines of the original source around the innermost frame.
    expect(missing.event['faultline.source_context']).toContain(
      '> 8 |     return this.items.reduce((sum, item) => sum + item.price * item.quantity, 0);',
    );

    const coupon = spans[`${build}/unknown-coupon`];
    expect(coupon.event['exception.stacktrace']).toMatch(
      /^RangeError: unknown coupon NOPE\n {4}at Cart\.applyCoupon \(src\/cart\.js:13:\d+\)\n {4}at redeem \(src\/checkout\.js:23:\d+\)/,
    );
  });

  it.each(BUILDS)('build %s: cause chains keep their sections, each mapped', (build) => {
    const declined = spans[`${build}/declined-card`].event['exception.stacktrace'] as string;
    expect(declined).toMatch(/^Error: checkout failed\n {4}at submitOrder \(src\/checkout\.js:13:\d+\)/);
    expect(declined).toMatch(
      /\nCaused by: TypeError: card declined for 200\n {4}at chargeCard \(src\/checkout\.js:18:\d+\)\n {4}at submitOrder \(src\/checkout\.js:11:\d+\)/,
    );
  });

  it('two builds that differ only in unrelated code give the same fingerprints', () => {
    for (const bug of BUGS) {
      const a = spans[`a/${bug}`];
      const b = spans[`b/${bug}`];
      expect(a.tags['faultline.fingerprint'], bug).toBe(b.tags['faultline.fingerprint']);
      expect(a.event['faultline.fingerprint']).toBe(a.tags['faultline.fingerprint']);
      // ...while the minified stacks, which the agent's own fingerprint hashed, differ.
      expect(a.event['exception.stacktrace.minified']).not.toBe(b.event['exception.stacktrace.minified']);
    }
    expect(new Set(BUGS.map((bug) => spans[`a/${bug}`].tags['faultline.fingerprint'])).size).toBe(BUGS.length);
  });

  it('passes Node stacks untouched', async () => {
    // A Node service's stack that names the uploaded bundle's URL: still not a browser stack.
    const text = `TypeError: x is undefined\n    at handler (${PAGE_ORIGIN}/a/${bundles.a}:1:10)`;
    const { traceId, payload } = exceptionSpan({
      resource: { 'service.name': service, 'service.version': RELEASE, 'telemetry.sdk.language': 'nodejs' },
      attributes: { 'faultline.fingerprint': 'aaaabbbbccccdddd' },
      event: { 'exception.type': 'TypeError', 'exception.message': 'x is undefined', 'exception.stacktrace': text },
    });
    expect((await sendOtlp(stack.urls.otlpTraces, payload)).status).toBe(200);
    const trace = await waitForTrace(stack.urls.jaegerQuery, traceId);
    const event = eventOf(trace.spans[0]);
    expect(event?.['exception.stacktrace']).toBe(text);
    expect(event?.['faultline.symbolication']).toBeUndefined();
    expect(tagsOf(trace)).toMatchObject({ 'faultline.fingerprint': 'aaaabbbbccccdddd' });
    // A report in faultline's shape (a span named exception with a fingerprint) is not marked: the view
    // reads those by name.
    expect(tagsOf(trace)['faultline.exception']).toBeUndefined();
  });

  it('a release without maps passes unchanged with faultline.symbolication=no_map', async () => {
    const text = `TypeError: x is undefined\n    at e (${PAGE_ORIGIN}/a/${bundles.a}:1:10)`;
    const { traceId, payload } = exceptionSpan({
      resource: { 'service.name': service, 'service.version': '9.9.9', 'telemetry.sdk.language': 'webjs' },
      attributes: { 'faultline.fingerprint': 'aaaabbbbccccdddd' },
      event: { 'exception.type': 'TypeError', 'exception.message': 'x is undefined', 'exception.stacktrace': text },
    });
    expect((await sendOtlp(stack.urls.otlpTraces, payload)).status).toBe(200);
    const trace =
      (await waitForTrace(stack.urls.jaegerQuery, traceId)) ?? (await getTrace(stack.urls.jaegerQuery, traceId));
    expect(eventOf(trace.spans[0])?.['exception.stacktrace']).toBe(text);
    expect(tagsOf(trace)).toMatchObject({
      'faultline.symbolication': 'no_map',
      'faultline.fingerprint': 'aaaabbbbccccdddd',
    });
  });
});
