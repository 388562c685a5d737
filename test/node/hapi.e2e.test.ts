// hapi 21 with the preload alone: what hapi answers with a 500 (its `request` event, channel `error`) is
// reported with the request, a 4xx is not, and the app answers and prints (hapi's own debug log of each
// error) exactly what it does under plain node.
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { reportsOf } from '../support/jaeger.mjs';
import { agentEnv, answersOf, comparablePrinted, orderRouteReport, REGISTER, startServer } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const HAPI = dirname(createRequire(__filename).resolve('@hapi/hapi/package.json'));
const ROUTES = ['/throw', '/reject', '/orders/42', '/not-found', '/answered', '/nowhere'];
const REPORTED = ['async route failed', 'order 42 has no total', 'sync route failed'];
const children: { kill: (s: string) => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function startApp(service: string, preload: boolean) {
  const args = [...(preload ? ['--require', `${REGISTER}.cjs`] : []), resolve(__dirname, 'apps/hapi-app.cjs')];
  return startServer(node, args, agentEnv(stack.urls.otlpHttp, service, { HAPI_MODULE: HAPI }), children);
}

describe('hapi 21 with the preload alone', () => {
  it('reports what it answers with a 500, with the request, and answers and prints exactly as plain node', async () => {
    const service = `hapi-${Date.now() % 100000}`;
    const [withIt, without] = await Promise.all([startApp(service, true), startApp(`${service}-plain`, false)]);
    expect(await answersOf(withIt.url, ROUTES)).toEqual(await answersOf(without.url, ROUTES));
    const [printed, plainPrinted] = (await Promise.all([withIt.stop(), without.stop()])).map(comparablePrinted);
    expect(printed).toEqual(plainPrinted);
    expect(printed.stderr).toContain('RangeError: async route failed');

    const { messages, tags } = await reportsOf(stack.urls.jaegerQuery, service, REPORTED);
    // The 404s (a Boom error, a 404 the route answered itself, no route) are not incidents.
    expect(messages).toEqual(REPORTED);
    expect(tags['order 42 has no total']).toMatchObject({ ...orderRouteReport('hapi'), 'http.route': '/orders/{id}' });
  });
});
