// Offline: errors thrown while the browser is offline are kept and arrive exactly once when it is back.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, exceptionSpans, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const service = `offline-${Date.now() % 100000}`;

let browser: Browser;
let server: { close(): Promise<unknown> };
beforeAll(async () => {
  server = await servePages({
    '/offline.html': `<!doctype html>
      <script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}"></script>
      <script>
        window.throwThree = () => ['first', 'second', 'third'].forEach((w) => setTimeout(() => { throw new TypeError('offline ' + w); }, 0));
      </script>`,
    // Storage holding what is not a spool of batches (corrupted, or written by something else).
    '/corrupt.html': `<!doctype html>
      <script>localStorage.setItem('faultline.spool', JSON.stringify([null, 5, { body: 42 }, { body: 'not OTLP', time: 1 }]));</script>
      <script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}-corrupt"></script>`,
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('offline delivery', () => {
  it('keeps errors thrown offline and sends each exactly once when back online', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${PAGE_ORIGIN}/offline.html`);
    await context.setOffline(true);
    await tab.evaluate(() => (window as unknown as { throwThree(): void }).throwThree());
    await tab.waitForTimeout(200);
    await flushAgent(tab);
    const stored = await tab.evaluate(() => JSON.parse(localStorage.getItem('faultline.spool') ?? '[]').length);
    expect(stored).toBeGreaterThan(0);
    expect(await exceptionSpans(stack.urls.jaegerQuery, service)).toHaveLength(0);

    await context.setOffline(false); // the 'online' event sends what was kept
    await waitForExceptionSpans(stack.urls.jaegerQuery, service, 3, 10_000);
    expect(await tab.evaluate(() => localStorage.getItem('faultline.spool'))).toBeNull();
    // A reload sends nothing again.
    await tab.reload();
    await tab.waitForTimeout(1000);
    await context.close();
    const spans = await exceptionSpans(stack.urls.jaegerQuery, service);
    expect(spans.map((s) => eventOf(s as never)?.['exception.message']).sort()).toEqual([
      'offline first',
      'offline second',
      'offline third',
    ]);
  });

  it('sets aside a corrupt spool, counts it, and keeps delivering', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${PAGE_ORIGIN}/corrupt.html`);
    // Three entries are not batches; the fourth is one, and the collector refuses it (400): all four lost.
    await tab.waitForFunction(() => localStorage.getItem('faultline.spool') === null);
    await tab.evaluate(() =>
      setTimeout(() => {
        throw new Error('after a corrupt spool');
      }, 0),
    );
    await tab.waitForTimeout(100);
    await flushAgent(tab);
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, `${service}-corrupt`, 1, 10_000);
    await context.close();
    const tags = Object.fromEntries(
      (spans[0] as { tags: { key: string; value: unknown }[] }).tags.map((t) => [t.key, t.value]),
    );
    expect(eventOf(spans[0] as never)?.['exception.message']).toBe('after a corrupt spool');
    expect(tags['faultline.spool.dropped']).toBe(4);
  });
});
