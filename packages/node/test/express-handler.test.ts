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

describe("Fastify's error channel", () => {
  it('reports what Fastify answers with a 5xx by default, with the request, and leaves a 4xx to shouldReport', async () => {
    const { fastifyReport } = await import('../src/frameworks/fastify');
    const request = {
      method: 'POST',
      url: '/orders/7?token=x',
      routeOptions: { url: '/orders/:id' },
      headers: { 'user-agent': 'ua' },
    };
    const error = new Error('boom');
    expect(fastifyReport({ error, request, reply: { statusCode: 500 } })).toEqual({
      error,
      req: request,
      res: { statusCode: 500 },
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
    expect(fastifyReport({ error: Object.assign(new Error('v'), { statusCode: 400 }), request })).toMatchObject({
      status: 400,
      byDefault: false,
    });
    fc.assert(fc.property(fc.anything(), (message) => void fastifyReport(message)));
  });
});
