// Delivery when the page goes away, and CORS, in Chromium against the real collector and Jaeger.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, exceptionSpans, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;
const tag = (service: string) =>
  `<script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}"></script>`;

const pages: Record<string, string> = {
  '/pagehide.html': `<!doctype html>${tag(`pagehide-${run}`)}<script>
    addEventListener('pagehide', () => { throw new Error('thrown in pagehide'); });
  </script>`,
  '/leave.html': `<!doctype html>${tag(`leave-${run}`)}<script>
    setTimeout(() => { setTimeout(() => { location.href = '/next.html'; }, 0); throw new Error('thrown just before leaving'); }, 50);
  </script>`,
  '/next.html': '<!doctype html><p>next</p>',
};

let browser: Browser;
let server: { close(): Promise<unknown> };
beforeAll(async () => {
  server = await servePages(pages);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function waitForOne(service: string) {
  await waitForExceptionSpans(stack.urls.jaegerQuery, service, 1, 10_000);
  await new Promise((r) => setTimeout(r, 500)); // a second report, if any, would be there by now
  return exceptionSpans(stack.urls.jaegerQuery, service);
}

describe('delivery as the page goes away', () => {
  it('an error thrown in a pagehide handler arrives', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${PAGE_ORIGIN}/pagehide.html`);
    await tab.goto('about:blank'); // pagehide fires, the handler throws, the page is gone
    // The browser lives on (as when a user closes one tab): its keepalive request completes. Closing the
    // whole Playwright context at once would also cancel in-flight requests of the browser itself.
    await tab.waitForTimeout(500);
    await context.close();
    const spans = await waitForOne(`pagehide-${run}`);
    expect(spans).toHaveLength(1);
    expect(eventOf(spans[0] as never)?.['exception.message']).toBe('thrown in pagehide');
  });

  it('an error thrown just before navigating away arrives', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${PAGE_ORIGIN}/leave.html`);
    await tab.waitForURL(`${PAGE_ORIGIN}/next.html`);
    await tab.waitForTimeout(500);
    await context.close();
    const spans = await waitForOne(`leave-${run}`);
    expect(spans).toHaveLength(1);
    expect(eventOf(spans[0] as never)?.['exception.message']).toBe('thrown just before leaving');
  });
});

describe('CORS', () => {
  it('the collector accepts the configured origin and refuses another', async () => {
    const otherOrigin = 'http://localhost:28081';
    const html = (service: string) =>
      `<!doctype html>${tag(service)}<script>setTimeout(() => { throw new Error('from ' + location.origin); }, 10);</script>`;
    const other = await servePages({ '/p.html': html(`cors-refused-${run}`) }, otherOrigin);
    try {
      for (const [origin, service] of [
        [otherOrigin, `cors-refused-${run}`],
        [PAGE_ORIGIN, `lifecycle-allowed-${run}`],
      ] as const) {
        const context = await browser.newContext();
        const tab = await context.newPage();
        const refused: string[] = [];
        tab.on('requestfailed', (r) => refused.push(r.url()));
        if (origin === PAGE_ORIGIN) pages['/cors.html'] = html(service);
        await tab.goto(origin === PAGE_ORIGIN ? `${PAGE_ORIGIN}/cors.html` : `${otherOrigin}/p.html`);
        await tab.waitForTimeout(300);
        await flushAgent(tab);
        await tab.waitForTimeout(300);
        await context.close();
        if (origin === otherOrigin) expect(refused.some((u) => u.startsWith(stack.urls.otlpTraces))).toBe(true);
      }
      expect(await waitForOne(`lifecycle-allowed-${run}`)).toHaveLength(1);
      expect(await exceptionSpans(stack.urls.jaegerQuery, `cors-refused-${run}`)).toHaveLength(0);
    } finally {
      await other.close();
    }
  });
});
