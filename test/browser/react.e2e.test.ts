// @faultline/react in Chromium, with React 19 bundled by esbuild as an app would be (production build). A
// component throws in render, in an effect, in an event handler, and in render with no boundary above it.
// Each case runs three times: with faultline's ESM build (init()), with the script tag (the bundled
// @faultline/react reports through window.faultline), and without faultline. What the page observes (the
// boundary's fallback, error events, console.error calls) must be the same in all three, and each error
// must be in Jaeger exactly once, with its mechanism and the component stack.
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, exceptionSpans, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;

type Mode = 'esm' | 'script-tag' | 'plain';
interface Case {
  name: string;
  /** The app's case (react-app.jsx). */
  case: 'render' | 'effect' | 'click' | 'uncaught';
  rootOptions?: false;
  /** What the report says, when faultline is on the page. */
  mechanism: string;
  handled: boolean;
  message: (tag: string) => string;
  /** Components the component stack names (none for an event handler: React is not involved). */
  components: string[];
  /** What the page observes, with or without faultline: React's own behaviour. */
  page: { fallback: number; errorEvents: number; consoleErrors: number };
}

const cases: Case[] = [
  {
    name: 'a component that throws in render, under a boundary: the fallback, and the caught error reported',
    case: 'render',
    mechanism: 'react.caught',
    handled: true,
    message: (tag) => `render ${tag}`,
    components: ['ThrowsInRender', 'Shop'],
    page: { fallback: 1, errorEvents: 0, consoleErrors: 1 },
  },
  {
    name: 'the same without the root options: the boundary reports it',
    case: 'render',
    rootOptions: false,
    mechanism: 'react.error_boundary',
    handled: true,
    message: (tag) => `render ${tag}`,
    components: ['ThrowsInRender', 'Shop'],
    page: { fallback: 1, errorEvents: 0, consoleErrors: 1 },
  },
  {
    name: 'a component whose effect throws, under a boundary',
    case: 'effect',
    mechanism: 'react.caught',
    handled: true,
    message: (tag) => `effect ${tag}`,
    components: ['ThrowsInEffect'],
    page: { fallback: 1, errorEvents: 0, consoleErrors: 1 },
  },
  {
    name: 'an event handler that throws: the page error event, as without React integration',
    case: 'click',
    mechanism: 'onerror',
    handled: false,
    message: (tag) => `click ${tag}`,
    components: [],
    page: { fallback: 0, errorEvents: 1, consoleErrors: 0 },
  },
  {
    name: 'a render error no boundary catches: React 19 onUncaughtError, still reported to the page',
    case: 'uncaught',
    mechanism: 'react.uncaught',
    handled: false,
    message: (tag) => `uncaught ${tag}`,
    components: ['ThrowsInRender', 'Shop'],
    page: { fallback: 0, errorEvents: 1, consoleErrors: 0 },
  },
];

const modes: Mode[] = ['esm', 'script-tag', 'plain'];
const service = (mode: Mode) => `react-${mode}-${run}`;
const tagOf = (mode: Mode, i: number) => `${mode}-${i}-${run}`;

const page = (mode: Mode, i: number) => {
  const c = cases[i] as Case;
  const config = {
    mode,
    case: c.case,
    rootOptions: c.rootOptions,
    tag: tagOf(mode, i),
    endpoint: stack.urls.otlpTraces,
    serviceName: service(mode),
  };
  const agent =
    mode === 'script-tag'
      ? `<script src="/faultline.min.js" data-endpoint="${config.endpoint}" data-service-name="${config.serviceName}"></script>`
      : '';
  return `<!doctype html><html><head>${agent}<script>window.appConfig = ${JSON.stringify(config)};</script></head>
<body><div id="root"></div><script src="/react-app.js"></script></body></html>`;
};

let browser: Browser;
let server: { close(): Promise<unknown> };
/** What each page observed, by mode and case. */
const observed: Record<string, unknown> = {};

beforeAll(async () => {
  const bundled = await build({
    entryPoints: [fileURLToPath(new URL('apps/react-app.jsx', import.meta.url))],
    bundle: true,
    write: false,
    format: 'iife',
    jsx: 'automatic',
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const pages: Record<string, string> = { '/react-app.js': bundled.outputFiles[0]?.text as string };
  for (const mode of modes) for (const i of cases.keys()) pages[`/react-${mode}-${i}.html`] = page(mode, i);
  server = await servePages(pages);
  browser = await launchChromium();
  // Every page once, in each mode; the tests below read what they observed and what Jaeger holds.
  for (const mode of modes) {
    for (const [i, c] of cases.entries()) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      const pageErrors: string[] = [];
      tab.on('pageerror', (e) => pageErrors.push(e.message));
      await tab.goto(`${PAGE_ORIGIN}/react-${mode}-${i}.html`);
      await tab.waitForFunction(() => (window as unknown as { rendered?: boolean }).rendered === true);
      if (c.case === 'click') await tab.click('#boom');
      await tab.waitForTimeout(200);
      observed[`${mode} ${i}`] = {
        ...(await tab.evaluate(() => (window as unknown as { seen: object }).seen)),
        fallback: await tab.locator('#fallback').count(),
        pageErrors: pageErrors.length,
      };
      if (mode !== 'plain')
        await tab.evaluate(() => (window as unknown as { flushFaultline(): Promise<void> }).flushFaultline());
      await context.close(); // pagehide delivers what is left
    }
  }
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('@faultline/react in Chromium (React 19)', () => {
  const spansOf = async (mode: Mode) => {
    await waitForExceptionSpans(stack.urls.jaegerQuery, service(mode), cases.length, 15_000);
    await new Promise((r) => setTimeout(r, 500)); // a second report of any case would be there by now
    return exceptionSpans(stack.urls.jaegerQuery, service(mode));
  };

  for (const mode of ['esm', 'script-tag'] as const) {
    it(`${mode}: every case reported once, with its mechanism and component stack`, async () => {
      const spans = (await spansOf(mode)) as { tags: { key: string; value: unknown }[] }[];
      const byMessage = new Map<string, (typeof spans)[number][]>();
      for (const span of spans) {
        const message = String(eventOf(span as never)?.['exception.message']);
        byMessage.set(message, [...(byMessage.get(message) ?? []), span]);
      }
      cases.forEach((c, i) => {
        const message = c.message(tagOf(mode, i));
        const found = byMessage.get(message) ?? [];
        expect(found, `${c.name}: one report of "${message}"`).toHaveLength(1);
        const tags = Object.fromEntries((found[0]?.tags ?? []).map((t) => [t.key, t.value]));
        expect(tags['faultline.mechanism'], c.name).toBe(c.mechanism);
        expect(tags['faultline.handled'], c.name).toBe(c.handled);
        const componentStack = tags['react.component_stack'];
        if (c.components.length === 0) expect(componentStack, c.name).toBeUndefined();
        for (const name of c.components) expect(componentStack, c.name).toMatch(new RegExp(`\\bat ${name}\\b`));
      });
      expect(spans).toHaveLength(cases.length);
    });
  }

  cases.forEach((c, i) => {
    it(`the page observes the same with and without faultline: ${c.name}`, () => {
      const plain = observed[`plain ${i}`];
      expect(plain).toEqual({ ...c.page, pageErrors: c.page.errorEvents });
      expect(observed[`esm ${i}`]).toEqual(plain);
      expect(observed[`script-tag ${i}`]).toEqual(plain);
    });
  });
});

describe('@faultline/react in a bundle', () => {
  const bundle = async (contents: string) =>
    (
      await build({
        stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
        bundle: true,
        write: false,
        format: 'esm',
        minify: true,
        define: { 'process.env.NODE_ENV': '"production"' },
        logLevel: 'silent',
      })
    ).outputFiles[0]?.text as string;

  it('tree-shakes to nothing when imported and unused, and to the root options alone when only they are used', async () => {
    expect((await bundle("import '@faultline/react';")).trim()).toBe('');
    const rootOnly = await bundle("import { rootOptions } from '@faultline/react'; window.options = rootOptions();");
    expect(rootOnly).toContain('react.uncaught');
    expect(rootOnly).not.toContain('getDerivedStateFromError');
    expect(rootOnly).not.toContain('react.error_boundary');
  });
});
