// NestJS (10, 11) answers what a controller, guard, pipe or interceptor throws itself, in its exception
// filters: on either adapter, nothing reaches Express's error middleware or Fastify's error channel. Every
// error Nest answers by default, and every one an app filter hands on with `super.catch()`, goes through
// `BaseExceptionFilter.prototype.catch` (@nestjs/core/exceptions/base-exception-filter.js), found in
// require.cache at a server's first request (hooks.ts): the agent observes it after it returned, when the
// answer has gone out and its status is known. It calls no app code, so its frame is in no error's stack.
import { reportsByDefault } from '../should-report';
import type { FrameworkReport, FrameworkSink } from './hooks';
import { observeCalls } from './observe-calls';
import { requestAttributes } from './request-attributes';

/** @nestjs/core's base exception filter, whatever the package manager's layout. */
export const NEST_FILTER_FILE = /[\\/]@nestjs[\\/]core[\\/]exceptions[\\/]base-exception-filter\.js$/;

const HOOKED = Symbol.for('faultline.nestjs.hooked');

interface ArgumentsHost {
  getType?(): unknown;
  getArgByIndex?(index: number): unknown;
}

interface NestRequest {
  method?: unknown;
  originalUrl?: unknown;
  url?: unknown;
  /** Express: the route, with the full path Nest registered. */
  route?: { path?: unknown };
  /** Fastify: the route's options. */
  routeOptions?: { url?: unknown };
  headers?: Record<string, unknown>;
}

/** Makes Nest's base exception filter report what it answers (by default, a 5xx); once per copy of @nestjs/core. */
export function hookNest(exports: unknown, sink: FrameworkSink): boolean {
  const filter = (exports as { BaseExceptionFilter?: { prototype?: unknown } } | undefined)?.BaseExceptionFilter;
  return observeCalls(filter?.prototype, 'catch', HOOKED, (_filter, [exception, host]) =>
    sink.report('nestjs', nestReport(exception, host)),
  );
}

/** The report of an exception Nest's filter has answered over HTTP, with the status it sent: reported by
 * default when it is a 5xx. */
export function nestReport(exception: unknown, host: unknown): FrameworkReport | undefined {
  const h = host as ArgumentsHost | undefined;
  if (typeof h?.getType !== 'function' || h.getType() !== 'http' || typeof h.getArgByIndex !== 'function')
    return undefined;
  const req = (h.getArgByIndex(0) ?? {}) as NestRequest;
  const res = h.getArgByIndex(1);
  const status = (res as { statusCode?: unknown } | undefined)?.statusCode;
  if (typeof status !== 'number') return undefined; // not answered: nothing to decide on
  return {
    error: exception,
    req,
    res,
    status,
    byDefault: reportsByDefault(status),
    attributes: requestAttributes({
      method: req.method,
      route: req.route?.path ?? req.routeOptions?.url,
      url: typeof req.originalUrl === 'string' ? req.originalUrl : req.url,
      status,
      userAgent: req.headers?.['user-agent'],
    }),
  };
}
