// @faultline/node next to an app's own OpenTelemetry SDK: handled errors go through the app's registered
// provider and sit inside its trace; a crash inside an active span lands in the same trace too.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { eventOf, findTraces } from '../support/jaeger.mjs';
import { agentEnv, REGISTER } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;

interface Span {
  operationName: string;
  traceID: string;
  spanID: string;
  references?: { refType: string; spanID: string }[];
  logs?: { fields: { key: string; value: unknown }[] }[];
  processID: string;
}

describe('@faultline/node with the app’s own OpenTelemetry SDK', () => {
  it('puts handled errors and crashes inside the app’s traces', async () => {
    const service = `own-sdk-${Date.now() % 100000}`;
    const run = spawnSync(node, ['--require', `${REGISTER}.cjs`, resolve(__dirname, 'apps/app-with-own-sdk.cjs')], {
      encoding: 'utf8',
      timeout: 20_000,
      cwd: __dirname,
      env: agentEnv(stack.urls.otlpHttp, service, { APP_SERVICE: service }),
    });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/TypeError: crash inside the job/);

    let spans: Span[] = [];
    for (let i = 0; i < 50; i++) {
      spans = (await findTraces(stack.urls.jaegerQuery, { service })).flatMap((t: { spans: Span[] }) => t.spans);
      if (
        spans.filter((s) => s.operationName === 'exception').length >= 2 &&
        spans.some((s) => s.operationName === 'GET /checkout')
      )
        break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const request = spans.find((s) => s.operationName === 'GET /checkout') as Span;
    const exceptions = spans.filter((s) => s.operationName === 'exception');
    expect(exceptions).toHaveLength(2);
    const messageOf = (s: Span) => eventOf(s as never)?.['exception.message'];

    const handled = exceptions.find((s) => messageOf(s) === 'handled inside the request') as Span;
    expect(handled.traceID).toBe(request.traceID);
    expect(handled.references?.[0]).toMatchObject({ refType: 'CHILD_OF', spanID: request.spanID });
    // The same exception event is on the request span itself.
    expect(eventOf(request as never)?.['exception.message']).toBe('handled inside the request');

    const crash = exceptions.find((s) => messageOf(s) === 'crash inside the job') as Span;
    expect(crash, 'the crash is reported').toBeDefined();
    expect(eventOf(crash as never)?.['faultline.mechanism']).toBe('uncaughtException');
    // The job's span (started inside the request, so in its trace) was active where the crash happened: the
    // crash report is the job span's child. The job span itself never reaches Jaeger: the app's batching
    // processor cannot flush in a dying process, which is why faultline sends crashes on its own path.
    expect(crash.traceID).toBe(request.traceID);
    expect(crash.references?.[0]?.refType).toBe('CHILD_OF');
    expect(crash.references?.[0]?.spanID).not.toBe(request.spanID);
    expect(spans.some((s) => s.operationName === 'nightly job')).toBe(false);
  });
});
