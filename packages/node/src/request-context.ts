// The request in flight when an uncaught error or an unhandled rejection happens. Node publishes every
// request a server takes on `http.server.request.start`, synchronously, before the server's `request` event:
// entering an AsyncLocalStorage store there makes it the store of everything the request's handling runs,
// synchronously or later (timers, promises, I/O callbacks), with nothing wrapped and no frame added to any
// stack. The store outlives the request on what was created meanwhile (and on the connection, until its next
// request), so it is read only while the response is neither finished nor destroyed: after that, no request
// is in flight there. Node 20 and 22 run AsyncLocalStorage on async hooks, which cost every promise an init
// hook once the first store is entered (about 30 % of a small Fastify route: BENCHMARKS.md), so `auto` keeps
// the store for AsyncContextFrame (about 1 %). The storage is made at the first request, never at start-up.
// An HTTP/2 server's requests do not go through that channel; Node 22 and 24 publish each stream a server
// takes on `http2.server.stream.start` instead, as synchronously (Node 20 publishes nothing: no request in
// flight over HTTP/2 there).
// The route template (`http.route`) is the framework's: Express leaves its route on Node's request object
// (express-request.ts); Koa and hapi keep it on objects of their own, so their hooks hand the store a way to
// read it (route()), read only when an error needs it; Fastify's router finds it then, from the server that
// took the request (serverRoutes()).
import type { AsyncLocalStorage } from 'node:async_hooks';
import type { Attributes } from '@faultline/core';
import { type ExpressRequest, routeTemplate, urlOf } from './frameworks/express-request';
import { requestAttributes } from './frameworks/request-attributes';

const ROUTE_FROM = Symbol('faultline.routeFrom');
const READ_ROUTE = Symbol('faultline.readRoute');

/** Node's message on `http.server.request.start`, itself the store: nothing is allocated per request. */
interface InFlight {
  /** Node's request: its socket knows the server that took it. */
  request: ExpressRequest & { socket?: { server?: unknown } };
  response: { writableFinished?: unknown; destroyed?: unknown };
  /** Where the framework keeps the route it has matched (Koa's context, hapi's request), and how to read it:
   * no closure per request. Under symbols: Node's message is seen by its other subscribers too. */
  [ROUTE_FROM]?: unknown;
  [READ_ROUTE]?: (from: never) => unknown;
}

interface Http2Stream {
  session?: { server?: unknown };
  writableFinished?: unknown;
  destroyed?: unknown;
}

export class RequestContext {
  private storage?: AsyncLocalStorage<InFlight>;
  /** Per server, how its framework finds a request's route template. */
  private routeFinders = new WeakMap<object, (req: unknown) => unknown>();

  /** FAULTLINE_REQUEST_CONTEXT, decided at the first request (`auto` then becomes true or false). */
  mode: boolean | 'auto' = 'auto';

  /** A message of `http.server.request.start`: its request becomes the store of what handles it. */
  enter(message: unknown): void {
    if (this.mode === false) return;
    const inFlight = message as Partial<InFlight> | undefined;
    if (!inFlight?.request || !inFlight.response) return;
    if (!this.storage) {
      const { AsyncLocalStorage } = require('node:async_hooks') as typeof import('node:async_hooks');
      const storage = new AsyncLocalStorage<InFlight>();
      // AsyncLocalStorage on async hooks (Node 20; 22 without --experimental-async-context-frame; 24 with
      // --no-async-context-frame) keeps its store under this name on each instance; on AsyncContextFrame it
      // has none. There, once a store is entered, every promise of the process pays an init hook.
      if (this.mode === 'auto') this.mode = !('kResourceStore' in storage);
      if (this.mode === false) return;
      this.storage = storage;
    }
    this.storage.enterWith(inFlight as InFlight);
  }

  /** A message of `http2.server.stream.start`: the stream's request (its pseudo-headers) becomes the store of
   * what handles it. A framework's request for it is Node's compatibility request, whose `stream` it is. */
  enterStream(message: unknown): void {
    if (this.mode === false) return;
    const { stream, headers } = (message ?? {}) as { stream?: Http2Stream; headers?: Record<string, unknown> };
    if (typeof stream !== 'object' || stream === null || typeof headers !== 'object' || headers === null) return;
    const req = {
      method: headers[':method'],
      url: headers[':path'],
      headers,
      socket: { server: stream.session?.server },
    };
    this.enter({ request: req, response: stream });
  }

  /** A framework's hook: `req`'s route template is what `read(from)` gives, when `req` is the request in
   * flight here (the hooks run while the framework handles it). */
  route<T>(req: unknown, from: T, read: (from: T) => unknown): void {
    const inFlight = this.storage?.getStore();
    if (
      inFlight &&
      (inFlight.request === req || inFlight.response === (req as { stream?: unknown } | undefined)?.stream)
    ) {
      inFlight[ROUTE_FROM] = from;
      inFlight[READ_ROUTE] = read as (from: never) => unknown;
    }
  }

  /** How the framework of `server` finds the route template of a request it took. */
  serverRoutes(server: object, find: (req: unknown) => unknown): void {
    this.routeFinders.set(server, find);
  }

  /** The attributes of the request in flight here, or undefined when none is. */
  attributes(): Attributes | undefined {
    const inFlight = this.storage?.getStore();
    if (!inFlight || inFlight.response.writableFinished === true || inFlight.response.destroyed === true)
      return undefined;
    try {
      const req = inFlight.request;
      // A mounted Express router takes its prefix off `req.url`; `originalUrl` is what the client asked for.
      const url = urlOf(req);
      return requestAttributes({
        method: req.method,
        route: this.routeOf(inFlight, url),
        url,
        userAgent: req.headers?.['user-agent'],
      });
    } catch {
      return undefined; // a request object that cannot be read
    }
  }

  /** The route template of the request in flight: the framework hook's, else its server's framework's, else
   * the one Express left on it. */
  private routeOf(inFlight: InFlight, url: unknown): unknown {
    try {
      const req = inFlight.request;
      const template =
        inFlight[READ_ROUTE]?.(inFlight[ROUTE_FROM] as never) ??
        this.routeFinders.get(req.socket?.server as object)?.(req);
      if (typeof template === 'string' && template !== '') return template;
      return routeTemplate(req.route?.path, req.baseUrl, url);
    } catch {
      return undefined; // a route that cannot be read: the request without it
    }
  }
}
