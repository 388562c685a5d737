// The browser framework suites (React, Vue, Angular): an app bundled by esbuild as an app's own build would
// (production mode), served in pages that load it with faultline's ESM build (the app calls init()), with the
// script tag, or without faultline; and what each page observed. The app reads `window.appConfig` and counts
// what the page sees in `window.seen`; it sets `window.rendered` once mounted and `window.flushFaultline`.
import { build } from 'esbuild';
import { expect } from 'vitest';
import { launchChromium, PAGE_ORIGIN, servePages } from './browser.mjs';
import { eventOf, exceptionSpans, waitForExceptionSpans } from './jaeger.mjs';

export const MODES = ['esm', 'script-tag', 'plain'];

/** esbuild in production mode, as an app's own build: one file of `input`'s (entryPoints or stdin) code. */
async function bundle(input) {
  const result = await build({
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    define: {
      'process.env.NODE_ENV': '"production"',
      // Vue's esm-bundler build asks its bundler for these.
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
    logLevel: 'silent',
    ...input,
  });
  return result.outputFiles[0].text;
}

/** The app at `entry` (a file URL) as one IIFE. */
export function bundleApp(entry) {
  return bundle({ entryPoints: [new URL(entry).pathname] });
}

/** A page running `script` (a path on the page server) with `config` as window.appConfig. */
export function appPage(mode, config, script) {
  const agent =
    mode === 'script-tag'
      ? `<script src="/faultline.min.js" data-endpoint="${config.endpoint}" data-service-name="${config.serviceName}"></script>`
      : '';
  return `<!doctype html><html><head>${agent}<script>window.appConfig = ${JSON.stringify({ mode, ...config })};</script></head>
<body><div id="root"></div><script src="${script}"></script></body></html>`;
}

/** Opens `path`, clicks `click` if given, and returns what the page observed (then lets it deliver). */
export async function observe(browser, path, { click, mode } = {}) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const pageErrors = [];
  tab.on('pageerror', (e) => pageErrors.push(e.message));
  await tab.goto(`${PAGE_ORIGIN}${path}`);
  await tab.waitForFunction(() => window.rendered === true);
  if (click) await tab.click(click);
  // Every case shows the page something (an error event, a console.error, the app handler's call): wait for
  // that, however busy the machine, then a moment for anything more it would see.
  await tab.waitForFunction(() => Object.values(window.seen).some((n) => n > 0), null, { timeout: 30_000 });
  await tab.waitForTimeout(200);
  const observed = {
    ...(await tab.evaluate(() => window.seen)),
    fallback: await tab.locator('#fallback').count(),
    pageErrors: pageErrors.length,
  };
  if (mode !== 'plain') await tab.evaluate(() => window.flushFaultline());
  await context.close(); // pagehide delivers what is left
  return observed;
}

/** Span tags as an object. */
export const tagsOf = (span) => Object.fromEntries((span.tags ?? []).map((t) => [t.key, t.value]));

/** `contents` (an ES module importing packages) bundled and minified as an app's build would: what it costs. */
export function bundleSnippet(contents) {
  return bundle({ stdin: { contents, resolveDir: import.meta.dirname, loader: 'js' }, format: 'esm', minify: true });
}

/** Names of one run of the app `name`: its service per mode, and a tag that makes each case's message unique. */
export function appRun(name) {
  const run = Date.now() % 100000;
  return { name, service: (mode) => `${name}-${mode}-${run}`, tag: (mode, i) => `${mode}-${i}-${run}` };
}

/**
 * Serves the app of `run` (appRun; bundled from `entry`) and one page per mode and case (its window.appConfig:
 * `configOf(case)`, the case's tag, and where to send), opens each once (clicking the selector
 * `clickOf(case)` gives, if any), and returns what each observed, by `${mode} ${i}`.
 */
export async function observeAppPages({ run, entry, cases, endpoint, configOf, clickOf = () => undefined }) {
  const { name, service, tag } = run;
  const pages = { [`/${name}-app.js`]: await bundleApp(entry) };
  for (const mode of MODES)
    for (const [i, c] of cases.entries()) {
      const config = { ...configOf(c), tag: tag(mode, i), endpoint, serviceName: service(mode) };
      pages[`/${name}-${mode}-${i}.html`] = appPage(mode, config, `/${name}-app.js`);
    }
  const server = await servePages(pages);
  const browser = await launchChromium();
  const observed = {};
  try {
    for (const mode of MODES)
      for (const [i, c] of cases.entries())
        observed[`${mode} ${i}`] = await observe(browser, `/${name}-${mode}-${i}.html`, { mode, click: clickOf(c) });
  } finally {
    await browser.close();
    await server.close();
  }
  return observed;
}

/** The exception spans of `service` once `count` are there (and a moment later, so that a second report of
 * anything would be there too), each with its message and tags. */
export async function reportsOf(queryUrl, service, count) {
  await waitForExceptionSpans(queryUrl, service, count, 15_000);
  await new Promise((r) => setTimeout(r, 500));
  const spans = await exceptionSpans(queryUrl, service);
  return spans.map((span) => ({ message: String(eventOf(span)?.['exception.message']), tags: tagsOf(span) }));
}

/** What the page of case `i` observed: `expected` without faultline, and the same with either agent. */
export function expectSameWithAndWithout(observed, i, expected) {
  const plain = observed[`plain ${i}`];
  expect(plain).toEqual(expected);
  expect(observed[`esm ${i}`]).toEqual(plain);
  expect(observed[`script-tag ${i}`]).toEqual(plain);
}
