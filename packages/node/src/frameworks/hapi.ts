// Hapi 21 publishes what it answers with a 500 on the server's `request` event, channel `error`
// (https://hapi.dev/api/#-request-event: "emitted when a request results in a 500 internal server error"):
// the agent subscribes there, on each server. Hapi publishes nothing to find its servers by, so the one
// patch is on `Request.prototype._listen` (lib/request.js), found in require.cache once a server takes its
// first request (frameworks/hooks.ts): hapi calls it on every new request, and it runs no app code (it
// only adds hapi's own listeners to the raw request and response), so its frame is in no app error's
// stack; after it, the agent notes the request's server.
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
  route?: { path?: unknown };
  headers?: Record<string, unknown>;
  response?: { statusCode?: unknown };
}

/** Makes every hapi server of this Request class report its `request` errors; once per class. */
export function hookHapi(Request: unknown, sink: FrameworkSink): boolean {
  const observed = new WeakSet<object>();
  const proto = (Request as { prototype?: unknown } | undefined)?.prototype;
  return observeCalls(proto, '_listen', HOOKED, (request) => {
    // `server.events` is the server core's, shared by the plugins' servers: one subscription per core.
    const events = (request as { server?: HapiServer } | undefined)?.server?.events;
    if (typeof events !== 'object' || events === null || observed.has(events)) return;
    observed.add(events);
    events.on({ name: 'request', channels: 'error' }, (request, event) =>
      sink.report('hapi', hapiReport(request, event)),
    );
  });
}

/** The report of a `request` error event: the error hapi answered with a 500, and the request. */
export function hapiReport(request: unknown, event: unknown): FrameworkReport | undefined {
  const error = (event as { error?: unknown } | undefined)?.error;
  if (error === undefined) return undefined;
  const r = (typeof request === 'object' && request !== null ? request : {}) as HapiRequest;
  try {
    const status = r.response?.statusCode;
    return {
      error,
      attributes: requestAttributes({
        method: typeof r.method === 'string' ? r.method.toUpperCase() : undefined, // hapi's are lower case
        route: r.route?.path,
        url: r.path,
        status: typeof status === 'number' ? status : 500,
        userAgent: r.headers?.['user-agent'],
      }),
    };
  } catch {
    return { error, attributes: requestAttributes({ status: 500 }) };
  }
}
