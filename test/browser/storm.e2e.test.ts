// Error storms in Chromium against the real collector and Jaeger: the same error 10,000 times, and 1,000
// distinct errors. The page must stay responsive (no task near a freeze), only a few reports go out, and together
// they account for every error thrown: reported + faultline.duplicates + faultline.dropped = thrown.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, findTraces, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;

// Each error is a real uncaught exception in a task of its own (a timer), as in a render loop gone wrong.
const page = (service: string) => `<!doctype html><html><head>
<script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}"></script>
<script>
  window.longTasks = [];
  new PerformanceObserver((list) => { for (const e of list.getEntries()) window.longTasks.push(e.duration); })
    .observe({ type: 'longtask' });
  // 'ghij...' letters: distinct words, not numbers (numbers in messages are normalized away when grouping).
  const word = (i) => i.toString(16).split('').map((c) => 'ghijklmnopqrstuv'[parseInt(c, 16)]).join('');
  window.storm = (count, distinct) => new Promise((done) => {
    const start = performance.now();
    for (let i = 0; i < count; i++)
      setTimeout(() => { throw new Error(distinct ? 'distinct ' + word(i) : 'same error ' + i); }, 0);
    setTimeout(() => done(performance.now() - start), 0);
  });
</script></head><body></body></html>`;

let browser: Browser;
let server: { close(): Promise<unknown> };
beforeAll(async () => {
  server = await servePages({
    '/same.html': page(`storm-same-${run}`),
    '/distinct.html': page(`storm-distinct-${run}`),
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

interface JaegerSpan {
  operationName: string;
  tags: { key: string; value: unknown }[];
  logs: { fields: { key: string; value: unknown }[] }[];
}

/** Reports, and the counts they carry, for a service. */
async function accounting(service: string, minReports: number) {
  await waitForExceptionSpans(stack.urls.jaegerQuery, service, minReports);
  await new Promise((r) => setTimeout(r, 1000)); // the withheld span is flushed last
  const all = (await findTraces(stack.urls.jaegerQuery, { service })).flatMap((t: { spans: JaegerSpan[] }) => t.spans);
  const withheld = all.filter((s) => s.operationName === 'faultline.withheld');
  const tag = (s: JaegerSpan, key: string) => Number(s.tags.find((t) => t.key === key)?.value ?? 0);
  const event = (s: JaegerSpan, key: string) => Number(eventOf(s as never)?.[key] ?? 0);
  let duplicates = 0;
  let dropped = 0;
  for (const s of all.filter((s) => s.operationName === 'exception')) {
    duplicates += event(s, 'faultline.duplicates');
    dropped += event(s, 'faultline.dropped');
  }
  for (const s of withheld) {
    duplicates += tag(s, 'faultline.duplicates');
    dropped += tag(s, 'faultline.dropped');
  }
  return { reports: all.filter((s) => s.operationName === 'exception'), withheld, duplicates, dropped };
}

async function storm(path: string, count: number, distinct: boolean) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(`${PAGE_ORIGIN}${path}`);
  const ms = await tab.evaluate(
    ([n, d]) => (window as unknown as { storm(n: number, d: boolean): Promise<number> }).storm(n, d),
    [count, distinct] as const,
  );
  const longTasks = await tab.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  await flushAgent(tab);
  await context.close();
  return { ms, longTasks };
}

describe('error storms', () => {
  it('the same error 10,000 times: one report, the rest counted as duplicates', async () => {
    const { ms, longTasks } = await storm('/same.html', 10_000, false);
    // Responsive: no freeze. (A single task just over 50 ms shows up now and then on this loaded 2-core
    // machine, from Chromium's own handling of thousands of uncaught errors under a DevTools connection.)
    expect(Math.max(0, ...longTasks), `longest task (all over 50 ms: ${longTasks})`).toBeLessThan(200);
    expect(longTasks.length, 'tasks over 50 ms').toBeLessThanOrEqual(2);
    expect(ms).toBeLessThan(10_000);
    const { reports, withheld, duplicates, dropped } = await accounting(`storm-same-${run}`, 1);
    expect(reports).toHaveLength(1);
    expect(eventOf(reports[0] as never)?.['exception.message']).toBe('same error 0');
    expect(reports.length + duplicates + dropped).toBe(10_000);
    // The duplicates are attributed to the error they repeat.
    const tags = Object.fromEntries((withheld[0]?.tags ?? []).map((t) => [t.key, t.value]));
    const fingerprint = eventOf(reports[0] as never)?.['faultline.fingerprint'];
    expect(JSON.parse(String(tags['faultline.withheld.fingerprints']))).toEqual([fingerprint]);
    expect(JSON.parse(String(tags['faultline.withheld.duplicates']))).toEqual([9_999]);
  }, 60_000);

  it('1,000 distinct errors: a burst of reports, the rest counted as dropped', async () => {
    const { ms, longTasks } = await storm('/distinct.html', 1_000, true);
    // Responsive: no freeze. (A single task just over 50 ms shows up now and then on this loaded 2-core
    // machine, from Chromium's own handling of thousands of uncaught errors under a DevTools connection.)
    expect(Math.max(0, ...longTasks), `longest task (all over 50 ms: ${longTasks})`).toBeLessThan(200);
    expect(longTasks.length, 'tasks over 50 ms').toBeLessThanOrEqual(2);
    expect(ms).toBeLessThan(10_000);
    const { reports, duplicates, dropped } = await accounting(`storm-distinct-${run}`, 25);
    // The token bucket lets a burst of 25 through (and about one a second after that).
    expect(reports.length).toBeGreaterThanOrEqual(25);
    expect(reports.length).toBeLessThanOrEqual(40);
    expect(new Set(reports.map((r) => eventOf(r as never)?.['faultline.fingerprint'])).size).toBe(reports.length);
    expect(duplicates).toBe(0);
    expect(reports.length + dropped).toBe(1_000);
  }, 60_000);
});
