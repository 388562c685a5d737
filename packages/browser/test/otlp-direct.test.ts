// The script tag's batch queue (otlp-direct.ts) against a real local sink: full batches go out one at a time,
// the queue is bounded, and what does not fit is counted (it rides on the next report as
// faultline.spool.dropped), never silently lost.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDirectPipeline } from '../src/otlp-direct';

describe('the script tag pipeline', () => {
  const received: { spans: number; at: number }[] = [];
  let url = '';
  let delayMs = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const { resourceSpans } = JSON.parse(body);
      received.push({ spans: resourceSpans[0].scopeSpans[0].spans.length, at: Date.now() });
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), delayMs);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const endSpans = (pipeline: ReturnType<typeof createDirectPipeline>, n: number) => {
    for (let i = 0; i < n; i++) pipeline.tracer.startSpan('exception', { attributes: { i } }).end();
  };

  it('sends a full batch at once, and the rest after the batch delay', async () => {
    received.length = 0;
    delayMs = 0;
    const pipeline = createDirectPipeline(url, { 'service.name': 'shop' });
    const start = Date.now();
    endSpans(pipeline, 70);
    await new Promise((r) => setTimeout(r, 2000));
    expect(received.map((r) => r.spans)).toEqual([64, 6]);
    // The rest waited for the batch timer (1 s); the full batch did not.
    expect((received[1]?.at as number) - start).toBeGreaterThanOrEqual(990);
    expect(received[0]?.at as number).toBeLessThanOrEqual(received[1]?.at as number);
    expect(pipeline.spool.dropped).toBe(0);
  });

  it('holds at most 512 spans while a batch is on its way, and counts the ones it gave up', async () => {
    received.length = 0;
    delayMs = 500; // the first batch is still unanswered while the page keeps throwing
    const pipeline = createDirectPipeline(url, { 'service.name': 'shop' });
    endSpans(pipeline, 700);
    // 64 on the wire, 512 waiting, 124 given up and counted.
    expect(pipeline.spool.dropped).toBe(124);
    await pipeline.flush();
    await new Promise((r) => setTimeout(r, 600));
    expect(received.reduce((n, r) => n + r.spans, 0)).toBe(576);
    expect(Math.max(...received.map((r) => r.spans))).toBeLessThanOrEqual(64);
  });
});
