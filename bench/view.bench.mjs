// The view over a full store: Jaeger (Badger, as users run it) loaded with 10,000 and then 100,000 faultline
// exception spans over 14 days (50 and 1,000 issues, 10 services), then the view (its CLI, as users run it)
// started against it. Measured: the backfill, one incremental poll per service, GET /api/issues p95, the list
// and an issue page in Chromium, how soon a new error sent through the collector is listed, the server's RSS,
// and the page's size. Side by side in the same run: what a naive reader pays to pull every error at once
// (one /api/traces query for all of them), the figure the issue quotes.
// Run: node bench/view.bench.mjs [sizes=10000,100000]. Results: BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createScrubber, normalizeError, recordExceptionSpan } from '@faultline/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { chromium } from 'playwright-core';
import { startStack } from '../collector-config/stack.mjs';
import { startView } from '../test/support/view.mjs';

const SIZES = (process.argv[2] ?? '10000,100000').split(',').map(Number);
const SERVICES = 10;
const DAY = 86_400_000;
const SPAN_DAYS = 13.5; // inside the view's 14-day backfill and Badger's 14-day retention
const POLL_MS = 1000;
const PORTS = {
  otlpGrpc: 45317,
  otlpHttp: 45318,
  otlpTenantsHttp: 45319,
  collectorHealth: 45133,
  jaegerOtlpGrpc: 55317,
  jaegerOtlpHttp: 55318,
  jaegerHealth: 55133,
  jaegerQuery: 55686,
  jaegerQueryGrpc: 55685,
};
const VIEW_PORT = 58090;

const issuesFor = (total) => (total >= 100_000 ? 1000 : 50);

/** `count` exception spans of `service`, each its own trace, at times spread over the last SPAN_DAYS. */
function encodeBatch(service, count, seq, issues, now) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': service,
      'service.version': `1.${seq % 5}.0`,
      'deployment.environment.name': seq % 3 ? 'production' : 'staging',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('bench');
  const scrubber = createScrubber();
  const err = new TypeError('Cannot read properties of undefined');
  const record = scrubber.record(normalizeError(err));
  for (let i = 0; i < count; i++) {
    const k = (seq * count + i) % issues;
    recordExceptionSpan(tracer, {
      record: { ...record, message: `${record.message} (reading 'field${k}')` },
      fingerprint: k.toString(16).padStart(16, '0'),
      mechanism: 'uncaughtException',
      handled: false,
      withheld: { duplicates: 0, dropped: 0 },
      attributes: { 'user.id': `u${(seq * 31 + i) % 500}`, 'session.id': `s${seq}-${i % 50}` },
      time: now - Math.random() * SPAN_DAYS * DAY,
    });
  }
  return ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans());
}

/** Loads `total` spans straight into Jaeger's OTLP receiver, 4 requests in flight. */
async function load(total, already, urls) {
  const issues = issuesFor(total);
  const now = Date.now();
  const batches = [];
  for (let seq = already / 500; seq < total / 500; seq++) batches.push(seq);
  const post = async (seq) => {
    const body = encodeBatch(`bench-svc-${seq % SERVICES}`, 500, seq, issues, now);
    const res = await fetch(`http://127.0.0.1:${PORTS.jaegerOtlpHttp}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body,
    });
    if (!res.ok) throw new Error(`jaeger answered ${res.status}`);
  };
  const workers = Array.from({ length: 4 }, async () => {
    while (batches.length > 0) await post(batches.shift());
  });
  await Promise.all(workers);
  // Jaeger's batch processor hands the last spans over within a second.
  for (;;) {
    const res = await fetch(`${urls.jaegerQuery}/api/services`);
    if ((await res.json()).data?.length >= SERVICES) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 2000));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const percentile = (values, p) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

async function json(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return res.json();
}

/** What one query for everything costs: the naive reader's way. */
async function naivePull(urls, total) {
  const start = (Date.now() - 14 * DAY) * 1000;
  const began = performance.now();
  let bytes = 0;
  let spans = 0;
  for (let s = 0; s < SERVICES; s++) {
    const res = await fetch(
      `${urls.jaegerQuery}/api/traces?service=bench-svc-${s}&operation=exception&start=${start}&limit=${total}`,
    );
    const text = await res.text();
    bytes += text.length;
    spans += JSON.parse(text).data.length;
  }
  return { ms: performance.now() - began, mb: bytes / 1e6, spans };
}

async function measure(total, urls, browser) {
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-view-bench-'));
  const began = performance.now();
  const view = await startView(
    ['--port', String(VIEW_PORT), '--jaeger', urls.jaegerQuery, '--data', dataDir, '--poll-interval', `${POLL_MS}ms`],
    { timeoutMs: 60_000 },
  );
  const pid = Number(
    execFileSync('pgrep', ['-f', `cli.mjs --port ${VIEW_PORT}`], { encoding: 'utf8' })
      .trim()
      .split('\n')[0],
  );
  // Backfilled: every stored span counted (and the one of an earlier round's new error).
  for (;;) {
    const { index, jaeger } = await json(`${view.url}/api/status`);
    if (index.spans >= total && jaeger.backfilled) break;
    await sleep(50);
  }
  const backfillMs = performance.now() - began;
  // Incremental polls: the round's time over the services it read.
  const polls = [];
  for (let i = 0; i < 5; i++) {
    await sleep(POLL_MS + 100);
    polls.push((await json(`${view.url}/api/status`)).jaeger.lastIncrementalMs / SERVICES);
  }
  const api = [];
  for (let i = 0; i < 50; i++) {
    const t = performance.now();
    await json(`${view.url}/api/issues`);
    api.push(performance.now() - t);
  }
  // The page's own clock: from navigation start to the first rows, and from the click on an issue to its
  // stack on screen (what a person waits for; the driver's own overhead is left out).
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(() => {
    const marks = {};
    window.__marks = marks;
    document.addEventListener('click', () => (marks.click = performance.now()), true);
    new MutationObserver(() => {
      if (marks.rows === undefined && document.querySelector('tr[data-issue]')) marks.rows = performance.now();
      if (marks.click !== undefined && marks.frames === undefined && document.querySelector('.frame'))
        marks.frames = performance.now();
    }).observe(document, { subtree: true, childList: true });
  });
  await page.goto(`${view.url}/`);
  await page.waitForSelector('tr[data-issue]');
  const listMs = await page.evaluate(() => window.__marks.rows);
  await page.click('a.issue-link');
  await page.waitForSelector('.frame');
  const issueMs = await page.evaluate(() => window.__marks.frames - window.__marks.click);
  await page.close();
  // A new error through the collector: from the collector's 200 to the view listing it.
  const fresh = encodeBatch(`bench-fresh-${total}`, 1, 0, 1, Date.now());
  const res = await fetch(`${urls.otlpHttp}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: fresh,
  });
  if (!res.ok) throw new Error(`collector answered ${res.status}`);
  const took = performance.now();
  for (;;) {
    const body = await json(`${view.url}/api/issues?service=bench-fresh-${total}&status=`);
    if (body.issues.length > 0) break;
    await sleep(25);
  }
  const newErrorMs = performance.now() - took;
  const rss = rssMb(pid);
  await view.stop();
  const naive = await naivePull(urls, total);
  return {
    total,
    issues: issuesFor(total),
    backfillMs,
    pollPerServiceMs: percentile(polls, 0.5),
    apiP95Ms: percentile(api, 0.95),
    listMs,
    issueMs,
    newErrorMs,
    rssMb: rss,
    naive,
  };
}

const assets = ['app.js', 'style.css', 'index.html', 'icon.svg'].map((f) =>
  readFileSync(new URL(`../packages/view/dist/page/${f}`, import.meta.url)),
);
const assetsGzipKb = assets.reduce((n, b) => n + gzipSync(b, { level: 9 }).length, 0) / 1024;

const stack = await startStack({
  ports: PORTS,
  jaeger: { dataDir: mkdtempSync(join(tmpdir(), 'faultline-view-bench-jaeger-')) },
});
const browser = await chromium.launch({
  executablePath: process.env.FAULTLINE_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
const results = [];
try {
  let loaded = 0;
  for (const total of SIZES) {
    const t = performance.now();
    await load(total, loaded, stack.urls);
    loaded = total;
    console.error(
      `loaded ${total} exception spans into Jaeger (Badger) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    results.push(await measure(total, stack.urls, browser));
  }
} finally {
  await browser.close();
  await stack.stop();
}

const f = (n, d = 0) => n.toFixed(d);
console.log(
  `\nview over Jaeger v2.13 (Badger), ${SERVICES} services, poll every ${POLL_MS} ms; page assets ${f(assetsGzipKb, 1)} KB gzip (target ≤ 30)\n`,
);
console.log(
  '| stored errors | issues | backfill | poll / service | GET /api/issues p95 | list in Chromium | issue page | new error listed | view RSS | naive pull of all (time, JSON) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.total.toLocaleString('en')} | ${r.issues} | ${f(r.backfillMs / 1000, 1)} s | ${f(r.pollPerServiceMs, 1)} ms | ${f(r.apiP95Ms, 1)} ms | ${f(r.listMs)} ms | ${f(r.issueMs)} ms | ${f(r.newErrorMs)} ms | ${f(r.rssMb)} MB | ${f(r.naive.ms / 1000, 1)} s, ${f(r.naive.mb, 1)} MB (${r.naive.spans} traces) |`,
  );
