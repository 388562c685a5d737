import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decisions } from '../src/frameworks/decisions';
import { hookExpressApp, isExpressApp } from '../src/frameworks/express-final';
import { hapiReport, hookHapi } from '../src/frameworks/hapi';
import { type FrameworkReport, hookLoadedFrameworks } from '../src/frameworks/hooks';
import { hookKoa, koaReport, koaStatus } from '../src/frameworks/koa';
import { nestReport } from '../src/frameworks/nestjs';

const ctx = {
  req: { method: 'GET', headers: { 'user-agent': 'ua/1' } },
  res: { statusCode: 404 },
  originalUrl: '/orders/42?token=x',
  _matchedRoute: '/orders/:id',
};

describe('Koa', () => {
  it("answers an error with its status when it is a status code, else 500, as Koa's ctx.onerror does", () => {
    expect(koaStatus({ status: 404 })).toBe(404);
    expect(koaStatus({ statusCode: 503 })).toBe(503);
    expect(koaStatus({ status: 0, statusCode: 502 })).toBe(502);
    expect(koaStatus({ status: '500' })).toBe(500);
    expect(koaStatus(new Error('x'))).toBe(500);
    expect(koaStatus(undefined)).toBe(500);
  });

  it('reports a 5xx by default with the request, the query left out, and leaves a 4xx to shouldReport', () => {
    expect(koaReport(new Error('x'), ctx).byDefault).toBe(true);
    expect(koaReport(new Error('x'), ctx)?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'url.path': '/orders/42',
      'http.response.status_code': 500,
      'user_agent.original': 'ua/1',
    });
    expect(koaReport(Object.assign(new Error('x'), { status: 422, expose: true }), ctx)).toMatchObject({
      status: 422,
      byDefault: false,
    });
  });

  it('takes the status already sent when the headers were out before the error', () => {
    const report = koaReport(Object.assign(new Error('stream broke'), { headerSent: true }), {
      ...ctx,
      res: { statusCode: 200 },
    });
    expect(report).toMatchObject({ status: 200, byDefault: false });
    const sent503 = koaReport(Object.assign(new Error('late'), { headerSent: true }), { res: { statusCode: 503 } });
    expect(sent503?.attributes['http.response.status_code']).toBe(503);
  });

  it('never throws, whatever the error event carries', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (error, context) => {
        koaReport(error, context);
      }),
    );
  });

  it("observes the app's error events without becoming one of its error listeners", () => {
    class Application extends EventEmitter {
      createContext(req: unknown, res: unknown) {
        return { req, res, app: this };
      }
    }
    const reports: [string, FrameworkReport | undefined][] = [];
    const routes: [unknown, () => unknown][] = [];
    const sink = {
      report: (m: string, r: FrameworkReport | undefined) => reports.push([m, r]),
      route: <T>(req: unknown, from: T, read: (from: T) => unknown) => routes.push([req, () => read(from)]),
    };
    expect(hookKoa(Application, sink)).toBe(true);
    expect(hookKoa(Application, { ...sink, report: () => {} })).toBe(false); // once per class
    const app = new Application();
    const req = { method: 'GET' };
    const made = app.createContext(req, { statusCode: 200 }) as { app: unknown; _matchedRoute?: string };
    expect(made.app).toBe(app);
    // The request in flight gets the route @koa/router matches later.
    expect(routes[0]?.[0]).toBe(req);
    made._matchedRoute = '/orders/:id';
    expect(routes[0]?.[1]()).toBe('/orders/:id');
    app.createContext({}, {});
    // Koa installs its own logger only when this is 0 (application.js callback()).
    expect(app.listenerCount('error')).toBe(0);
    const error = new Error('boom');
    expect(() => app.emit('error', error, ctx)).toThrow(error); // no listener: EventEmitter still throws
    expect(reports).toHaveLength(1);
    expect(reports[0]?.[0]).toBe('koa');
    expect(reports[0]?.[1]?.error).toBe(error);
  });
});

describe('hapi', () => {
  it('reports an error answer of the response event with the request, method in upper case; a 500 by default', () => {
    const error = new Error('x');
    const response = { statusCode: 500, _error: error };
    const request = {
      method: 'get',
      path: '/orders/42',
      route: { path: '/orders/{id}' },
      headers: { 'user-agent': 'ua/1' },
      response,
    };
    expect(hapiReport(request)).toEqual({
      error,
      req: request,
      res: response,
      status: 500,
      byDefault: true,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/{id}',
        'url.path': '/orders/42',
        'http.response.status_code': 500,
        'user_agent.original': 'ua/1',
      },
    });
    expect(hapiReport({ ...request, response: { statusCode: 404 } })).toBeUndefined(); // not an error answer
    // hapi logs a 500 only: a 503 or a 404 is for shouldReport to ask for.
    for (const statusCode of [503, 404])
      expect(hapiReport({ ...request, response: { statusCode, _error: error } })).toMatchObject({
        status: statusCode,
        byDefault: false,
      });
  });

  it('never throws, whatever the event carries', () => {
    fc.assert(
      fc.property(fc.anything(), (request) => {
        hapiReport(request);
      }),
    );
  });

  it("listens to each server core's response event once, and gives the request in flight its matched route", () => {
    const listeners: [unknown, (...a: unknown[]) => void][] = [];
    const events = { on: (criteria: unknown, fn: (...a: unknown[]) => void) => listeners.push([criteria, fn]) };
    const notFound = { path: '/{p*}' };
    class Request {
      raw = { req: {} };
      server = { events };
      route: { path: string } = notFound;
      _core = { router: { specials: { notFound: { route: { public: notFound } } } } };
      _listen() {}
    }
    const reports: (FrameworkReport | undefined)[] = [];
    const routes: [unknown, () => unknown][] = [];
    const sink = {
      report: (_m: string, r: FrameworkReport | undefined) => reports.push(r),
      route: <T>(req: unknown, from: T, read: (from: T) => unknown) => routes.push([req, () => read(from)]),
    };
    expect(hookHapi(Request, sink)).toBe(true);
    const first = new Request();
    first._listen();
    new Request()._listen();
    expect(listeners.map(([criteria]) => criteria)).toEqual(['response']); // one per server core
    expect(routes[0]?.[0]).toBe(first.raw.req);
    expect(routes[0]?.[1]()).toBeUndefined(); // hapi's not-found route until a route matches
    first.route = { path: '/orders/{id}' };
    expect(routes[0]?.[1]()).toBe('/orders/{id}');
    const error = new Error('x');
    listeners[0]?.[1]({ ...first, method: 'get', path: '/orders/42', response: { statusCode: 500, _error: error } });
    expect(reports[0]).toMatchObject({ error, status: 500, byDefault: true });
    expect(reports[0]?.attributes['http.route']).toBe('/orders/{id}');
  });
});

describe('the frameworks found in require.cache', () => {
  it('are hooked by the file of their own, whatever the layout, and nothing else is touched', () => {
    class Koa extends EventEmitter {
      createContext() {
        return {};
      }
    }
    const original = Koa.prototype.createContext;
    const listen = () => {};
    const Request = { prototype: { _listen: listen } };
    const untouched = { prototype: { createContext: original, _listen: listen } };
    hookLoadedFrameworks(
      {
        '/app/node_modules/.pnpm/koa@3.3.0/node_modules/koa/lib/application.js': { exports: Koa },
        'C:\\app\\node_modules\\@hapi\\hapi\\lib\\request.js': { exports: Request },
        '/app/node_modules/not-koa/lib/application.js': { exports: untouched },
        '/app/empty.js': undefined,
      },
      { report: () => {}, route: () => {} },
    );
    expect(Koa.prototype.createContext).not.toBe(original);
    expect(Request.prototype._listen).not.toBe(listen);
    expect(untouched.prototype._listen).toBe(listen);
    expect(untouched.prototype.createContext).toBe(original);
  });
});

describe('Express final handler hook', () => {
  function appWith(stack: { handle?: unknown }[]) {
    const app = Object.assign(() => {}, {
      handle() {},
      set() {},
      settings: { 'x-powered-by': true },
      _router: { stack },
      use(fn: unknown) {
        stack.push({ handle: fn });
      },
    });
    return app;
  }
  const sink = (reports: unknown[]) => ({
    report: (_m: string, r: unknown) => reports.push(r),
    route: () => {},
  });
  type Layer = (e: unknown, req: unknown, res: unknown, next: (e: unknown) => void) => void;

  it('tells an Express app from Connect and plain functions', () => {
    expect(isExpressApp(appWith([]))).toBe(true);
    expect(isExpressApp(Object.assign(() => {}, { handle() {}, use() {} }))).toBe(false); // Connect
    expect(isExpressApp(() => {})).toBe(false);
    expect(isExpressApp({ handle() {}, use() {}, set() {}, settings: { 'x-powered-by': true } })).toBe(false);
  });

  it('hands what reaches it over while it is the last middleware, and passes every error on', () => {
    const stack: { handle?: unknown }[] = [];
    const app = appWith(stack);
    const reports: unknown[] = [];
    hookExpressApp(app, sink(reports));
    hookExpressApp(app, sink(reports)); // once per app
    expect(stack).toHaveLength(1);
    const layer = stack[0]?.handle as Layer;
    expect(layer.length).toBe(4); // an error middleware to Express
    const next: unknown[] = [];
    const req = { method: 'GET', url: '/x', headers: {} };
    for (const error of [new Error('a'), Object.assign(new Error('b'), { status: 404 })])
      layer(error, req, { statusCode: 200 }, (e) => next.push(e));
    expect(next).toHaveLength(2);
    // The agent decides (a 404 is not reported by default; one expressErrorHandler() saw is left to it).
    expect(reports).toMatchObject([
      { status: 500, byDefault: true, req },
      { status: 404, byDefault: false, req },
    ]);
    stack.push({ handle: () => {} }); // a middleware the app added after the first request
    layer(new Error('c'), req, { statusCode: 200 }, (e) => next.push(e));
    expect(reports).toHaveLength(2);
    expect(next).toHaveLength(3);
  });
});

describe('NestJS', () => {
  const host = (req: unknown, res: unknown, type = 'http') => ({
    getType: () => type,
    getArgByIndex: (i: number) => (i === 0 ? req : res),
  });
  const req = { method: 'GET', originalUrl: '/orders/42?x=1', route: { path: '/orders/:id' }, headers: {} };

  it('reports what the filter answered with a 5xx by default, with the status it sent, and nothing but HTTP', () => {
    const error = new Error('x');
    expect(nestReport(error, host(req, { statusCode: 503 }))?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'url.path': '/orders/42',
      'http.response.status_code': 503,
    });
    expect(nestReport(error, host(req, { statusCode: 404 }))).toMatchObject({ status: 404, byDefault: false });
    expect(nestReport(error, host(req, { statusCode: 500 }, 'rpc'))).toBeUndefined();
    // Fastify adapter: the route's options hold the template.
    const fastifyRequest = { method: 'GET', url: '/orders/42', routeOptions: { url: '/orders/:id' } };
    expect(nestReport(error, host(fastifyRequest, { statusCode: 500 }))?.attributes['http.route']).toBe('/orders/:id');
  });
});

describe('an error that meets several framework hooks', () => {
  it('is decided once per request, by the first, and again for another request', () => {
    const decisions = new Decisions();
    const shared = new Error('shared');
    const [first, second] = [{}, {}];
    expect(decisions.first(shared, first)).toBe(true);
    expect(decisions.first(shared, first)).toBe(false); // Fastify's onError, then Nest's filter
    expect(decisions.first(shared, second)).toBe(true); // thrown again for another request
    const fromAnOlderHandler = new Error('no request given');
    expect(decisions.first(fromAnOlderHandler, undefined)).toBe(true);
    expect(decisions.first(fromAnOlderHandler, first)).toBe(false);
    expect(decisions.first('a string', first)).toBe(true); // not an object: never taken for another
    expect(decisions.first('a string', first)).toBe(true);
  });

  it("decides later unless an error was decided at once for the request meanwhile (Nest's own HttpException)", () => {
    const decisions = new Decisions();
    const [req, other] = [{}, {}];
    const ran: string[] = [];
    const fastifyLater = decisions.later(req, () => ran.push('fastify'));
    decisions.first(new Error('another request'), other);
    const yields = decisions.later(req, () => ran.push('yields'));
    expect(decisions.first(new Error("Nest's mapping of it"), req)).toBe(true);
    yields();
    // Two later ones (an error, then its error handler's): the first's decision does not silence the second.
    const decideLater = (name: string) =>
      decisions.later(other, () => {
        if (decisions.first(new Error(name), other)) ran.push(name); // as the agent's report does
      });
    const [a, b] = [decideLater('a'), decideLater('b')];
    a();
    b();
    fastifyLater(); // taken before Nest's decision: yields too
    expect(ran).toEqual(['a', 'b']);
    const noRequest = decisions.later(undefined, () => ran.push('no request'));
    decisions.first(new Error('x'), undefined);
    noRequest();
    expect(ran).toEqual(['a', 'b', 'no request']);
  });

  it('answers true exactly once for each error and request, whatever they are', () => {
    const values = fc.oneof(fc.anything(), fc.constantFrom({}, [], new Error('x')));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(4), fc.nat(3))),
        fc.array(values, { minLength: 5, maxLength: 5 }),
        (calls, errors) => {
          const decisions = new Decisions();
          const requests = [{}, {}, {}, {}];
          const seen = new Set<string>();
          for (const [e, r] of calls) {
            const error = errors[e];
            const isObject = typeof error === 'object' && error !== null;
            const key = isObject ? `${errors.indexOf(error)}:${r}` : undefined;
            const expected = !key || !seen.has(key);
            if (key) seen.add(key);
            expect(decisions.first(error, requests[r])).toBe(expected);
          }
        },
      ),
    );
  });
});
