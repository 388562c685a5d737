// Fastify 5 with the preload alone: what its handlers throw and it answers with a 5xx is reported with the
// request (an onError hook added to the instance Fastify publishes on its initialization channel, nothing
// patched), a 4xx is not, and every response is what
// the same app answers under plain node.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventOf, tagsOf, waitForExceptionSpans } from '../support/jaeger.mjs';
import { agentEnv, answersOf, orderRouteReport, REGISTER, startListening } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const FASTIFY = createRequire(__filename).resolve('fastify');
const ROUTES = [
  '/throw',
  '/reject',
  '/orders/42',
  '/not-found',
  '/answered',
  '/validated',
  '/nowhere',
  '/mapped/invalid',
  '/mapped/unavailable',
  '/plugins',
];
const children: { kill: (s: string) => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

function startApp(service: string, preload: boolean): Promise<string> {
  const args = [...(preload ? ['--require', `${REGISTER}.cjs`] : []), resolve(__dirname, 'apps/fastify-app.cjs')];
  return startListening(node, args, agentEnv(stack.urls.otlpHttp, service, { FASTIFY_MODULE: FASTIFY }), children);
}

describe('Fastify 5 with the preload alone', () => {
  it('reports what it answers with a 5xx, with the request, and answers exactly as plain node', async () => {
    const service = `fastify-${Date.now() % 100000}`;
    const [withIt, without] = await Promise.all([startApp(service, true), startApp(`${service}-plain`, false)]);
    expect(await answersOf(withIt, ROUTES)).toEqual(await answersOf(without, ROUTES));

    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 4, 20_000);
    const byMessage = Object.fromEntries(spans.map((s: never) => [String(eventOf(s)?.['exception.message']), s]));
    expect(Object.keys(byMessage).sort()).toEqual([
      'answered 503 by the app',
      'async route failed',
      'order 42 has no total',
      'sync route failed',
    ]);
    expect(tagsOf({ processes: {}, spans: [byMessage['order 42 has no total']] } as never)).toMatchObject(
      orderRouteReport('fastify'),
    );
    // The status the app's own error handler sent, not Fastify's guess from the error (404).
    expect(tagsOf({ processes: {}, spans: [byMessage['answered 503 by the app']] } as never)).toMatchObject({
      'http.route': '/mapped/unavailable',
      'http.response.status_code': 503,
    });
    // The 404s, the failed schema and what the app's handler answered with a 422 are not incidents.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await waitForExceptionSpans(stack.urls.jaegerQuery, service, 5, 1000)).toHaveLength(4);
  });
});
