// An app that traces its HTTP server with OpenTelemetry (@opentelemetry/instrumentation-http, its own
// provider exporting to the collector) and runs with the preload: what each framework answers with a 500 is
// reported as a child of the request's server span, in the trace the client started (its `traceparent`),
// and the exception event is on the server span too (not with hapi, which decides after the span ended).
// Checked in the trace Jaeger stored under that id.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventOf, eventually, getTrace } from '../support/jaeger.mjs';
import { agentEnv, packageDir, REGISTER, resolveModule, startServer } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const children: { kill: (s: string) => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Span {
  operationName: string;
  traceID: string;
  spanID: string;
  references?: { refType: string; traceID: string; spanID: string }[];
  tags: { key: string; value: unknown }[];
  logs?: { fields: { key: string; value: unknown }[] }[];
}

const CASES: [string, string, string, Record<string, string>, string][] = [
  ['Express 5 (final handler)', 'express', 'express-app.cjs', { EXPRESS_MODULE: packageDir('express') }, '/orders/42'],
  [
    'Express 4 (expressErrorHandler)',
    'express',
    'express-app.cjs',
    { EXPRESS_MODULE: packageDir('express4'), FAULTLINE_HANDLER: '1' },
    '/orders/42',
  ],
  [
    'Connect 3 (expressErrorHandler)',
    'express',
    'connect-app.cjs',
    { CONNECT_MODULE: packageDir('connect'), FAULTLINE_HANDLER: '1' },
    '/throw',
  ],
  ['Fastify 5', 'fastify', 'fastify-app.cjs', { FASTIFY_MODULE: resolveModule('fastify') }, '/orders/42'],
  [
    'Koa 3',
    'koa',
    'koa-app.cjs',
    { KOA_MODULE: resolveModule('koa'), KOA_ROUTER_MODULE: resolveModule('@koa/router') },
    '/orders/42',
  ],
  ['hapi 21', 'hapi', 'hapi-app.cjs', { HAPI_MODULE: packageDir('@hapi/hapi') }, '/orders/42'],
  ['NestJS 11 (Express adapter)', 'nestjs', 'nest-app.cjs', { NO_COLOR: '1' }, '/orders/42'],
  ['NestJS 11 (Fastify adapter)', 'nestjs', 'nest-app.cjs', { NO_COLOR: '1', NEST_ADAPTER: 'fastify' }, '/orders/42'],
];

const tag = (span: Span, key: string) => span.tags.find((t) => t.key === key)?.value;

describe.each(CASES)('%s with OpenTelemetry’s http instrumentation', (_name, mechanism, app, env, route) => {
  it('reports the error as a child of the request’s server span, in the client’s trace', async () => {
    const service = `otel-http-${mechanism}-${Date.now() % 1000000}`;
    const server = await startServer(
      node,
      [
        '--require',
        `${REGISTER}.cjs`,
        '--require',
        resolve(__dirname, 'apps/otel-http.cjs'),
        resolve(__dirname, 'apps', app),
      ],
      agentEnv(stack.urls.otlpHttp, service, { NODE_ENV: 'production', ...env }),
      children,
    );
    const traceId = randomBytes(16).toString('hex');
    const clientSpanId = randomBytes(8).toString('hex');
    const res = await fetch(`${server.url}${route}`, { headers: { traceparent: `00-${traceId}-${clientSpanId}-01` } });
    expect(res.status).toBe(500);
    await res.text();

    const spans: Span[] = await eventually(
      async () => {
        const trace = await getTrace(stack.urls.jaegerQuery, traceId);
        const found: Span[] = trace?.spans ?? [];
        const complete =
          found.some((s) => s.operationName === 'exception') && found.some((s) => tag(s, 'span.kind') === 'server');
        return complete ? found : undefined;
      },
      { timeoutMs: 20_000, what: `the trace ${traceId} with its server span and the report` },
    );
    await server.stop();
    const serverSpan = spans.find((s) => tag(s, 'span.kind') === 'server') as Span;
    const reports = spans.filter((s) => s.operationName === 'exception');
    expect(reports).toHaveLength(1);
    const report = reports[0] as Span;
    // The server span continues the client's trace; the report is its child, with the framework's context.
    expect(serverSpan.traceID).toBe(traceId);
    expect(serverSpan.references?.[0]).toMatchObject({ refType: 'CHILD_OF', spanID: clientSpanId });
    expect(report.traceID).toBe(traceId);
    expect(report.references?.[0]).toMatchObject({ refType: 'CHILD_OF', traceID: traceId, spanID: serverSpan.spanID });
    expect(eventOf(report as never)?.['faultline.mechanism']).toBe(mechanism);
    expect(tag(report, 'http.response.status_code')).toBe(500);
    // The exception event is on the server span as well, when the span is still open: hapi emits its
    // `response` event once the answer is out, and the http instrumentation ends the span then.
    const onServerSpan = eventOf(serverSpan as never)?.['exception.type'];
    if (mechanism === 'hapi') expect(onServerSpan).toBeUndefined();
    else expect(onServerSpan).toBe(eventOf(report as never)?.['exception.type']);
  });
});
