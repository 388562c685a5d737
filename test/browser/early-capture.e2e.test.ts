// The early-capture loader (about 460 bytes gzipped) in Chromium: errors thrown before the agent has
// loaded, and API calls made before it, are queued and reported once it is there.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { agentReady, flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const service = `early-${Date.now() % 100000}`;

let browser: Browser;
let server: { close(): Promise<unknown> };
beforeAll(async () => {
  server = await servePages({
    '/early.html': `<!doctype html><html><head>
      <script src="/faultline-loader.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}"></script>
      <script>
        // What is not a call of the API is skipped (with a warning), and the calls after it still run.
        window.faultline.push(null, ['noSuchMethod'], 'captureException', [{ toString() { throw new Error('x'); } }]);
        window.faultline.push(['captureException', new Error('queued before the agent')]);
        throw new TypeError('thrown on the first line');
      </script>
      <script>Promise.reject(new RangeError('rejected before the agent'));</script>
    </head><body></body></html>`,
    // The agent file is not there: the loader says so.
    '/no-agent.html': `<!doctype html><html><head>
      <script src="/faultline-loader.min.js" data-agent="/missing/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}"></script>
    </head><body></body></html>`,
    // More error events than the loader keeps (100): the rest are counted, and the count is reported.
    '/overflow.html': `<!doctype html><html><head>
      <script src="/faultline-loader.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}-overflow"></script>
      <script>
        for (let i = 0; i < 150; i++) dispatchEvent(new ErrorEvent('error', { error: new Error('early ' + i), message: 'early ' + i }));
      </script>
    </head><body></body></html>`,
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('early capture', () => {
  it('reports what happened before the agent loaded', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${PAGE_ORIGIN}/early.html`);
    await agentReady(tab);
    await flushAgent(tab);
    await tab.waitForTimeout(300);
    await context.close();
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 3, 10_000);
    const messages = spans
      .map((s) => `${eventOf(s as never)?.['faultline.mechanism']}: ${eventOf(s as never)?.['exception.message']}`)
      .sort();
    expect(messages).toEqual([
      'manual: queued before the agent',
      'onerror: thrown on the first line',
      'onunhandledrejection: rejected before the agent',
    ]);
  });

  it('warns when the agent cannot be loaded', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const warned = new Promise<string>((done) =>
      tab.on('console', (m) => m.type() === 'warning' && m.text().includes('faultline') && done(m.text())),
    );
    await tab.goto(`${PAGE_ORIGIN}/no-agent.html`);
    expect(await warned).toBe(
      `faultline: could not load ${PAGE_ORIGIN}/missing/faultline.min.js; errors are not reported`,
    );
    await context.close();
  });

  it('counts what the loader could not keep, and reports the count', async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    await tab.goto(`${PAGE_ORIGIN}/overflow.html`);
    await agentReady(tab);
    await flushAgent(tab);
    await context.close();
    const spans = (await waitForExceptionSpans(stack.urls.jaegerQuery, `${service}-overflow`, 1)) as {
      tags: { key: string; value: unknown }[];
    }[];
    // One report (the 100 kept are one error, deduplicated), carrying the 50 the loader had to let go.
    expect(spans).toHaveLength(1);
    const tags = Object.fromEntries((spans[0]?.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags['faultline.early.dropped']).toBe(50);
  });
});
