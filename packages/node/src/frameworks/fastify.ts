// Fastify publishes every instance it creates on the `fastify.initialization` channel, for tools like this
// one to add their hooks to (https://fastify.dev/docs/latest/Reference/Hooks/#diagnostics-channel-hooks):
// the preload listens there, patches nothing and loads nothing of Fastify. Two hooks of Fastify's own API,
// neither of which runs for a request that succeeds:
// - `onError`, for every error Fastify routes to its error handling (a handler's, a hook's, a failed
//   schema's); it runs before the error handler answers, so the decision waits for the response to close
//   and takes the status that was sent (an app's handler may answer 422 or 503);
// - `onRoute`, at start-up, to learn the route templates, so that an uncaught error while a request is in
//   flight can name its route (the template found when the error needs it: nothing is kept per request).
// Fastify's per-request tracing channels cost every request the moment they have a subscriber (a store
// object, four publishes: 0.9 % of a small route's instructions for the error channel alone, BENCHMARKS.md).
// What they saw and `onError` does not: an error thrown after the reply was sent or hijacked, which Fastify
// only logs.
import { AsyncResource } from 'node:async_hooks';
import { reportsByDefault } from '../should-report';
import type { FrameworkReport, FrameworkSink } from './hooks';
import { requestAttributes } from './request-attributes';

interface FastifyRequest {
  method?: unknown;
  url?: unknown;
  routeOptions?: { url?: unknown };
  headers?: Record<string, unknown>;
}

interface FastifyReply {
  statusCode?: unknown;
  /** Node's response. */
  raw?: {
    prependOnceListener?(event: string, listener: () => void): unknown;
    headersSent?: unknown;
    statusCode?: unknown;
  };
}

/** A route as Fastify hands it to `onRoute`: the object it goes on to register, which a later `onRoute` of
 * the app's may still rewrite (its url, its method), so it is read when an error needs it. */
export interface FastifyRoute {
  method?: unknown;
  url?: unknown;
}

interface FastifyInstance {
  addHook(name: string, hook: (...args: never[]) => void): unknown;
  findRoute?(options: { method: string; url: string }): { params?: Record<string, unknown> } | null;
  server?: object;
}

/** Adds faultline's hooks to an instance Fastify has just created; false for anything else. */
export function hookFastify(instance: unknown, sink: FrameworkSink): boolean {
  const fastify = instance as FastifyInstance;
  if (typeof fastify?.addHook !== 'function') return false;
  const routes: FastifyRoute[] = [];
  addRootHook(fastify, 'onRoute', (route: FastifyRoute) => {
    if (typeof route === 'object' && route !== null) routes.push(route);
  });
  addRootHook(fastify, 'onError', (request: FastifyRequest, reply: FastifyReply, error: unknown, done: () => void) => {
    try {
      whenAnswered(
        reply,
        sink.later(request, () => sink.report('fastify', fastifyReport(error, request, reply))),
      );
    } catch {
      // a reply that cannot be watched: never into Fastify
    }
    done();
  });
  if (typeof fastify.server === 'object' && fastify.server !== null && typeof fastify.findRoute === 'function')
    sink.serverRoutes(fastify.server, (req) => templateOf(fastify, routes, req));
  return true;
}

/**
 * Adds a hook to the instance at once, where Fastify keeps the root's hooks. Its `addHook` defers an
 * `onError` through its plugin queue (`after`), which the app would see: one more `bound _after` in
 * `printPlugins()`, one more step before `ready`. When Fastify has just published the instance no plugin
 * and no child exists yet, so this is all that `addHook` would do in the end. Fastify's own `addHook` where
 * that store is not found (another version's internals).
 */
function addRootHook(fastify: FastifyInstance, name: string, hook: (...args: never[]) => void): void {
  const key = Object.getOwnPropertySymbols(fastify).find((s) => s.description === 'fastify.hooks');
  const hooks = key && (fastify as unknown as Record<symbol, { add?: unknown; [name: string]: unknown }>)[key];
  if (typeof hooks?.add === 'function' && Array.isArray(hooks[name])) hooks.add(name, hook);
  else fastify.addHook(name, hook);
}

/**
 * Runs `decide` once Node's response has closed: `onError` runs before the error handler answers, and an
 * app's own handler may answer something else than Fastify's default (a 422, a 503), or hand the error to a
 * framework above (NestJS's filter, whose decision then stands: decisions.ts). Now when the response
 * cannot be watched. The request's OpenTelemetry span stays the report's parent and still records the
 * exception: `decide` runs in the async context of the error, not of the close, and before the close's
 * other listeners (the http instrumentation ends the span there).
 */
function whenAnswered(reply: FastifyReply, decide: () => void): void {
  const raw = reply?.raw;
  if (typeof raw?.prependOnceListener === 'function') raw.prependOnceListener('close', AsyncResource.bind(decide));
  else decide();
}

/** An error Fastify has answered (or is about to), reported by default when the answer is a 5xx. */
export function fastifyReport(error: unknown, request: FastifyRequest, reply: FastifyReply): FrameworkReport {
  let status = 500;
  try {
    const raw = reply?.raw;
    // Sent: what the app's error handler answered (a 200 too: it made the error a page). Not sent (the client
    // went away first): what Fastify's default handling would have answered.
    status =
      raw?.headersSent === true && typeof raw.statusCode === 'number' ? raw.statusCode : fastifyStatus(error, reply);
  } catch {
    // an error or a reply that cannot be read: Fastify answers 500
  }
  const byDefault = reportsByDefault(status);
  try {
    return {
      error,
      req: request,
      res: reply,
      status,
      byDefault,
      attributes: requestAttributes({
        method: request?.method,
        route: request?.routeOptions?.url,
        url: request?.url,
        status,
        userAgent: request?.headers?.['user-agent'],
      }),
    };
  } catch {
    return { error, req: undefined, res: undefined, status, byDefault, attributes: requestAttributes({ status }) };
  }
}

/** The status Fastify's default error handling sends (its setErrorStatusCode), for a response not sent:
 * one the route set before the error, else the error's `statusCode`, else its `status`, when 4xx/5xx; else
 * 500. */
function fastifyStatus(error: unknown, reply: FastifyReply): number {
  if (isErrorStatus(reply?.statusCode)) return reply.statusCode;
  const e = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: unknown; status?: unknown };
  if (isErrorStatus(e.statusCode)) return e.statusCode;
  return isErrorStatus(e.status) ? e.status : 500;
}

const isErrorStatus = (n: unknown): n is number => typeof n === 'number' && n >= 400 && n <= 599;

/**
 * The template of the route Fastify took for Node's request `req`: Fastify's router finds the route and its
 * parameters (findRoute), and the template is the one of this method's whose parameters, filled in, give
 * back the request's path: as it came, else ignoring case and repeated slashes (a router with
 * `caseSensitive: false` or `ignoreDuplicateSlashes`). Undefined when none does (a parameter whose regular
 * expression has parentheses of its own) or two do: the report goes without its route rather than with a
 * wrong one.
 */
export function templateOf(
  fastify: FastifyInstance,
  routes: readonly FastifyRoute[],
  req: unknown,
): string | undefined {
  try {
    const { method, url } = (req ?? {}) as { method?: unknown; url?: unknown };
    if (typeof method !== 'string' || typeof url !== 'string') return undefined;
    const path = url.split(/[?#]/, 1)[0]!;
    const params = fastify.findRoute?.({ method, url: path })?.params;
    if (typeof params !== 'object' || params === null) return undefined;
    const templates: string[] = [];
    for (const route of routes) {
      const methods = [route.method].flat();
      if (typeof route.url === 'string' && methods.some((m) => typeof m === 'string' && m.toUpperCase() === method))
        templates.push(route.url);
    }
    const filled = templates.map((t) => fill(t, params));
    // Two that fill in alike (`/a/:id` and `/a/:id(^\\d+)`): which one the router took is unknown.
    const only = (same: (path: string) => string) => {
      const wanted = same(path);
      const matching = templates.filter((_, i) => same(filled[i]!) === wanted);
      return matching.length === 1 ? matching[0] : undefined;
    };
    return only(samePath) ?? only(loosePath);
  } catch {
    return undefined; // a request or a router answer that cannot be read
  }
}

/** A template with its parameters' values in place: `/orders/:id` and {id: '42'} give `/orders/42`; a
 * parameter's regular expression, `:id(^\\d+)`, goes with it; `::` is a literal colon. */
function fill(template: string, params: Record<string, unknown>): string {
  return template.replace(/::|:(\w+)(?:\((?:[^()\\]|\\.)*\))?|\*$/g, (match, name: string | undefined) => {
    if (match === '::') return ':';
    const value = params[name ?? '*'];
    return typeof value === 'string' ? value : match;
  });
}

/** A path as Fastify's router compares it by default: decoded, without a trailing slash. */
function samePath(path: string): string {
  let decoded = path;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    // a malformed escape: compared as it came
  }
  return decoded.length > 1 ? decoded.replace(/\/+$/, '') : decoded;
}

/** The same, whatever the case and however many slashes in a row. */
const loosePath = (path: string): string => samePath(path.replace(/\/{2,}/g, '/')).toLowerCase();
