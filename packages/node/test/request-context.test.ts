import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RequestContext } from '../src/request-context';

/** Runs `fn` in an async context of its own, as a request's handling would be (enterWith stays in it). */
const inOwnContext = <T>(fn: () => T): Promise<T> =>
  new Promise((resolve, reject) =>
    setImmediate(() => {
      try {
        resolve(fn());
      } catch (err) {
        reject(err); // a failed assertion fails the test, not the worker
      }
    }),
  );
const response = () => ({ writableFinished: false, destroyed: false });

describe('the request in flight', () => {
  it("has Express's originalUrl as url.path (a mounted router's url lacks its prefix) and the route Express matched", async () => {
    const attributes = await inOwnContext(() => {
      const context = Object.assign(new RequestContext(), { mode: true });
      const req = {
        method: 'GET',
        url: '/42?token=s3cret',
        originalUrl: '/api/orders/42?token=s3cret',
        baseUrl: '/api/orders',
        route: { path: '/:id' },
        headers: { 'user-agent': 'ua/1' },
      };
      context.enter({ request: req, response: response() });
      return context.attributes();
    });
    expect(attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/api/orders/:id',
      'url.path': '/api/orders/42',
      'user_agent.original': 'ua/1',
    });
  });

  it('takes the route a framework hook hands it for its request, and only for that one', async () => {
    const [matched, other] = await inOwnContext(() => {
      const context = Object.assign(new RequestContext(), { mode: true });
      const req = { method: 'GET', url: '/orders/42' };
      context.enter({ request: req, response: response() });
      context.route({ url: '/orders/42' }, '/not/this/one', String); // another request object
      const before = context.attributes();
      context.route(req, { path: '/orders/{id}' }, (route) => route.path);
      return [context.attributes(), before];
    });
    expect(other).not.toHaveProperty('http.route');
    expect(matched).toMatchObject({ 'http.route': '/orders/{id}', 'url.path': '/orders/42' });
  });

  it("takes an HTTP/2 stream's request from its pseudo-headers, its server's route, and the hook of the compatibility request", async () => {
    const [fromServer, fromHook, closed] = await inOwnContext(() => {
      const context = Object.assign(new RequestContext(), { mode: true });
      const server = {};
      context.serverRoutes(server, (req) => `${(req as { method: string }).method} /orders/:id`);
      const stream = { session: { server }, writableFinished: false, destroyed: false };
      const headers = { ':method': 'POST', ':path': '/orders/42?token=s3cret', 'user-agent': 'h2/1' };
      context.enterStream({ stream, headers });
      const fromServer = context.attributes();
      context.route({ stream }, '/from/the/hook', String);
      const fromHook = context.attributes();
      stream.destroyed = true;
      return [fromServer, fromHook, context.attributes()];
    });
    expect(fromServer).toEqual({
      'http.request.method': 'POST',
      'http.route': 'POST /orders/:id',
      'url.path': '/orders/42',
      'user_agent.original': 'h2/1',
    });
    expect(fromHook).toMatchObject({ 'http.route': '/from/the/hook' });
    expect(closed).toBeUndefined();
  });

  it('is none for a stream message it cannot read, and never throws', async () => {
    await inOwnContext(() => {
      fc.assert(
        fc.property(fc.anything(), (message) => {
          const context = Object.assign(new RequestContext(), { mode: true });
          context.enterStream(message);
          const attributes = context.attributes();
          expect(attributes === undefined || typeof attributes === 'object').toBe(true);
        }),
      );
    });
  });

  it("reads any stream's pseudo-headers as HTTP/1's request line, and nothing once the stream is done", async () => {
    /** What `enter*` then `attributes()` give, each in a context of its own. */
    const attributesAfter = (enter: (context: RequestContext) => void) =>
      inOwnContext(() => {
        const context = Object.assign(new RequestContext(), { mode: true });
        enter(context);
        return context.attributes();
      });
    await fc.assert(
      fc.asyncProperty(
        fc.anything(),
        fc.oneof(fc.string(), fc.webPath(), fc.anything()),
        fc.anything(),
        fc.constantFrom('open', 'finished', 'destroyed'),
        async (method, path, userAgent, state) => {
          const stream = () => ({ writableFinished: state === 'finished', destroyed: state === 'destroyed' });
          const headers = { ':method': method, ':path': path, 'user-agent': userAgent };
          const overHttp2 = await attributesAfter((c) => c.enterStream({ stream: stream(), headers }));
          // The same request as HTTP/1's channel publishes it.
          const request = { method, url: path, headers: { 'user-agent': userAgent } };
          const overHttp1 = await attributesAfter((c) => c.enter({ request, response: stream() }));
          expect(overHttp2).toEqual(overHttp1);
          if (state !== 'open') expect(overHttp2).toBeUndefined();
          else {
            const expected: Record<string, unknown> = {};
            if (typeof method === 'string') expected['http.request.method'] = method;
            if (typeof path === 'string') expected['url.path'] = path.split(/[?#]/, 1)[0];
            if (typeof userAgent === 'string') expected['user_agent.original'] = userAgent;
            expect(overHttp2).toEqual(expected);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is none once the response is finished', async () => {
    const attributes = await inOwnContext(() => {
      const context = Object.assign(new RequestContext(), { mode: true });
      context.enter({ request: { url: '/x' }, response: { writableFinished: true } });
      return context.attributes();
    });
    expect(attributes).toBeUndefined();
  });

  it('keeps the path without its query and never throws, whatever the request and its route are', async () => {
    await inOwnContext(() => {
      fc.assert(
        fc.property(
          fc.string(),
          fc.option(fc.string()),
          fc.anything(),
          fc.boolean(),
          (originalUrl, url, route, hookThrows) => {
            const context = Object.assign(new RequestContext(), { mode: true });
            const req = { url, originalUrl, route };
            context.enter({ request: req, response: response() });
            context.route(req, route, (from) => {
              if (hookThrows) throw new Error('hostile route');
              return from;
            });
            const attributes = context.attributes();
            expect(attributes?.['url.path']).toBe(originalUrl.split(/[?#]/, 1)[0]);
            const template = attributes?.['http.route'];
            expect(template === undefined || typeof template === 'string').toBe(true);
          },
        ),
      );
    });
  });

  it('is kept by `auto` where AsyncLocalStorage runs on AsyncContextFrame, and only there; `false` keeps none', async () => {
    // Node 20 and 22 (without their flag) run it on async hooks: each of those versions runs this suite.
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const onFrames = !('kResourceStore' in new AsyncLocalStorage());
    const [node] = process.versions.node.split('.').map(Number);
    const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
    if (!flags.some((a) => a.includes('async-context-frame'))) expect(onFrames).toBe((node as number) >= 24);
    for (const [mode, kept] of [
      ['auto', onFrames],
      [false, false],
      [true, true],
    ] as const) {
      const attributes = await inOwnContext(() => {
        const context = Object.assign(new RequestContext(), { mode });
        context.enter({ request: { method: 'GET', url: '/x', headers: {} }, response: response() });
        return context.attributes();
      });
      expect(attributes !== undefined).toBe(kept);
    }
  });
});
