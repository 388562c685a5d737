// Delivery under a struggling collector, in Chromium against the real collector and Jaeger: the page really
// receives a 429 with Retry-After, or 503s, from an interception in front of the collector (playwright's
// route), and the reports must still reach Jaeger exactly once, without a retry storm. Also: failed
// requests and navigation recorded as breadcrumbs.
import type { Browser, BrowserContext, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;
const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet'];
const cors = { 'access-control-allow-origin': PAGE_ORIGIN, 'access-control-expose-headers': 'retry-after' };

const page = (service: string) => `<!doctype html><html><head>
<script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}"></script>
<script>
  window.throwError = (message) => setTimeout(() => { throw new Error(message); }, 0);
</script></head><body></body></html>`;

let browser: Browser;
let server: { close(): Promise<unknown> };
beforeAll(async () => {
  server = await servePages({
    '/retry-after.html': page(`retry-after-${run}`),
    '/breaker.html': page(`breaker-${run}`),
    '/crumbs.html': page(`crumbs-${run}`),
    '/bare.html': `<!doctype html><html><head><script>
      // A locked-down page: no fetch, no beacon, storage that throws.
      delete window.fetch;
      delete Navigator.prototype.sendBeacon;
      for (const name of ['localStorage', 'sessionStorage'])
        Object.defineProperty(window, name, { get() { throw new DOMException('denied', 'SecurityError'); } });
      window.seen = [];
      window.onerror = (message) => { window.seen.push(String(message)); };
    </script>
    <script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="bare-${run}"></script>
    </head><body><script>
      setTimeout(() => { throw new Error('first'); }, 0);
      setTimeout(() => { Promise.reject(new Error('second')); }, 0);
      setTimeout(() => { window.faultline.flush().then(() => { window.done = true; }); }, 50);
    </script></body></html>`,
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

type Tab = Awaited<ReturnType<BrowserContext['newPage']>>;
const throwError = (tab: Tab, message: string) =>
  tab.evaluate((m) => (window as unknown as { throwError(m: string): void }).throwError(m), message);

/** Requests the page makes to the collector, with when each was made. */
function interceptCollector(context: BrowserContext, answer: (n: number, route: Route) => Promise<void>) {
  const posts: number[] = [];
  const handler = async (route: Route) => {
    if (route.request().method() !== 'POST') return route.continue();
    posts.push(Date.now());
    await answer(posts.length, route);
  };
  return {
    posts,
    ready: context.route(stack.urls.otlpTraces, handler),
    stop: () => context.unroute(stack.urls.otlpTraces, handler),
  };
}

describe('delivery', () => {
  it('waits as long as Retry-After says after a 429, then delivers once', async () => {
    const context = await browser.newContext();
    const collector = interceptCollector(context, (n, route) =>
      n === 1 ? route.fulfill({ status: 429, headers: { ...cors, 'retry-after': '3' }, body: '' }) : route.continue(),
    );
    await collector.ready;
    const tab = await context.newPage();
    await tab.goto(`${PAGE_ORIGIN}/retry-after.html`);
    await throwError(tab, 'throttled');
    await tab.waitForTimeout(100);
    await flushAgent(tab);
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, `retry-after-${run}`, 1, 20_000);
    await tab.waitForTimeout(500);
    await context.close();
    expect(spans.map((s) => eventOf(s as never)?.['exception.message'])).toEqual(['throttled']);
    expect(collector.posts.length).toBeGreaterThanOrEqual(2);
    // Without Retry-After the exporter would retry after about 1 s.
    expect((collector.posts[1] as number) - (collector.posts[0] as number)).toBeGreaterThanOrEqual(2900);
  });

  it('stops sending while the collector keeps failing, then delivers everything once', async () => {
    const context = await browser.newContext();
    let down = true;
    const collector = interceptCollector(context, (_n, route) =>
      down ? route.fulfill({ status: 503, headers: cors, body: '' }) : route.continue(),
    );
    await collector.ready;
    const tab = await context.newPage();
    await tab.goto(`${PAGE_ORIGIN}/breaker.html`);
    await throwError(tab, 'first failure');
    await tab.waitForTimeout(100);
    await flushAgent(tab); // the exporter retries with backoff within its timeout, then the circuit opens
    const tried = collector.posts.length;
    expect(tried).toBeGreaterThanOrEqual(2);
    expect(tried).toBeLessThanOrEqual(6);
    // While the circuit is open, more errors go to storage, not to the network.
    // (Distinct words: messages that differ only in numbers are one error, deduplicated.)
    for (const word of WORDS) {
      await throwError(tab, `storm ${word}`);
      await flushAgent(tab);
    }
    expect(collector.posts.length).toBe(tried);
    const stored = await tab.evaluate(() => JSON.parse(localStorage.getItem('faultline.spool') ?? '[]').length);
    expect(stored).toBeGreaterThanOrEqual(2);
    // The collector recovers: the probe after the cool-down sends what was kept, oldest first.
    down = false;
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, `breaker-${run}`, 11, 30_000);
    await tab.waitForTimeout(1000);
    expect(await tab.evaluate(() => localStorage.getItem('faultline.spool'))).toBeNull();
    await context.close();
    const messages = spans.map((s) => String(eventOf(s as never)?.['exception.message'])).sort();
    expect(messages).toEqual(['first failure', ...WORDS.map((w) => `storm ${w}`)].sort());
  }, 60_000);

  it('never breaks a page without fetch, beacon or storage', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const pageErrors: string[] = [];
    const warnings: string[] = [];
    tab.on('pageerror', (e) => pageErrors.push(e.message));
    tab.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await tab.goto(`${PAGE_ORIGIN}/bare.html`);
    await tab.waitForFunction(() => (window as unknown as { done?: boolean }).done === true);
    // The page's own handler saw its error; the only uncaught errors are the page's own.
    expect(await tab.evaluate(() => (window as unknown as { seen: string[] }).seen)).toEqual(['Uncaught Error: first']);
    expect(pageErrors.sort()).toEqual(['first', 'second']);
    expect(warnings.filter((w) => w.includes('faultline'))).toEqual([]);
    await context.close();
  });

  it('records failed fetch and XHR requests and navigation as breadcrumbs', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${PAGE_ORIGIN}/crumbs.html`);
    await tab.evaluate(async () => {
      await fetch('/missing.json'); // 404 from the page server
      await fetch('/crumbs.html'); // 200: not a breadcrumb
      await new Promise((done) => {
        const xhr = new XMLHttpRequest();
        xhr.open('GET', 'http://127.0.0.1:9/refused'); // nothing listens: a network error
        xhr.addEventListener('loadend', done);
        xhr.send();
      });
      history.pushState({}, '', '/checkout?step=2');
      console.error('payment failed:', new Error('card declined'));
      // An argument whose message getter throws: console.error must still not throw.
      const hostile = new Error('hidden');
      Object.defineProperty(hostile, 'message', {
        get() {
          throw new Error('getter');
        },
      });
      console.error(hostile);
      (window as unknown as { throwError(m: string): void }).throwError('after the requests');
    });
    await tab.waitForTimeout(100);
    await flushAgent(tab);
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, `crumbs-${run}`, 1);
    await context.close();
    const logs = (spans[0] as { logs: { fields: { key: string; value: unknown }[] }[] }).logs.map((l) =>
      Object.fromEntries(l.fields.map((f) => [f.key, f.value])),
    );
    const crumbs = logs.filter((l) => String(l.event).startsWith('breadcrumb.'));
    // In the order they happened (the XHR's loadend comes after the page's own listener has navigated).
    expect(crumbs).toHaveLength(5);
    expect(crumbs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          event: 'breadcrumb.http',
          'http.request.method': 'GET',
          'url.full': `${PAGE_ORIGIN}/missing.json`,
          'http.response.status_code': 404,
        }),
        expect.objectContaining({
          event: 'breadcrumb.http',
          'url.full': 'http://127.0.0.1:9/refused',
          'error.type': 'network_error',
          'faultline.request.kind': 'xhr',
        }),
        expect.objectContaining({
          event: 'breadcrumb.navigation',
          'navigation.from': `${PAGE_ORIGIN}/crumbs.html`,
          'url.full': `${PAGE_ORIGIN}/checkout?step=2`,
        }),
        expect.objectContaining({
          event: 'breadcrumb.console',
          'log.level': 'error',
          message: 'payment failed: card declined',
        }),
        expect.objectContaining({ event: 'breadcrumb.console', message: 'unreadable arguments' }),
      ]),
    );
  });
});
