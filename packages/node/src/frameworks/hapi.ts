// Hapi 21 emits the server's `response` event once a request's answer is complete
// (https://hapi.dev/api/#-response-event; lib/request.js `_finalize`), with `request.response` the answer:
// an error answer (thrown, or a Boom returned) keeps the error in `response._error` and its status in
// `response.statusCode`. The agent listens there, on each server, and reports by default what hapi itself
// logs as an error: a 500 (hapi's `request` event, channel `error`, is emitted at the same place, for a 500
// only; the `response` event also shows the 4xx and 503s an app's shouldReport may want). Hapi publishes
// nothing to find its servers by, so the one patch is on `Request.prototype._listen` (lib/request.js),
// found in require.cache once a server takes its first request (frameworks/hooks.ts): hapi calls it on every
// new request, and it runs no app code (it only adds hapi's own listeners to the raw request and
// response), so its frame is in no app error's stack; after it, the agent notes the request's server.
import type { FrameworkReport, FrameworkSink } from './hooks';
import { observeCalls } from './observe-calls';
import { requestAttributes } from './request-attributes';

/** @hapi/hapi's lib/request.js, whatever the package manager's layout. */
export const HAPI_REQUEST_FILE = /[\\/]@hapi[\\/]hapi[\\/]lib[\\/]request\.js$/;

const HOOKED = Symbol.for('faultline.hapi.hooked');

interface HapiServer {
  events?: { on(criteria: unknown, listener: (...a: unknown[]) => void): unknown };
}

interface HapiRequest {
  method?: unknown;
  path?: unknown;
  raw?: { req?: unknown };
  route?: { path?: unknown };
  headers?: Record<string, unknown>;
  response?: { statusCode?: unknown; _error?: unknown };
  _core?: { router?: { specials?: { notFound?: { route?: { public?: unknown } } } } };
}

/** Makes every hapi server of this Request class report its error answers; once per class. Each request
 * gives the request in flight its route, once hapi has matched one. */
export function hookHapi(Request: unknown, sink: FrameworkSink): boolean {
  const observed = new WeakSet<object>();
  const proto = (Request as { prototype?: unknown } | undefined)?.prototype;
  return observeCalls(proto, '_listen', HOOKED, (self) => {
    const request = self as (HapiRequest & { server?: HapiServer }) | undefined;
    sink.route(request?.raw?.req, request, matchedRoute);
    // `server.events` is the server core's, shared by the plugins' servers: one subscription per core.
    const events = request?.server?.events;
    if (typeof events !== 'object' || events === null || observed.has(events)) return;
    observed.add(events);
    events.on('response', (answered) => sink.report('hapi', hapiReport(answered)));
  });
}

/** The report of a `response` event, when the answer is an error: reported by default when it is a 500. */
export function hapiReport(request: unknown): FrameworkReport | undefined {
  const r = (typeof request === 'object' && request !== null ? request : {}) as HapiRequest;
  let error: unknown;
  let status = 500;
  try {
    error = r.response?._error;
    if (error === undefined || error === null) return undefined; // not an error answer
    const sent = r.response?.statusCode;
    if (typeof sent === 'number') status = sent;
  } catch {
    return undefined; // nothing readable to report
  }
  const byDefault = status === 500;
  try {
    return {
      error,
      req: request,
      res: r.response,
      status,
      byDefault,
      attributes: requestAttributes({
        method: typeof r.method === 'string' ? r.method.toUpperCase() : undefined, // hapi's are lower case
        route: matchedRoute(r),
        url: r.path,
        status,
        userAgent: r.headers?.['user-agent'],
      }),
    };
  } catch {
    return { error, req: request, res: undefined, status, byDefault, attributes: requestAttributes({ status }) };
  }
}

/** The template of the route hapi matched; none for its own not-found route (`/{p*}`, also every request's
 * route until it is matched). */
function matchedRoute(request: HapiRequest | undefined): unknown {
  const route = request?.route;
  if (route === undefined || route === request?._core?.router?.specials?.notFound?.route?.public) return undefined;
  return route?.path;
}
