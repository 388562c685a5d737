import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expressErrorHandler, routeTemplate } from '../src/frameworks/express';
import { errorStatus } from '../src/frameworks/request-attributes';

describe('expressErrorHandler', () => {
  it('passes every error on to next(), once and unchanged, whatever it is given', () => {
    const handler = expressErrorHandler({ shouldReport: () => false });
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (error, req, res) => {
        const calls: unknown[][] = [];
        handler(error, req as never, res as never, (...args: unknown[]) => calls.push(args));
        expect(calls).toEqual([[error]]);
      }),
    );
  });

  it('survives a throwing predicate and hostile requests, and still calls next()', () => {
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    const handler = expressErrorHandler({
      shouldReport: () => {
        throw new Error('bad predicate');
      },
    });
    const calls: unknown[] = [];
    handler(new Error('x'), hostile as never, hostile as never, (e) => calls.push(e));
    expect(calls).toHaveLength(1);
  });

  it('is an error middleware to Express: four parameters', () => {
    expect(expressErrorHandler().length).toBe(4);
  });
});

describe('the status an error is answered with', () => {
  it("is the error's 4xx/5xx status, else the response's error status, else 500", () => {
    expect(errorStatus({ status: 404 }, 200)).toBe(404);
    expect(errorStatus({ statusCode: 503 }, 200)).toBe(503);
    expect(errorStatus({ status: 302 }, 200)).toBe(500);
    expect(errorStatus(new Error('x'), 422)).toBe(422);
    expect(errorStatus('a string', undefined)).toBe(500);
  });
});

describe('the route template', () => {
  it('puts back the mount prefix Express has restored by the time an error handler runs', () => {
    expect(routeTemplate('/:id', '', '/orders/42?x=1')).toBe('/orders/:id');
    expect(routeTemplate('/:id', '/orders', '/orders/42')).toBe('/orders/:id');
    expect(routeTemplate('/', '', '/orders')).toBe('/orders');
    expect(routeTemplate('/throw', '', '/throw')).toBe('/throw');
    expect(routeTemplate('/files/*', '', '/a/files/x/y')).toBe('/files/*');
    expect(routeTemplate(undefined, '', '/x')).toBeUndefined();
  });
});

describe("Fastify's onError hook", () => {
  it('reports what Fastify answers with a 5xx by default, with the request, and leaves a 4xx to shouldReport', async () => {
    const { fastifyReport } = await import('../src/frameworks/fastify');
    const request = {
      method: 'POST',
      url: '/orders/7?token=x',
      routeOptions: { url: '/orders/:id' },
      headers: { 'user-agent': 'ua' },
    };
    const error = new Error('boom');
    expect(fastifyReport(error, request, { statusCode: 200 })).toEqual({
      error,
      req: request,
      res: { statusCode: 200 },
      status: 500,
      byDefault: true,
      attributes: {
        'http.request.method': 'POST',
        'http.route': '/orders/:id',
        'url.path': '/orders/7',
        'http.response.status_code': 500,
        'user_agent.original': 'ua',
      },
    });
    // The status Fastify will send: the route's own error status, else the error's statusCode, else its status.
    const withStatus = (fields: object) => Object.assign(new Error('v'), fields);
    expect(fastifyReport(withStatus({ statusCode: 400 }), request, { statusCode: 200 })).toMatchObject({
      status: 400,
      byDefault: false,
    });
    expect(fastifyReport(withStatus({ statusCode: 409, status: 503 }), request, {}).status).toBe(409);
    expect(fastifyReport(withStatus({ status: 503 }), request, {}).status).toBe(503);
    expect(fastifyReport(withStatus({ statusCode: 400 }), request, { statusCode: 503 }).status).toBe(503);
    expect(fastifyReport(withStatus({ statusCode: 200 }), request, { statusCode: 200 }).status).toBe(500);
    fc.assert(
      fc.property(fc.anything(), fc.anything(), fc.anything(), (error, req, reply) => {
        expect(fastifyReport(error, req as never, reply as never).status).toBeGreaterThanOrEqual(400);
      }),
    );
  });

  it("takes the status that was sent once the response has closed: the app's error handler may answer another", async () => {
    const { fastifyReport } = await import('../src/frameworks/fastify');
    const request = { method: 'GET', url: '/x' };
    const sent = (statusCode: number) => ({ statusCode, raw: { headersSent: true, statusCode } });
    expect(fastifyReport(new Error('x'), request, sent(422))).toMatchObject({ status: 422, byDefault: false });
    expect(fastifyReport(new Error('x'), request, sent(200))).toMatchObject({ status: 200, byDefault: false });
    const mapped = Object.assign(new Error('x'), { statusCode: 404 });
    expect(fastifyReport(mapped, request, sent(503))).toMatchObject({ status: 503, byDefault: true });
    // Not sent (the client went away first): what Fastify's own handling answers.
    const unsent = { statusCode: 200, raw: { headersSent: false, statusCode: 200 } };
    expect(fastifyReport(mapped, request, unsent).status).toBe(404);
  });
});

describe("Fastify's route template for the request in flight", () => {
  // findRoute is Fastify's router (real Fastify: test/node/request-context.e2e.test.ts); here it answers with
  // the parameters a template's path gives, and the template must come back.
  const segment = fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/);
  const value = fc.stringMatching(/^[A-Za-z0-9._~ -]{1,8}$/);
  const route = fc.array(fc.tuple(fc.boolean(), segment, value), { minLength: 1, maxLength: 5 });

  it('is the template whose parameters, filled in, give back the path', async () => {
    const { templateOf } = await import('../src/frameworks/fastify');
    fc.assert(
      fc.property(route, fc.boolean(), (parts, wildcard) => {
        const names = parts.map(([isParam, name], i) => (isParam ? `${name}${i}` : name));
        const template = `/${parts.map(([isParam], i) => (isParam ? `:${names[i]}` : names[i])).join('/')}${wildcard ? '/*' : ''}`;
        const params: Record<string, string> = {};
        parts.forEach(([isParam, , v], i) => {
          if (isParam) params[names[i]!] = v;
        });
        if (wildcard) params['*'] = 'a/b';
        const path = `/${parts.map(([isParam], i) => (isParam ? encodeURIComponent(params[names[i]!]!) : names[i])).join('/')}${wildcard ? '/a/b' : ''}`;
        const fastify = { addHook: () => undefined, findRoute: () => ({ params }) };
        const routes = [
          { method: 'GET', url: '/other/:x' },
          { method: ['get', 'HEAD'], url: template },
        ];
        expect(templateOf(fastify, routes, { method: 'GET', url: `${path}?q=1` })).toBe(template);
        expect(templateOf(fastify, routes, { method: 'POST', url: path })).toBeUndefined();
        // A router that ignores case and repeated slashes took it: the template still comes back.
        const loose = `/${path.replace(/\//g, '//').toUpperCase()}`;
        expect(templateOf(fastify, routes, { method: 'GET', url: loose })).toBe(template);
      }),
    );
  });

  it('is undefined when two templates fill in alike: which one the router took is unknown', async () => {
    const { templateOf } = await import('../src/frameworks/fastify');
    const fastify = { addHook: () => undefined, findRoute: () => ({ params: { id: '42' } }) };
    const routes = ['/a/:id', '/a/:id(^\\d+)', '/b/:id', '/B/:id', '/c::verb/:id'].map((url) => ({
      method: 'GET',
      url,
    }));
    expect(templateOf(fastify, routes, { method: 'GET', url: '/a/42' })).toBeUndefined();
    // Exactly as it came before ignoring case: `/b/42` is `/b/:id`'s, `/b//42` is either's.
    expect(templateOf(fastify, routes, { method: 'GET', url: '/b/42' })).toBe('/b/:id');
    expect(templateOf(fastify, routes, { method: 'GET', url: '/b//42' })).toBeUndefined();
    expect(templateOf(fastify, routes, { method: 'GET', url: '/c:verb/42' })).toBe('/c::verb/:id');
  });

  it("reads a route when an error needs it: an app's later onRoute may have rewritten it", async () => {
    const { templateOf } = await import('../src/frameworks/fastify');
    const fastify = { addHook: () => undefined, findRoute: () => ({ params: { id: '7' } }) };
    const route = { method: 'GET', url: '/legacy' };
    const routes = [route];
    route.url = '/v2/:id';
    expect(templateOf(fastify, routes, { method: 'GET', url: '/v2/7' })).toBe('/v2/:id');
  });

  it('is undefined, never thrown, for whatever the request or the router holds', async () => {
    const { templateOf } = await import('../src/frameworks/fastify');
    fc.assert(
      fc.property(fc.anything(), fc.anything(), (req, found) => {
        const fastify = { addHook: () => undefined, findRoute: () => found as never };
        const got = templateOf(fastify, [{ method: 'GET', url: '/:a' }, { method: found }, found as never], req);
        expect(got === undefined || got === '/:a').toBe(true);
      }),
    );
  });
});
