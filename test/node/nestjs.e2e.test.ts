// NestJS 11 (Express and Fastify adapters) with the preload alone: Nest answers errors in its own exception
// filters, so nothing reaches Express's error handling or Fastify's error channel; what its base filter answers with a 5xx is reported with the
// request, a 4xx is not, and the app answers and logs exactly what it does under plain node.
import { resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { reportsOf } from '../support/jaeger.mjs';
import { agentEnv, answersOf, comparablePrinted, orderRouteReport, REGISTER, startServer } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
// A route that logs nothing last: Nest logs an error after it answered, and the app is stopped once it has.
const ROUTES = ['/hook-failed', '/orders/42', '/reject', '/not-found', '/unavailable', '/nowhere'];
const REPORTED = ['async route failed', 'down for maintenance', 'hook failed', 'order 42 has no total'];
const children: { kill: (s: string) => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function startApp(service: string, preload: boolean, adapter: string) {
  const args = [...(preload ? ['--require', `${REGISTER}.cjs`] : []), resolve(__dirname, 'apps/nest-app.cjs')];
  const env = agentEnv(stack.urls.otlpHttp, service, { NO_COLOR: '1', NEST_ADAPTER: adapter });
  return startServer(node, args, env, children);
}

/** Nest's log lines carry the pid and the time. */
const normalized = (printed: { stderr: string }) =>
  printed.stderr.replace(/\[Nest\] \d+\s+-\s+.*?\s+ERROR/g, '[Nest] PID - TIME ERROR');

describe.each(['express', 'fastify'])('NestJS 11 on its %s adapter with the preload alone', (adapter) => {
  it('reports what its exception filter answers with a 5xx, once, with the request, and answers and logs as plain node', async () => {
    const service = `nestjs-${adapter}-${Date.now() % 100000}`;
    const [withIt, without] = await Promise.all([
      startApp(service, true, adapter),
      startApp(`${service}-plain`, false, adapter),
    ]);
    expect(await answersOf(withIt.url, ROUTES)).toEqual(await answersOf(without.url, ROUTES));
    const [printed, plainPrinted] = (await Promise.all([withIt.stop(), without.stop()])).map(comparablePrinted);
    expect(normalized(printed)).toEqual(normalized(plainPrinted));
    expect(printed.stdout).toEqual(plainPrinted.stdout);
    expect(printed.stderr).toContain('TypeError: order 42 has no total'); // Nest's own log

    const { messages, tags } = await reportsOf(stack.urls.jaegerQuery, service, REPORTED);
    expect(messages).toEqual(REPORTED); // each once; the 404s are not incidents
    expect(tags['order 42 has no total']).toMatchObject(orderRouteReport('nestjs'));
    expect(tags['down for maintenance']).toMatchObject({
      'http.route': '/unavailable',
      'http.response.status_code': 503,
    });
    expect(tags['hook failed']).toMatchObject({ 'faultline.mechanism': 'nestjs', 'http.response.status_code': 500 });
  });
});
