// What Express (4 and 5) leaves on a request: the route it matched, the mount prefix of the router it is in,
// and the URL as it came (`originalUrl`: a mounted router's `url` has the prefix taken off). Read by the
// error handlers (express.ts, express-final.ts) and for the request in flight (request-context.ts), which
// sees Node's own request object: Express adds these to that same object.
import { requestAttributes } from './request-attributes';

export interface ExpressRequest {
  method?: unknown;
  originalUrl?: unknown;
  url?: unknown;
  baseUrl?: unknown;
  route?: { path?: unknown };
  headers?: Record<string, unknown>;
}

/** The request's facts; a request object that cannot be read gives the status alone, never a lost report. */
export function attributesOf(req: ExpressRequest, status: number) {
  try {
    const url = urlOf(req);
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

/** The URL the client asked for: Express's `originalUrl`, else Node's `url`. */
export function urlOf(req: ExpressRequest): unknown {
  return typeof req.originalUrl === 'string' ? req.originalUrl : req.url;
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
