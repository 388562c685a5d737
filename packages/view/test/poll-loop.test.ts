import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { JaegerPoller } from '../src/jaeger-poller';
import type { ViewOptions } from '../src/options';
import { type RunningView, startView } from '../src/view';
import { type FakeJaeger, fakeJaeger } from './fake-jaeger';
import { exceptionTrace } from './traces';

const DAY = 86_400_000;
const hex = (v: number, w: number) => v.toString(16).padStart(w, '0');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NO_ASSETS = { html: Buffer.from(''), files: new Map() };

let jaeger: FakeJaeger | undefined;
let view: RunningView | undefined;
afterEach(async () => {
  await view?.close();
  await jaeger?.close();
  view = undefined;
  jaeger = undefined;
});

function options(over: Partial<ViewOptions>): ViewOptions {
  return {
    host: '127.0.0.1',
    port: 0,
    jaeger: jaeger!.url,
    jaegerUi: '',
    dataDir: mkdtempSync(join(tmpdir(), 'faultline-loop-')),
    pollIntervalMs: 300,
    backfillMs: 14 * DAY,
    webhooks: [],
    spike: { events: 100, minutes: 5 },
    ...over,
  };
}

describe('the poll loop', () => {
  it('waits the poll interval after a failed round, even with backfill slices queued', async () => {
    jaeger = await fakeJaeger();
    jaeger.traces.push(
      exceptionTrace({ traceId: hex(1, 32), spanId: `a${hex(1, 15)}`, fingerprint: 'fp', timeMs: Date.now() }),
    );
    // The incremental reads work; every backfill slice (a day wide) fails, as a Jaeger that times out would.
    jaeger.fails = (q) => q.end - q.start > 3_600_000_000;
    view = await startView(options({}), NO_ASSETS);
    await sleep(1500);
    // About five rounds of a few requests each; without the wait, thousands.
    expect(jaeger.requests.length).toBeLessThan(60);
  });

  it('reads the other slices when one keeps failing, and gives up on it in the end', async () => {
    jaeger = await fakeJaeger();
    const now = Date.now();
    jaeger.traces.push(
      exceptionTrace({ traceId: hex(2, 32), spanId: `b${hex(2, 15)}`, fingerprint: 'old', timeMs: now - 12 * DAY }),
    );
    // The slice ten days back always fails; the one holding the error lies behind it in the queue.
    jaeger.fails = (q) => q.start <= (now - 10 * DAY) * 1000 && q.end > (now - 10 * DAY) * 1000;
    view = await startView(options({ pollIntervalMs: 200 }), NO_ASSETS);
    await view.pollNow();
    expect(view.poller.pending).toBeGreaterThan(0);
    for (let i = 0; i < 40 && view.poller.pending > 0; i++) await sleep(100);
    expect(view.tracker.index.issues.get('old')?.events).toBe(1);
    expect(view.poller.pending).toBe(0);
    expect(view.poller.skippedSlices).toBe(1);
  });
});

describe('rescans and the span ids the index forgets', () => {
  afterEach(() => vi.useRealTimers());

  it('counts a span once however many rescans read it, with a backfill shorter than the widest rescan', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.UTC(2026, 11, 1, 12);
    vi.setSystemTime(t0);
    jaeger = await fakeJaeger();
    jaeger.traces.push(
      exceptionTrace({ traceId: hex(3, 32), spanId: `c${hex(3, 15)}`, fingerprint: 'recent', timeMs: t0 - 3_600_000 }),
      exceptionTrace({
        traceId: hex(4, 32),
        spanId: `d${hex(4, 15)}`,
        fingerprint: 'older',
        timeMs: t0 - 4 * 3_600_000,
      }),
    );
    view = await startView(options({ backfillMs: 2 * 3_600_000, pollIntervalMs: 3_600_000 }), NO_ASSETS);
    for (let minutes = 0; minutes <= 60; minutes += 16) {
      vi.setSystemTime(t0 + minutes * 60_000);
      await view.pollNow();
    }
    expect(view.tracker.index.issues.get('recent')?.events).toBe(1);
    // Outside the backfill window: not read at all, and above all not counted again after each prune.
    expect(view.tracker.index.issues.get('older')?.events ?? 0).toBeLessThanOrEqual(1);
    for (const q of jaeger.queries) expect(q.start).toBeGreaterThanOrEqual((t0 - 2 * 3_600_000) * 1000);
  });
});

describe('a service whose first read fails', () => {
  it('has its backfill queued once, and what came meanwhile read once the reads work again', async () => {
    jaeger = await fakeJaeger();
    const t0 = Date.now() - 3_600_000;
    const clock = { now: t0 };
    const at = (minutes: number, n: number) =>
      exceptionTrace({
        traceId: hex(n, 32),
        spanId: `e${hex(n, 15)}`,
        fingerprint: `m${minutes}`,
        timeMs: t0 + minutes * 60_000,
      });
    jaeger.traces.push(at(0, 1), at(5, 2));
    const seen = new Set<string>();
    const poller = new JaegerPoller({
      jaegerUrl: jaeger.url,
      backfillMs: 14 * DAY,
      now: () => clock.now,
      onTraces: (traces) => {
        for (const t of traces) seen.add(t.traceID);
      },
    });
    // The incremental reads fail for five rounds, two minutes apart; the day-wide slices work.
    jaeger.fails = (q) => q.end - q.start < 3_600_000_000;
    for (let i = 0; i < 5; i++) {
      await poller.poll();
      clock.now += 2 * 60_000;
    }
    const slices = jaeger.queries.filter((q) => q.end - q.start >= 3_600_000_000).length / 3;
    // The backfill's 14 day slices queued once (beside one 15-minute rescan a round), not 5 × 14.
    expect(poller.pending + slices).toBeLessThan(2 * 14);
    jaeger.fails = () => false;
    await poller.poll();
    expect([...seen].sort()).toEqual([hex(1, 32), hex(2, 32)]);
  });
});

describe('a rescan', () => {
  afterEach(() => vi.useRealTimers());

  it('is not a backfill: the view says it has read Jaeger, and new issues are alerted, while one is queued', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const t0 = Date.UTC(2026, 11, 1, 12);
    vi.setSystemTime(t0);
    jaeger = await fakeJaeger();
    jaeger.traces.push(
      exceptionTrace({ traceId: hex(6, 32), spanId: `f${hex(6, 15)}`, fingerprint: 'known', timeMs: t0 - DAY }),
    );
    view = await startView(options({ pollIntervalMs: 3_600_000, backfillMs: 3 * DAY }), NO_ASSETS);
    await view.pollNow();
    while (view.poller.pending > 0) await view.pollNow();
    // Six hours later the whole backfill window is due again, and Jaeger is slow on wide windows.
    vi.setSystemTime(t0 + 6 * 3_600_000 + 60_000);
    jaeger.delayMs = (q) => (q.end - q.start > 3_600_000_000 ? 400 : 0);
    jaeger.traces.push(
      exceptionTrace({
        traceId: hex(7, 32),
        spanId: `f${hex(7, 15)}`,
        fingerprint: 'fresh',
        timeMs: Date.now() - 1000,
      }),
    );
    await view.pollNow();
    expect(view.poller.pending).toBeGreaterThan(0);
    const status = (await (await fetch(`${view.url}/api/status`)).json()) as { jaeger: { backfilled: boolean } };
    expect(status.jaeger.backfilled).toBe(true);
    expect(view.tracker.state.alerts('fresh').new).toBeDefined();
  });
});
