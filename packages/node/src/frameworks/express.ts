// Express (4 and 5) and Connect: an error-handling middleware that reports what reaches it and passes it
// on unchanged, so the app's own error handlers and Express's final handler answer exactly as before.
//   app.use(expressErrorHandler())   // after the routes, before the app's own error handlers
import { getAgent } from '../agent';
import { errorStatus, requestAttributes } from './request-attributes';

export interface ExpressErrorHandlerOptions {
  /**
   * Whether to report this error. By default only what will be answered with a 5xx: a 404 or a failed
   * validation is the app working, not an incident.
   */
  shouldReport?: (error: unknown, req: unknown, res: unknown) => boolean;
}

export interface ExpressRequest {
  method?: unknown;
  originalUrl?: unknown;
  url?: unknown;
  baseUrl?: unknown;
  route?: { path?: unknown };
  headers?: Record<string, unknown>;
}

/** The error middleware. Four parameters: that is how Express tells an error handler from a route. */
export function expressErrorHandler(options: ExpressErrorHandlerOptions = {}) {
  const custom = typeof options?.shouldReport === 'function' ? options.shouldReport : undefined;
  return function faultlineErrorHandler(
    error: unknown,
    req: ExpressRequest,
    res: { statusCode?: unknown },
    next: (error?: unknown) => void,
  ): void {
    try {
      const agent = getAgent();
      // Express's final handler, if the error gets there, leaves it to this one. Optional: the agent may be
      // an older copy's (the preload of another version), without it.
      agent.noteDecided?.(error);
      const status = errorStatus(error, res?.statusCode);
      let report = status >= 500;
      if (custom) {
        try {
          report = Boolean(custom(error, req, res));
        } catch {
          report = true; // a throwing predicate must not cost the report
        }
      }
      if (report) agent.captureException(error, { mechanism: 'express', attributes: attributesOf(req, status) });
    } catch {
      // Never into the app.
    }
    next(error);
  };
}

/** The request's facts; a request object that cannot be read gives the status alone, never a lost report. */
export function attributesOf(req: ExpressRequest, status: number) {
  try {
    const url = typeof req.originalUrl === 'string' ? req.originalUrl : req.url;
    return requestAttributes({
      method: req.method,
      route: routeTemplate(req.route?.path, req.baseUrl, url),
      url,
      status,
      userAgent: req.headers?.['user-agent'],
    });
  } catch {
    return requestAttributes({ status });
  }
}

/**
 * The route template, `/orders/:id`. An error handler after a router sees the router's own path (`/:id`):
 * Express has restored `baseUrl` by then. The mount prefix is then the request path's leading segments, as
 * many as the path has beyond the route's; a route with wildcards or patterns stays as Express has it.
 */
export function routeTemplate(path: unknown, baseUrl: unknown, url: unknown): string | undefined {
  if (typeof path !== 'string') return undefined;
  if (typeof baseUrl === 'string' && baseUrl !== '') return `${baseUrl}${path}`;
  if (typeof url !== 'string' || /[*()?+[\]]/.test(path)) return path;
  const segments = (p: string) => p.split('/').filter(Boolean);
  const actual = segments(url.split(/[?#]/, 1)[0]!);
  const extra = actual.length - segments(path).length;
  if (extra <= 0) return path;
  return `/${actual.slice(0, extra).join('/')}${path === '/' ? '' : path}`;
}
