// Express 4 and 5 with faultline's error handler: what reaches it is reported with the request, a 4xx is
// not, and every response is byte for byte what the same app answers without it.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventOf, tagsOf, waitForExceptionSpans } from '../support/jaeger.mjs';
import { agentEnv, answersOf, orderRouteReport, REGISTER, startListening } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const requireHere = createRequire(__filename);
const ROUTES = ['/throw', '/reject', '/orders/42', '/not-found', '/answered'];
const children: { kill: (s: string) => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts the app; resolves with its base URL. */
function startApp(expressModule: string, service: string, withHandler: boolean): Promise<string> {
  const env = agentEnv(stack.urls.otlpHttp, service, {
    EXPRESS_MODULE: expressModule,
    FAULTLINE_HANDLER: withHandler ? '1' : '0',
    NODE_ENV: 'production',
  });
  return startListening(
    node,
    ['--require', `${REGISTER}.cjs`, resolve(__dirname, 'apps/express-app.cjs')],
    env,
    children,
  );
}

describe.each([
  ['Express 5', 'express'],
  ['Express 4', 'express4'],
])('%s with expressErrorHandler()', (_name, pkg) => {
  const expressModule = requireHere.resolve(`${pkg}/package.json`).replace(/\/package\.json$/, '');

  it('reports the errors it answers with a 5xx, with the request, and answers exactly as without it', async () => {
    const service = `express-${pkg}-${Date.now() % 100000}`;
    const [withIt, without] = await Promise.all([
      startApp(expressModule, service, true),
      startApp(expressModule, `${service}-plain`, false),
    ]);
    expect(await answersOf(withIt, ROUTES)).toEqual(await answersOf(without, ROUTES));

    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 3, 20_000);
    const byMessage = Object.fromEntries(spans.map((s: never) => [String(eventOf(s)?.['exception.message']), s]));
    expect(Object.keys(byMessage).sort()).toEqual(['async route failed', 'order 42 has no total', 'sync route failed']);
    const order = tagsOf({ processes: {}, spans: [byMessage['order 42 has no total']] } as never);
    expect(order).toMatchObject(orderRouteReport('express'));
    expect(tagsOf({ processes: {}, spans: [byMessage['async route failed']] } as never)['http.route']).toBe('/reject');
    // The 404s (an error with status 404, a 404 the app answered itself) are not incidents.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await waitForExceptionSpans(stack.urls.jaegerQuery, service, 4, 1000)).toHaveLength(3);
    expect(await waitForExceptionSpans(stack.urls.jaegerQuery, `${service}-plain`, 1, 500)).toHaveLength(0);
  });
});
