// Exceptions as OpenTelemetry log records from the page (exceptionSignal, as OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN),
// in Chromium: the agent loads its logs pipeline (dist/faultline-logs.min.js) only when asked, the records go
// to the real collector's /v1/logs, which must accept them (seen on the way through playwright's route),
// and the span events follow the mode: none under `logs`, both under `logs/dup`.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, exceptionSpans, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; otlpHttp: string; jaegerQuery: string } };
const run = Date.now() % 100000;

const page = (service: string, signal: string) => `<!doctype html><html><head>
<script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}"
  data-exception-signal="${signal}"></script>
</head><body><script>setTimeout(() => { throw new RangeError('logged in the page'); }, 0);</script></body></html>`;

let browser: Browser;
let server: { close(): Promise<unknown> };
beforeAll(async () => {
  server = await servePages({
    '/logs.html': page(`logs-${run}`, 'logs'),
    '/dup.html': page(`logs-dup-${run}`, 'logs/dup'),
    '/spans.html': page(`logs-none-${run}`, ''),
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const attrs = (list: { key: string; value: Record<string, unknown> }[]) =>
  Object.fromEntries(list.map((a) => [a.key, Object.values(a.value)[0]]));

/** Opens the page; returns the log records it sent, each with the collector's answer, and what it loaded. */
async function open(path: string) {
  const context = await browser.newContext();
  const logs: { status: number; body: { resourceLogs: unknown[] } }[] = [];
  const loaded: string[] = [];
  await context.route(`${stack.urls.otlpHttp}/v1/logs`, async (route) => {
    const response = await route.fetch(); // on to the real collector
    if (route.request().method() === 'POST')
      logs.push({ status: response.status(), body: JSON.parse(route.request().postData() ?? '{}') });
    await route.fulfill({ response });
  });
  const tab = await context.newPage();
  tab.on('request', (r) => loaded.push(new URL(r.url()).pathname));
  await tab.goto(`${PAGE_ORIGIN}${path}`);
  await tab.waitForTimeout(500);
  await flushAgent(tab);
  await context.close();
  return { logs, loaded };
}

describe('exceptions as log records', () => {
  it('logs: one log record with the exception attributes, accepted by the collector, and no span', async () => {
    const { logs, loaded } = await open('/logs.html');
    expect(loaded).toContain('/faultline-logs.min.js');
    expect(logs.map((l) => l.status)).toEqual([200]);
    const resourceLogs = logs[0]?.body.resourceLogs[0] as {
      resource: { attributes: never[] };
      scopeLogs: { logRecords: { severityText: string; eventName: string; attributes: never[] }[] }[];
    };
    expect(attrs(resourceLogs.resource.attributes)['service.name']).toBe(`logs-${run}`);
    const record = resourceLogs.scopeLogs[0]?.logRecords[0];
    expect(record?.severityText).toBe('ERROR');
    expect(record?.eventName).toBe('exception');
    expect(attrs(record?.attributes ?? [])).toMatchObject({
      'exception.type': 'RangeError',
      'exception.message': 'logged in the page',
      'faultline.mechanism': 'onerror',
      'url.full': `${PAGE_ORIGIN}/logs.html`,
    });
    expect(String(attrs(record?.attributes ?? [])['exception.stacktrace'])).toContain('logs.html');
    await new Promise((r) => setTimeout(r, 1500));
    expect(await exceptionSpans(stack.urls.jaegerQuery, `logs-${run}`)).toHaveLength(0);
  });

  it('logs/dup: the log record and the span', async () => {
    const { logs } = await open('/dup.html');
    expect(logs.map((l) => l.status)).toEqual([200]);
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, `logs-dup-${run}`, 1);
    expect(spans.map((s) => eventOf(s as never)?.['exception.message'])).toEqual(['logged in the page']);
  });

  it('default: span events only, and the logs pipeline is never loaded', async () => {
    const { logs, loaded } = await open('/spans.html');
    expect(logs).toEqual([]);
    expect(loaded).not.toContain('/faultline-logs.min.js');
    expect(await waitForExceptionSpans(stack.urls.jaegerQuery, `logs-none-${run}`, 1)).toHaveLength(1);
  });
});
