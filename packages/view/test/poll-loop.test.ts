import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
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
