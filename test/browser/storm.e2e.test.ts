// Error storms in Chromium against the real collector and Jaeger: the same error 10,000 times, and 1,000
// distinct errors. The page must stay responsive, only a few reports go out, and together they account for
// every error thrown: reported + faultline.duplicates + faultline.dropped = thrown.
//
// Responsive is judged against the same storm on the same page without the agent, run just before in the
// same test: on a loaded machine (CI's 2 cores, busy neighbours) every task stretches, the page's own too,
// so a fixed bound on task length fails there without the agent being at fault. A control page whose agent
// really freezes (1 s inside beforeSend) must break the same bound, in every run.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, findTraces, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;

/** A task at least this long is a freeze, however busy the machine (RAIL's budget for a response is 100 ms). */
const FREEZE_FLOOR_MS = 400;
/** ...and so is one this many times the longest task of the same storm without the agent. */
const FREEZE_FACTOR = 3;
/** How long the control page's agent blocks: a freeze by any measure. */
const CONTROL_FREEZE_MS = 1000;

// Each error is a real uncaught exception in a task of its own (a timer), as in a render loop gone wrong.
const stormScript = `<script>
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
</script>`;
const agent = (service: string) =>
  `<script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}"></script>`;
const page = (head: string) => `<!doctype html><html><head>${head}${stormScript}</head><body></body></html>`;
// An agent that freezes the page once: its first report spends CONTROL_FREEZE_MS in beforeSend.
const frozen = `<script>window.faultlineConfig = { beforeSend: (r) => {
  if (!window.froze) { window.froze = true; const t = performance.now(); while (performance.now() - t < ${CONTROL_FREEZE_MS}); }
  return r;
} };</script>${agent(`storm-frozen-${run}`)}`;

let browser: Browser;
let server: { close(): Promise<unknown> };
beforeAll(async () => {
  server = await servePages({
    '/same.html': page(agent(`storm-same-${run}`)),
    '/distinct.html': page(agent(`storm-distinct-${run}`)),
    '/frozen.html': page(frozen),
    '/without-agent.html': page(''),
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

interface Storm {
  /** From the first error queued to the last one handled. */
  ms: number;
  /** Durations of the tasks over 50 ms (the Long Tasks API). */
  longTasks: number[];
}

async function storm(path: string, count: number, distinct: boolean): Promise<Storm> {
  const context = await browser.newContext();
  const tab = await context.newPage();
  await tab.goto(`${PAGE_ORIGIN}${path}`);
  const ms = await tab.evaluate(
    ([n, d]) => (window as unknown as { storm(n: number, d: boolean): Promise<number> }).storm(n, d),
    [count, distinct] as const,
  );
  const longTasks = await tab.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks);
  if (path !== '/without-agent.html') await flushAgent(tab);
  await context.close();
  return { ms, longTasks };
}

const longest = (s: Storm) => Math.max(0, ...s.longTasks);
/** The longest task the agent may add: what the same storm without the agent had, or a freeze. */
const freezeBound = (without: Storm) => Math.max(FREEZE_FLOOR_MS, FREEZE_FACTOR * longest(without));

/** The storm with the agent against the same storm without it, run just before. */
function expectResponsive(withAgent: Storm, without: Storm) {
  const shown = `with the agent ${JSON.stringify(withAgent)}, without ${JSON.stringify(without)}`;
  // No freeze: no task far longer than the page's own.
  expect(longest(withAgent), `longest task (${shown})`).toBeLessThanOrEqual(freezeBound(without));
  // No steady jank: a few of the agent's own tasks (its first report, an export) may pass 50 ms on a loaded
  // machine, not one in every few hundred errors.
  expect(withAgent.longTasks.length, `tasks over 50 ms (${shown})`).toBeLessThanOrEqual(without.longTasks.length + 5);
  // A cost per error the page would feel: 10,000 errors take 1.2-2.7 times as long as without (BENCHMARKS.md
  // measures the cost itself).
  expect(withAgent.ms, `storm duration (${shown})`).toBeLessThanOrEqual(3 * without.ms + 2000);
}

describe('error storms', () => {
  it('the same error 10,000 times: one report, the rest counted as duplicates; the page stays responsive', async () => {
    const without = await storm('/without-agent.html', 10_000, false);
    const withAgent = await storm('/same.html', 10_000, false);
    expectResponsive(withAgent, without);
    // The bound is not vacuous: an agent that freezes the page breaks it, on this machine, now.
    const control = await storm('/frozen.html', 1_000, false);
    expect(longest(control), `a frozen agent (${JSON.stringify(control)})`).toBeGreaterThan(freezeBound(without));
    const { reports, withheld, duplicates, dropped } = await accounting(`storm-same-${run}`, 1);
    expect(reports).toHaveLength(1);
    expect(eventOf(reports[0] as never)?.['exception.message']).toBe('same error 0');
    expect(reports.length + duplicates + dropped).toBe(10_000);
    // The duplicates are attributed to the error they repeat.
    const tags = Object.fromEntries((withheld[0]?.tags ?? []).map((t) => [t.key, t.value]));
    const fingerprint = eventOf(reports[0] as never)?.['faultline.fingerprint'];
    expect(JSON.parse(String(tags['faultline.withheld.fingerprints']))).toEqual([fingerprint]);
    expect(JSON.parse(String(tags['faultline.withheld.duplicates']))).toEqual([9_999]);
  }, 90_000);

  it('1,000 distinct errors: a burst of reports, the rest counted as dropped; the page stays responsive', async () => {
    const without = await storm('/without-agent.html', 1_000, true);
    const withAgent = await storm('/distinct.html', 1_000, true);
    expectResponsive(withAgent, without);
    const { reports, duplicates, dropped } = await accounting(`storm-distinct-${run}`, 25);
    // The token bucket lets a burst of 25 through (and about one a second after that).
    expect(reports.length).toBeGreaterThanOrEqual(25);
    expect(reports.length).toBeLessThanOrEqual(40);
    expect(new Set(reports.map((r) => eventOf(r as never)?.['faultline.fingerprint'])).size).toBe(reports.length);
    expect(duplicates).toBe(0);
    expect(reports.length + dropped).toBe(1_000);
  }, 60_000);
});
