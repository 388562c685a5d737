// Koa 3 and 2 with the preload alone: what Koa routes to its error handling (the app's `error` event) and
// answers with a 5xx is reported with the request, a 4xx or an error the app answers itself is not, and the
// app answers and prints exactly what it does under plain node: Koa's own logger (app.onerror) still logs,
// stays silent with app.silent, and is still left out when the app has an `error` listener of its own.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { reportsOf } from '../support/jaeger.mjs';
import { agentEnv, answersOf, comparablePrinted, orderRouteReport, REGISTER, startServer } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const requireHere = createRequire(__filename);
const ROUTER = requireHere.resolve('@koa/router');
const ROUTES = [
  '/throw',
  '/reject',
  '/orders/42',
  '/not-found',
  '/exposed',
  '/unavailable',
  '/answered',
  '/caught',
  '/nowhere',
];
const REPORTED = ['async route failed', 'down for maintenance', 'order 42 has no total', 'sync route failed'];
const children: { kill: (s: string) => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function startApp(koa: string, service: string, preload: boolean, mode: Record<string, string>) {
  const args = [...(preload ? ['--require', `${REGISTER}.cjs`] : []), resolve(__dirname, 'apps/koa-app.cjs')];
  const env = agentEnv(stack.urls.otlpHttp, service, { KOA_MODULE: koa, KOA_ROUTER_MODULE: ROUTER, ...mode });
  return startServer(node, args, env, children);
}

describe.each([
  ['Koa 3', 'koa'],
  ['Koa 2', 'koa2'],
])('%s with the preload alone', (_name, pkg) => {
  const koa = requireHere.resolve(pkg);

  it.each([
    ['logging with app.onerror', {}],
    ['silent (app.silent)', { KOA_SILENT: '1' }],
    ['with its own error listener', { KOA_OWN_LISTENER: '1' }],
  ])('reports what it answers with a 5xx, with the request, %s exactly as plain node', async (_mode, mode) => {
    const service = `${pkg}-${Object.keys(mode).join('') || 'default'}-${Date.now() % 100000}`;
    const [withIt, without] = await Promise.all([
      startApp(koa, service, true, mode),
      startApp(koa, `${service}-plain`, false, mode),
    ]);
    expect(await answersOf(withIt.url, ROUTES)).toEqual(await answersOf(without.url, ROUTES));
    const [printed, plainPrinted] = (await Promise.all([withIt.stop(), without.stop()])).map(comparablePrinted);
    expect(printed).toEqual(plainPrinted);
    // What Koa prints in each mode, so that the comparison above compares something.
    if (mode.KOA_SILENT) expect(printed.stderr).toBe('');
    else if (mode.KOA_OWN_LISTENER) {
      expect(printed.stderr).toBe('');
      expect(printed.stdout).toContain('own listener: sync route failed /throw');
    } else expect(printed.stderr).toContain('Error: sync route failed');

    const { messages, tags } = await reportsOf(stack.urls.jaegerQuery, service, REPORTED);
    // The 404s, the 422 and the error the route answered itself are not incidents.
    expect(messages).toEqual(REPORTED);
    expect(tags['order 42 has no total']).toMatchObject(orderRouteReport('koa'));
    expect(tags['down for maintenance']).toMatchObject({
      'http.route': '/unavailable',
      'http.response.status_code': 503,
    });
  });
});
