// Express 4 and 5: with faultline's error handler, what reaches it is reported with the request; with the
// preload alone, what reaches Express's final handler is; a 4xx is not, an error is reported once, and every
// response and everything the app prints (Express's own log of each error) is what plain node gives.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventOf, tagsOf, waitForExceptionSpans } from '../support/jaeger.mjs';
import { agentEnv, answersOf, comparablePrinted, orderRouteReport, REGISTER, startServer } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const requireHere = createRequire(__filename);
const ROUTES = ['/throw', '/reject', '/orders/42', '/not-found', '/answered', '/nowhere'];
const children: { kill: (s: string) => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** Starts the app with the preload (unless `plain`) and faultline's handler as `handler` says. */
function startApp(expressModule: string, service: string, handler: '1' | 'quiet' | '0', plain = false) {
  const env = agentEnv(stack.urls.otlpHttp, service, {
    EXPRESS_MODULE: expressModule,
    FAULTLINE_HANDLER: handler,
    NODE_ENV: 'production',
  });
  const app = resolve(__dirname, 'apps/express-app.cjs');
  return startServer(node, plain ? [app] : ['--require', `${REGISTER}.cjs`, app], env, children);
}

async function messagesOf(service: string, count: number, timeoutMs: number) {
  const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, count, timeoutMs);
  return Object.fromEntries(spans.map((s: never) => [String(eventOf(s)?.['exception.message']), s]));
}
const tagsOfSpan = (span: unknown) => tagsOf({ processes: {}, spans: [span] } as never);

describe.each([
  ['Express 5', 'express'],
  ['Express 4', 'express4'],
])('%s', (_name, pkg) => {
  const expressModule = requireHere.resolve(`${pkg}/package.json`).replace(/\/package\.json$/, '');

  it('reports the 5xx errors of its handler and of the final handler, each once, and answers and prints as plain node', async () => {
    const service = `express-${pkg}-${Date.now() % 100000}`;
    const apps = await Promise.all([
      startApp(expressModule, service, '1'),
      startApp(expressModule, `${service}-preload`, '0'),
      startApp(expressModule, `${service}-quiet`, 'quiet'),
      startApp(expressModule, `${service}-plain`, '0', true),
    ]);
    const answers = await Promise.all(apps.map((app) => answersOf(app.url, ROUTES)));
    for (const other of answers.slice(0, 3)) expect(other).toEqual(answers[3]);
    const printed = (await Promise.all(apps.map((app) => app.stop()))).map(comparablePrinted);
    for (const other of printed.slice(0, 3)) expect(other).toEqual(printed[3]);
    expect(printed[3]?.stderr).toContain('TypeError: order 42 has no total'); // Express's own log

    // The handler: what reaches it with a 5xx (the app's own handler then answers /reject with a 503); the
    // final handler's hook leaves those to it.
    const handled = await messagesOf(service, 3, 20_000);
    expect(Object.keys(handled).sort()).toEqual(['async route failed', 'order 42 has no total', 'sync route failed']);
    expect(tagsOfSpan(handled['order 42 has no total'])).toMatchObject(orderRouteReport('express'));
    expect(tagsOfSpan(handled['async route failed'])['http.route']).toBe('/reject');
    // The preload alone: what reaches Express's final handler, with the request.
    const final = await messagesOf(`${service}-preload`, 2, 20_000);
    expect(Object.keys(final).sort()).toEqual(['order 42 has no total', 'sync route failed']);
    expect(tagsOfSpan(final['order 42 has no total'])).toMatchObject(orderRouteReport('express'));
    expect(tagsOfSpan(final['sync route failed'])).toMatchObject({ 'http.route': '/throw', 'url.path': '/throw' });
    // The 404s are not incidents, nothing is reported twice, and a shouldReport that says no is obeyed by
    // the final handler's hook too.
    await new Promise((r) => setTimeout(r, 1000));
    expect(await waitForExceptionSpans(stack.urls.jaegerQuery, service, 4, 1000)).toHaveLength(3);
    expect(await waitForExceptionSpans(stack.urls.jaegerQuery, `${service}-preload`, 3, 1000)).toHaveLength(2);
    expect(await waitForExceptionSpans(stack.urls.jaegerQuery, `${service}-quiet`, 1, 500)).toHaveLength(0);
  });
});
