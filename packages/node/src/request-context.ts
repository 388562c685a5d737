// The request in flight when an uncaught error or an unhandled rejection happens. Node publishes every
// request a server takes on `http.server.request.start`, synchronously, before the server's `request` event:
// entering an AsyncLocalStorage store there makes it the store of everything the request's handling runs,
// synchronously or later (timers, promises, I/O callbacks), with nothing wrapped and no frame added to any
// stack. The store outlives the request on what was created meanwhile (and on the connection, until its next
// request), so it is read only while the response is neither finished nor destroyed: after that, no request
// is in flight there. Node 20 and 22 run AsyncLocalStorage on async hooks, which cost every promise a little
// once the first store is entered: the storage is made at the first request, never at start-up.
// The route template (`http.route`) is the framework's: Express leaves its route on Node's request object
// (express-request.ts); Koa, hapi and Fastify keep it on objects of their own, so their hooks hand the store
// a way to read it (route()), read only when an error needs it.
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { Attributes } from '@faultline/core';
import { type ExpressRequest, routeTemplate, urlOf } from './frameworks/express-request';
import { requestAttributes } from './frameworks/request-attributes';

interface InFlight {
  req: ExpressRequest;
  res: { writableFinished?: unknown; destroyed?: unknown };
  /** The framework's route template, once it has matched one. */
  route?: () => unknown;
}

export class RequestContext {
  private storage?: AsyncLocalStorage<InFlight>;

  /** A message of `http.server.request.start`: its request becomes the store of what handles it. */
  enter(message: unknown): void {
    const { request, response } = (message ?? {}) as { request?: InFlight['req']; response?: InFlight['res'] };
    if (!request || !response) return;
    if (!this.storage) {
      const { AsyncLocalStorage } = require('node:async_hooks') as typeof import('node:async_hooks');
      this.storage = new AsyncLocalStorage<InFlight>();
    }
    this.storage.enterWith({ req: request, res: response });
  }

  /** A framework's hook: `req`'s route template is what `template` reads, when `req` is the request in
   * flight here (the hooks run while the framework handles it). */
  route(req: unknown, template: () => unknown): void {
    const inFlight = this.storage?.getStore();
    if (inFlight && inFlight.req === req) inFlight.route = template;
  }

  /** The attributes of the request in flight here, or undefined when none is. */
  attributes(): Attributes | undefined {
    const inFlight = this.storage?.getStore();
    if (!inFlight || inFlight.res.writableFinished === true || inFlight.res.destroyed === true) return undefined;
    try {
      const { req } = inFlight;
      // A mounted Express router takes its prefix off `req.url`; `originalUrl` is what the client asked for.
      const url = urlOf(req);
      return requestAttributes({
        method: req.method,
        route: routeOf(inFlight, url),
        url,
        userAgent: req.headers?.['user-agent'],
      });
    } catch {
      return undefined; // a request object that cannot be read
    }
  }
}

/** The route template of the request in flight: the framework hook's, else the one Express left on it. */
function routeOf(inFlight: InFlight, url: unknown): unknown {
  try {
    const template = inFlight.route?.();
    if (typeof template === 'string' && template !== '') return template;
    const { req } = inFlight;
    return routeTemplate(req.route?.path, req.baseUrl, url);
  } catch {
    return undefined; // a route that cannot be read: the request without it
  }
}
