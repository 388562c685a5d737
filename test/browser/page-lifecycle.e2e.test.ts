// Delivery when the page goes away, and CORS, in Chromium against the real collector and Jaeger.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flushAgent, launchChromium, OTHER_ORIGIN, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
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
  // Two page views in one tab, each throwing once it is loaded.
  '/view-a.html': `<!doctype html>${tag(`session-${run}`)}<script>window.boom = () => setTimeout(() => { throw new Error('in view a'); }, 0);</script>`,
  '/view-b.html': `<!doctype html>${tag(`session-${run}`)}<script>window.boom = () => setTimeout(() => { throw new Error('in view b'); }, 0);</script>`,
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

describe('session and page view', () => {
  it('one session id for the tab, one page-view id per page, a tampered session id replaced', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const throwAndFlush = async () => {
      await tab.evaluate(() => (window as unknown as { boom(): void }).boom());
      await tab.waitForTimeout(100);
      await flushAgent(tab);
    };
    await tab.goto(`${PAGE_ORIGIN}/view-a.html`);
    await throwAndFlush();
    await tab.goto(`${PAGE_ORIGIN}/view-b.html`);
    await throwAndFlush();
    // Something else wrote under the agent's key: the next page view starts a new session.
    await tab.evaluate(() => sessionStorage.setItem('faultline.session', '<script>not an id</script>'));
    await tab.goto(`${PAGE_ORIGIN}/view-a.html`);
    await throwAndFlush();
    await context.close();
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, `session-${run}`, 3, 10_000);
    const views = spans
      .map((sp) => {
        const tags = Object.fromEntries(
          (sp as { tags: { key: string; value: unknown }[] }).tags.map((t) => [t.key, t.value]),
        );
        return {
          start: (sp as { startTime: number }).startTime,
          session: tags['session.id'],
          view: tags['faultline.page_view.id'],
        };
      })
      .sort((x, y) => x.start - y.start);
    expect(views).toHaveLength(3);
    const [a, b, c] = views as { session: string; view: string }[];
    expect(a?.session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(b?.session).toBe(a?.session);
    expect(b?.view).not.toBe(a?.view);
    expect(c?.session).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(c?.session).not.toBe(a?.session);
  });
});

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
    const otherOrigin = OTHER_ORIGIN;
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
