// @faultline/browser's script tag in headless Chromium, against the real collector and Jaeger: each page
// throws one kind of error; the report must be in Jaeger with the right exception attributes and context.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, exceptionSpans, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;

interface Case {
  name: string;
  body: string;
  report: { type: string; message: string | RegExp; mechanism: string } | null;
  /** Span attributes the report must carry. */
  tags?: Record<string, unknown>;
  /** Extra attributes on the agent's script tag. */
  agentAttributes?: string;
  /** Extra markup after the agent's script tag. */
  head?: string;
  /** Markup before the agent's script tag (window.faultlineConfig). */
  preamble?: string;
  /** Changes to the context every report carries; `undefined` means the page cannot give it. */
  context?: Record<string, unknown>;
}

const cases: Case[] = [
  {
    name: 'TypeError in a timer',
    body: 'setTimeout(() => { null.f(); }, 10);',
    report: { type: 'TypeError', message: /Cannot read properties of null/, mechanism: 'onerror' },
  },
  {
    name: 'thrown string',
    body: "setTimeout(() => { throw 'a thrown string'; }, 10);",
    report: { type: 'string', message: 'a thrown string', mechanism: 'onerror' },
  },
  {
    name: 'throw null',
    body: 'setTimeout(() => { throw null; }, 10);',
    report: { type: 'null', message: 'null', mechanism: 'onerror' },
  },
  {
    name: 'rejection with an Error and a cause',
    body: "Promise.reject(new Error('checkout failed', { cause: new RangeError('total < 0') }));",
    report: { type: 'Error', message: 'checkout failed', mechanism: 'onunhandledrejection' },
  },
  {
    name: 'rejection with undefined',
    body: 'Promise.reject(undefined);',
    report: { type: 'undefined', message: 'undefined', mechanism: 'onunhandledrejection' },
  },
  {
    name: 'rejection with a DOMException',
    body: "Promise.reject(new DOMException('The user aborted a request.', 'AbortError'));",
    report: { type: 'AbortError', message: 'The user aborted a request.', mechanism: 'onunhandledrejection' },
  },
  {
    name: 'error in an event listener after a click',
    body: "document.body.innerHTML = '<button id=\"buy\">Buy now</button>';\ndocument.getElementById('buy').addEventListener('click', () => { throw new Error('click handler failed'); });\nsetTimeout(() => document.getElementById('buy').click(), 10);",
    report: { type: 'Error', message: 'click handler failed', mechanism: 'onerror' },
  },
  { name: 'a caught error is not reported', body: "try { throw new Error('caught'); } catch (e) {}", report: null },
  {
    name: 'thrown by an inline script',
    body: "throw new TypeError('inline script failed');",
    report: { type: 'TypeError', message: 'inline script failed', mechanism: 'onerror' },
  },
  {
    name: 'syntax error in a script',
    body: 'let broken = ;',
    report: { type: 'SyntaxError', message: /Unexpected token/, mechanism: 'onerror' },
  },
  {
    name: 'rejection with a bare Event',
    body: "Promise.reject(new Event('load-failed'));",
    report: { type: 'Event', message: /load-failed/, mechanism: 'onunhandledrejection' },
  },
  {
    name: 'CustomEvent whose detail.reason holds the real reason (promise libraries)',
    body: "window.dispatchEvent(new CustomEvent('unhandledrejection', { detail: { reason: new RangeError('from a promise library') } }));",
    report: { type: 'RangeError', message: 'from a promise library', mechanism: 'onunhandledrejection' },
  },
  {
    name: 'rejection with a circular object',
    body: "const o = { code: 'E_LOOP', reason: 'circular' }; o.self = o; Promise.reject(o);",
    report: { type: 'Object', message: /E_LOOP/, mechanism: 'onunhandledrejection' },
  },
  {
    name: 'AggregateError rejection',
    body: "Promise.any([Promise.reject(new Error('mirror a down')), Promise.reject(new Error('mirror b down'))]);",
    report: { type: 'AggregateError', message: 'All promises were rejected', mechanism: 'onunhandledrejection' },
    tags: { 'error.type': 'AggregateError' },
  },
  {
    name: 'cross-origin script: "Script error." with a hint',
    body: '',
    head: `<script src="${PAGE_ORIGIN.replace('localhost', '127.0.0.1')}/throws.js"></script>`,
    report: { type: 'Error', message: /^Script error\.?$/, mechanism: 'onerror' },
    tags: { 'faultline.hint': expect.stringMatching(/crossorigin/) },
  },
  {
    name: 'resource load failure, when enabled',
    body: '',
    agentAttributes: 'data-capture-resource-errors="true"',
    head: '<img src="/missing.png" alt="">',
    report: { type: 'Event', message: /missing\.png/, mechanism: 'resource' },
  },
  {
    name: 'beforeSend drops one report and changes another',
    preamble:
      "<script>window.faultlineConfig = { beforeSend: (r) => r.record.message.includes('ignore') ? null : ((r.attributes['app.checked'] = true), r) };</script>",
    body: "setTimeout(() => { throw new Error('ignore me'); }, 0);\nsetTimeout(() => { throw new TypeError('keep me'); }, 5);",
    report: { type: 'TypeError', message: 'keep me', mechanism: 'onerror' },
    tags: { 'app.checked': true },
  },
  {
    name: 'a page that froze fetch, XMLHttpRequest and history still gets its reports',
    preamble:
      "<script>Object.defineProperty(window, 'fetch', { value: window.fetch, writable: false, configurable: false }); Object.freeze(History.prototype); Object.freeze(XMLHttpRequest.prototype);</script>",
    body: "setTimeout(() => { throw new Error('frozen page'); }, 0);",
    report: { type: 'Error', message: 'frozen page', mechanism: 'onerror' },
  },
  {
    name: 'a global config JSON cannot show (BigInt, a cycle): warned about, the agent still starts',
    preamble:
      '<script>const loop = {}; loop.self = loop; window.faultlineConfig = { rateLimit: { burst: 10n }, exceptionSignal: loop };</script>',
    body: "setTimeout(() => { throw new Error('odd config'); }, 0);",
    report: { type: 'Error', message: 'odd config', mechanism: 'onerror' },
  },
  {
    name: 'client hints a browser or an extension broke: the report goes out without them',
    preamble:
      "<script>Object.defineProperty(Navigator.prototype, 'userAgentData', { get: () => ({ platform: 'Linux', mobile: false, brands: null }) });</script>",
    body: "setTimeout(() => { throw new Error('odd client hints'); }, 0);",
    report: { type: 'Error', message: 'odd client hints', mechanism: 'onerror' },
    context: { 'browser.brands': undefined },
  },
  {
    name: 'a plain-http page (no crypto.randomUUID outside secure contexts)',
    preamble: '<script>delete Crypto.prototype.randomUUID;</script>',
    body: "setTimeout(() => { throw new Error('insecure context'); }, 0);",
    report: { type: 'Error', message: 'insecure context', mechanism: 'onerror' },
  },
  {
    name: 'user and context set before the error',
    body: "window.faultline.setUser({ id: 'u-42', username: 'ada' });\nwindow.faultline.setContext('cart', { items: 3, coupon: 'WINTER' });\nsetTimeout(() => { throw new Error('checkout with a user'); }, 10);",
    report: { type: 'Error', message: 'checkout with a user', mechanism: 'onerror' },
    tags: {
      'user.id': 'u-42',
      'user.name': 'ada',
      'context.cart.items': 3,
      'context.cart.coupon': 'WINTER',
    },
  },
  {
    // A throwing getter or proxy trap in what the app passes must neither throw back nor turn the agent off.
    name: 'API calls with hostile arguments: nothing thrown into the page, the agent keeps working',
    body: `const trap = () => { throw new Error('trap'); };
const hostile = new Proxy({}, { get: trap, ownKeys: trap, getOwnPropertyDescriptor: trap });
const threw = [];
for (const [name, call] of [
  ['setUser', () => window.faultline.setUser(hostile)],
  ['setContext', () => window.faultline.setContext('cart', hostile)],
  ['setContext without a name', () => window.faultline.setContext(hostile, { a: 1 })],
  ['addBreadcrumb', () => window.faultline.addBreadcrumb({ toString: trap }, hostile)],
]) { try { call(); } catch { threw.push(name); } }
window.faultline.setUser({ id: 7, email: { toString: trap } });
window.faultline.setContext('cart', { items: 2, get coupon() { return trap(); } });
const e = new Error('hostile api: ' + (threw.join(', ') || 'none threw'));
window.faultline.captureException(e, hostile);
setTimeout(() => { throw e; }, 10);`,
    report: { type: 'Error', message: 'hostile api: none threw', mechanism: 'manual' },
    tags: { 'user.id': '7', 'context.cart.items': 2 },
  },
  {
    name: 'captured by hand, then rethrown: reported once',
    body: "const e = new Error('captured then rethrown');\nwindow.faultline.captureException(e);\nsetTimeout(() => { throw e; }, 10);",
    report: { type: 'Error', message: 'captured then rethrown', mechanism: 'manual' },
  },
];

const page = (c: Case, i: number) => `<!doctype html><html><head>
${c.preamble ?? ''}
<script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="web-${run}-${i}" data-release="1.4.2" data-environment="staging" ${c.agentAttributes ?? ''}></script>
${c.head ?? ''}
</head><body><script>
${c.body}
</script></body></html>`;

let browser: Browser;
let server: { close(): Promise<unknown> };

beforeAll(async () => {
  server = await servePages({
    ...Object.fromEntries(cases.map((c, i) => [`/case-${i}.html`, page(c, i)])),
    // Served to the pages from another origin (127.0.0.1 instead of localhost), without crossorigin.
    '/throws.js': "throw new Error('hidden by the browser');",
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('@faultline/browser script tag in Chromium', () => {
  cases.forEach((c, i) => {
    it(c.name, async () => {
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(`${PAGE_ORIGIN}/case-${i}.html`);
      await tab.waitForTimeout(300);
      await flushAgent(tab);
      await context.close(); // the page goes away: pagehide delivers what is left
      const service = `web-${run}-${i}`;
      if (c.report) await waitForExceptionSpans(stack.urls.jaegerQuery, service, 1, 10_000);
      await new Promise((r) => setTimeout(r, 500)); // a second report, if any, would be there by now
      const spans = await exceptionSpans(stack.urls.jaegerQuery, service);
      if (!c.report) {
        expect(spans).toHaveLength(0);
        return;
      }
      const messages = spans.map((s) => eventOf(s as never)?.['exception.message']);
      expect(spans, `exactly one report, got ${JSON.stringify(messages)}`).toHaveLength(1);
      const span = spans[0] as {
        tags: { key: string; value: unknown }[];
        logs: { fields: { key: string; value: unknown }[] }[];
      };
      const event = eventOf(span as never) as Record<string, unknown>;
      expect(event, 'the exception event').toMatchObject({
        'exception.type': c.report.type,
        'exception.message':
          typeof c.report.message === 'string' ? c.report.message : expect.stringMatching(c.report.message),
        'faultline.mechanism': c.report.mechanism,
      });
      const tags = Object.fromEntries(span.tags.map((t) => [t.key, t.value]));
      // All context checks in one assertion, so that a failure shows every tag.
      const expected: Record<string, unknown> = {
        'url.full': `${PAGE_ORIGIN}/case-${i}.html`,
        'user_agent.original': expect.stringMatching(/Chrome/),
        'session.id': expect.stringMatching(/^[0-9a-f-]{36}$/),
        'faultline.page_view.id': expect.stringMatching(/^[0-9a-f]{16}$/),
        'faultline.viewport': '1280x720',
        'browser.platform': 'Linux',
        'browser.mobile': false,
        'browser.brands': expect.stringMatching(/Chromium \d+/),
        ...c.context,
      };
      for (const key of Object.keys(expected)) if (expected[key] === undefined) delete expected[key];
      expect(tags, 'the report context').toMatchObject(expected);
      for (const [key, value] of Object.entries(c.tags ?? {})) expect(tags[key], key).toEqual(value);
    });
  });

  it('records the click before the error as a breadcrumb span event', async () => {
    const service = `web-${run}-6`;
    const spans = await exceptionSpans(stack.urls.jaegerQuery, service);
    const names = (spans[0] as { logs: { fields: { key: string; value: unknown }[] }[] }).logs.map(
      (l) => l.fields.find((f) => f.key === 'event')?.value,
    );
    expect(names).toEqual(['breadcrumb.click', 'exception']);
  });
});
