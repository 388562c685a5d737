import { EventEmitter } from 'node:events';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hookExpressApp, isExpressApp } from '../src/frameworks/express-final';
import { hapiReport } from '../src/frameworks/hapi';
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

  it('reports a 5xx with the request, the query left out, and no 4xx', () => {
    expect(koaReport(new Error('x'), ctx)?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'url.path': '/orders/42',
      'http.response.status_code': 500,
      'user_agent.original': 'ua/1',
    });
    expect(koaReport(Object.assign(new Error('x'), { status: 422, expose: true }), ctx)).toBeUndefined();
  });

  it('takes the status already sent when the headers were out before the error', () => {
    const report = koaReport(Object.assign(new Error('stream broke'), { headerSent: true }), {
      ...ctx,
      res: { statusCode: 200 },
    });
    expect(report).toBeUndefined();
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
    expect(hookKoa(Application, { report: (m, r) => reports.push([m, r]), decided: () => false })).toBe(true);
    expect(hookKoa(Application, { report: () => {}, decided: () => false })).toBe(false); // once per class
    const app = new Application();
    const made = app.createContext({ method: 'GET' }, { statusCode: 200 });
    expect(made.app).toBe(app);
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
  it("reports the request error event's error with the request, method in upper case", () => {
    const error = new Error('x');
    const request = {
      method: 'get',
      path: '/orders/42',
      route: { path: '/orders/{id}' },
      headers: { 'user-agent': 'ua/1' },
      response: { statusCode: 500 },
    };
    expect(hapiReport(request, { error, tags: ['internal', 'error'] })).toEqual({
      error,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/{id}',
        'url.path': '/orders/42',
        'http.response.status_code': 500,
        'user_agent.original': 'ua/1',
      },
    });
    expect(hapiReport(request, { data: 'no error' })).toBeUndefined();
  });

  it('never throws, whatever the event carries', () => {
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (request, event) => {
        hapiReport(request, event);
      }),
    );
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
      { report: () => {}, decided: () => false },
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
  const sink = (reports: unknown[], decided: unknown[] = []) => ({
    report: (_m: string, r: unknown) => reports.push(r),
    decided: (e: unknown) => decided.includes(e),
  });
  type Layer = (e: unknown, req: unknown, res: unknown, next: (e: unknown) => void) => void;

  it('tells an Express app from Connect and plain functions', () => {
    expect(isExpressApp(appWith([]))).toBe(true);
    expect(isExpressApp(Object.assign(() => {}, { handle() {}, use() {} }))).toBe(false); // Connect
    expect(isExpressApp(() => {})).toBe(false);
    expect(isExpressApp({ handle() {}, use() {}, set() {}, settings: { 'x-powered-by': true } })).toBe(false);
  });

  it('reports a 5xx once the last middleware, passes every error on, and leaves what the handler decided', () => {
    const stack: { handle?: unknown }[] = [];
    const app = appWith(stack);
    const reports: unknown[] = [];
    const decided = new Error('seen by expressErrorHandler');
    hookExpressApp(app, sink(reports, [decided]));
    hookExpressApp(app, sink(reports, [decided])); // once per app
    expect(stack).toHaveLength(1);
    const layer = stack[0]?.handle as Layer;
    expect(layer.length).toBe(4); // an error middleware to Express
    const next: unknown[] = [];
    const req = { method: 'GET', url: '/x', headers: {} };
    for (const error of [new Error('a'), Object.assign(new Error('b'), { status: 404 }), decided])
      layer(error, req, { statusCode: 200 }, (e) => next.push(e));
    expect(next).toHaveLength(3);
    expect(reports).toHaveLength(1);
    stack.push({ handle: () => {} }); // a middleware the app added after the first request
    layer(new Error('c'), req, { statusCode: 200 }, (e) => next.push(e));
    expect(reports).toHaveLength(1);
    expect(next).toHaveLength(4);
  });
});

describe('NestJS', () => {
  const host = (req: unknown, res: unknown, type = 'http') => ({
    getType: () => type,
    getArgByIndex: (i: number) => (i === 0 ? req : res),
  });
  const req = { method: 'GET', originalUrl: '/orders/42?x=1', route: { path: '/orders/:id' }, headers: {} };

  it('reports what the filter answered with a 5xx, with the status it sent, and nothing else', () => {
    const error = new Error('x');
    expect(nestReport(error, host(req, { statusCode: 503 }))?.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/orders/:id',
      'url.path': '/orders/42',
      'http.response.status_code': 503,
    });
    expect(nestReport(error, host(req, { statusCode: 404 }))).toBeUndefined();
    expect(nestReport(error, host(req, { statusCode: 500 }, 'rpc'))).toBeUndefined();
    // Fastify adapter: the route's options hold the template.
    const fastifyRequest = { method: 'GET', url: '/orders/42', routeOptions: { url: '/orders/:id' } };
    expect(nestReport(error, host(fastifyRequest, { statusCode: 500 }))?.attributes['http.route']).toBe('/orders/:id');
  });
});
