// Exceptions as OpenTelemetry log records (OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN), with real node processes:
// what the agent sends is caught by a local OTLP/HTTP endpoint, then handed to the real collector, which
// must accept it.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const stack = inject('stack' as never) as { urls: { otlpHttp: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const register = resolve(__dirname, '../../packages/node/dist/register.cjs');

/** A local OTLP/HTTP endpoint that keeps what it receives, by path. */
let sink: Server;
let received: { path: string; body: string }[] = [];
let sinkUrl = '';
beforeAll(async () => {
  sink = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}`;
});
afterAll(() => sink.close());

/** Runs a crashing app (asynchronously: the sink lives in this process and must keep serving). */
function crash(optIn: string): Promise<number | null> {
  received = [];
  const dir = mkdtempSync(join(tmpdir(), 'fl-logs-'));
  writeFileSync(join(dir, 'app.js'), "setTimeout(() => { throw new RangeError('logged crash'); }, 1);\n");
  const child = spawn(node, ['--require', register, join(dir, 'app.js')], {
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH,
      OTEL_SERVICE_NAME: 'logs-e2e',
      OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
      OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN: optIn,
      FAULTLINE_SPOOL_DIR: join(dir, 'spool'),
    },
  });
  return new Promise((r) => child.on('exit', (code) => r(code)));
}

const attrs = (list: { key: string; value: Record<string, unknown> }[]) =>
  Object.fromEntries(list.map((a) => [a.key, Object.values(a.value)[0]]));

describe('exceptions as log records', () => {
  it('logs: one log record with the exception attributes, and no span', async () => {
    expect(await crash('logs')).toBe(1);
    expect(received.map((r) => r.path)).toEqual(['/v1/logs']);
    const body = JSON.parse(received[0]?.body ?? '{}');
    const record = body.resourceLogs[0].scopeLogs[0].logRecords[0];
    // A crash that ends the process: FATAL (issue 13).
    expect([record.severityNumber, record.severityText]).toEqual([21, 'FATAL']);
    expect(record.eventName).toBe('exception');
    expect(attrs(record.attributes)).toMatchObject({
      'exception.type': 'RangeError',
      'exception.message': 'logged crash',
      'faultline.mechanism': 'uncaughtException',
    });
    // The real collector accepts it (its logs pipeline redacts it like the spans).
    const res = await fetch(`${stack.urls.otlpHttp}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: received[0]?.body,
    });
    expect(res.status).toBe(200);
  });

  it('logs/dup: both the span and the log record', async () => {
    expect(await crash('logs/dup')).toBe(1);
    expect(received.map((r) => r.path).sort()).toEqual(['/v1/logs', '/v1/traces']);
  });

  it('default: span events only', async () => {
    expect(await crash('')).toBe(1);
    expect(received.map((r) => r.path)).toEqual(['/v1/traces']);
  });
});
