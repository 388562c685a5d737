// The view's reader against the real Jaeger, on a clock of the test's own: a report that arrives late with
// its old timestamp (a Node spool sent by the next process, a collector queue draining after an outage) is
// not in any incremental window, and a rescan finds it, once.
import { describe, expect, inject, it } from 'vitest';
import { errorsOfTrace } from '../../packages/view/src/error-events';
import { IssueIndex } from '../../packages/view/src/issue-index';
import type { JaegerTrace } from '../../packages/view/src/jaeger-json';
import { JaegerPoller } from '../../packages/view/src/jaeger-poller';
import { eventually, getTrace } from '../support/jaeger.mjs';
import { exceptionSpan, sendOtlp } from '../support/otlp.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const MINUTE = 60_000;

describe('late arrivals', () => {
  it('are found by a rescan, and counted once however often they are read again', async () => {
    const service = `view-late-${Date.now() % 100000}`;
    const fingerprint = `1a7e${String(Date.now() % 1e12).padStart(12, '0')}`;
    const send = async (timeMs: number, message: string) => {
      const span = exceptionSpan({
        timeMs,
        resource: { 'service.name': service },
        attributes: { 'faultline.fingerprint': fingerprint },
        event: { 'exception.message': message },
      });
      expect((await sendOtlp(stack.urls.otlpTraces, span.payload)).status).toBe(200);
      await eventually(() => getTrace(stack.urls.jaegerQuery, span.traceId), { timeoutMs: 20_000, what: message });
    };
    const start = Date.now();
    await send(start, 'on time');
    const seen: string[] = [];
    const index = new IssueIndex();
    let clock = start + 1000;
    const poller = new JaegerPoller({
      jaegerUrl: stack.urls.jaegerQuery,
      backfillMs: 60 * MINUTE,
      now: () => clock,
      onTraces: (traces: JaegerTrace[]) => {
        for (const t of traces) {
          const found = errorsOfTrace(t);
          for (const e of found.errors) if (e.service === service) seen.push(e.message);
          index.add(found);
        }
      },
    });
    // The first rounds read every service's last hour (its backfill), this one's included.
    // How many rounds that takes depends on how many services the shared Jaeger holds (every suite's), and
    // each round reads the last minute again (POLL_OVERLAP_MS) on this frozen clock: read at least once,
    // counted once.
    do await poller.poll();
    while (poller.pending > 0);
    expect(seen.length).toBeGreaterThan(0);
    expect(new Set(seen)).toEqual(new Set(['on time']));
    expect(index.issues.get(fingerprint)?.events).toBe(1);

    // Twenty minutes old when it arrives: older than any incremental window.
    await send(start - 20 * MINUTE, 'late');
    clock += 10_000;
    await poller.poll();
    expect(seen.filter((m) => m === 'late')).toEqual([]);

    // Fifteen minutes on, the 6-hour rescan is due: it reads the late report.
    clock += 15 * MINUTE;
    do await poller.poll();
    while (poller.pending > 0);
    expect(seen.filter((m) => m === 'late')).toEqual(['late']);
    expect(index.issues.get(fingerprint)?.events).toBe(2);

    // Fifteen minutes more, the 6-hour rescan again: read twice, still counted once.
    clock += 15 * MINUTE;
    do await poller.poll();
    while (poller.pending > 0);
    expect(seen.filter((m) => m === 'late').length).toBeGreaterThan(1);
    expect(index.issues.get(fingerprint)?.events).toBe(2);
  });
});
