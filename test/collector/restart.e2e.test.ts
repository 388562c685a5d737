// The exporter's persistent queue (faultline.yaml: the keyfiles storage) across a collector restart: what the
// collector accepted while Jaeger was down reaches Jaeger after the collector is stopped and started again,
// and after it is killed as a crash would, each span exactly once. A stack of its own, so that the other
// suites' collector keeps running.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DEFAULT_PORTS, startStack } from '../../collector-config/stack.mjs';
import { eventually, getTrace, waitForTrace } from '../support/jaeger.mjs';
import { exceptionSpan, sendOtlp } from '../support/otlp.mjs';
import { TEST_PORT_SHIFT } from '../support/ports.mjs';

const injected = inject('stack' as never) as { binaries: { collector: string; jaeger: string } };
// Ports of their own: the defaults shifted, plus 40 (OpenSearch's suite takes 50, Kafka's 60 to 80).
const ports = Object.fromEntries(Object.entries(DEFAULT_PORTS).map(([k, v]) => [k, v + TEST_PORT_SHIFT + 40]));

/** The queue's items on disk: keyfiles names a key's file `k` + its hex, and the queue's item keys are numbers. */
function queuedItems(storageDir: string) {
  return readdirSync(storageDir)
    .filter((d) => d.endsWith('.keyfiles'))
    .flatMap((d) => readdirSync(join(storageDir, d)))
    .filter((f) => /^k(3\d)+$/.test(f));
}

describe('the collector queue across restarts', () => {
  let stack: Awaited<ReturnType<typeof startStack>>;
  beforeAll(async () => {
    stack = await startStack({ ports, binaries: injected.binaries, jaeger: { storage: 'memory' } });
  });
  afterAll(async () => {
    await stack?.stop();
    if (stack) rmSync(stack.storageDir, { recursive: true, force: true });
  });

  /** 20 exception spans of 20 traces in one request, as one batch of an SDK. */
  async function sendWhileJaegerIsDown(label: string) {
    const spans = Array.from({ length: 20 }, (_, i) =>
      exceptionSpan({ event: { 'exception.message': `${label} ${i}` } }),
    );
    const payload = spans[0]?.payload as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
    const first = payload.resourceSpans[0]?.scopeSpans[0];
    for (const s of spans.slice(1)) first?.spans.push(...(s.payload.resourceSpans[0]?.scopeSpans[0]?.spans ?? []));
    const res = await sendOtlp(`${stack.urls.otlpTraces}`, payload);
    expect(res.status).toBe(200);
    return spans.map((s) => s.traceId);
  }

  async function expectEachOnce(traceIds: string[]) {
    for (const traceId of traceIds) {
      const trace = await waitForTrace(stack.urls.jaegerQuery, traceId, 30_000);
      expect(trace.spans).toHaveLength(1);
    }
    // A replay of what was already delivered would show as a second copy: look again once the queue is empty.
    await eventually(() => (queuedItems(stack.storageDir).length === 0 ? true : undefined), { what: 'an empty queue' });
    await new Promise((r) => setTimeout(r, 1000));
    for (const traceId of traceIds) expect((await getTrace(stack.urls.jaegerQuery, traceId))?.spans).toHaveLength(1);
  }

  it('delivers what was queued before a stop (SIGTERM) once the new process finds Jaeger', async () => {
    await stack.stopJaeger();
    const sent = await sendWhileJaegerIsDown('queued before a stop');
    // Straight away: what is still in the batch processor is flushed into the queue on shutdown.
    await stack.restartCollector();
    await stack.startJaeger();
    await expectEachOnce(sent);
  });

  it('delivers what was queued before a crash (SIGKILL), once', async () => {
    await stack.stopJaeger();
    const sent = await sendWhileJaegerIsDown('queued before a crash');
    // A crash loses what had not reached the queue yet (the batch processor holds it for 200 ms): kill once
    // the batch is on disk.
    await eventually(() => (queuedItems(stack.storageDir).length > 0 ? true : undefined), {
      what: 'the batch in the queue',
    });
    await stack.restartCollector({ crash: true });
    await stack.startJaeger();
    await expectEachOnce(sent);
  });
});
