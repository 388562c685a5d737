// Koa 2 and 3 publish every error they route to their error handling as the app's `error` event
// (ctx.onerror: `app.emit('error', err, ctx)`, https://koajs.com/#error-handling). The agent observes it
// with `events.errorMonitor`, which sees each `error` event before the listeners and is not one of them:
// Koa installs its default logger (app.onerror) only when the app has no `error` listener, so a listener
// of ours would silence it. Koa publishes no channel to find the apps by, so the one patch is on
// `Application.prototype.createContext`, found in require.cache once a server takes its first request
// (frameworks/hooks.ts): it returns before any middleware runs, so its frame is in no app error's stack.
import { errorMonitor } from 'node:events';
import { reportsByDefault } from '../should-report';
import type { FrameworkReport, FrameworkSink } from './hooks';
import { observeCalls } from './observe-calls';
import { readKey, requestAttributes } from './request-attributes';

/** Koa's lib/application.js, whatever the package manager's layout (koa 2 and 3 alike). */
export const KOA_APPLICATION_FILE = /[\\/]koa[\\/]lib[\\/]application\.js$/;

const HOOKED = Symbol.for('faultline.koa.hooked');

interface KoaContext {
  req?: { method?: unknown; headers?: Record<string, unknown> };
  request?: unknown;
  response?: unknown;
  res?: { statusCode?: unknown };
  originalUrl?: unknown;
  /** Set by @koa/router: the template of the matched route, prefixes included. */
  _matchedRoute?: unknown;
}

/** Makes every Koa app of this Application class report its `error` events; once per class. Each context
 * gives the request in flight its route, once @koa/router has matched one. */
export function hookKoa(Application: unknown, sink: FrameworkSink): boolean {
  const observed = new WeakSet<object>();
  const proto = (Application as { prototype?: unknown } | undefined)?.prototype;
  return observeCalls(proto, 'createContext', HOOKED, (app, [req], ctx) => {
    sink.route(req, ctx as KoaContext | undefined, koaRoute);
    const a = app as { on(event: symbol, fn: (...args: unknown[]) => void): void };
    if (observed.has(a)) return;
    observed.add(a);
    a.on(errorMonitor, (error, ctx) => sink.report('koa', koaReport(error, ctx)));
  });
}

/** The template @koa/router matched for a context, once it has. */
const koaRoute = (ctx: KoaContext | undefined): unknown => ctx?._matchedRoute;

/** An `error` event of a Koa app, reported by default when Koa answers it with a 5xx (or sent a 5xx before). */
export function koaReport(error: unknown, ctx: unknown): FrameworkReport {
  const c = (typeof ctx === 'object' && ctx !== null ? ctx : {}) as KoaContext;
  // Headers already sent: Koa can answer nothing more, the status is what went out. Else ctx.onerror is
  // about to answer with the error's status (a valid one), or 500.
  let status = 500;
  try {
    status = readKey(error, 'headerSent') === true ? numberOr(c.res?.statusCode, 500) : koaStatus(error);
  } catch {
    // a context that cannot be read: Koa answers 500
  }
  const byDefault = reportsByDefault(status);
  try {
    return {
      error,
      req: c.request,
      res: c.response,
      status,
      byDefault,
      attributes: requestAttributes({
        method: c.req?.method,
        route: c._matchedRoute,
        url: c.originalUrl,
        status,
        userAgent: c.req?.headers?.['user-agent'],
      }),
    };
  } catch {
    // a context that cannot be read
    return { error, req: undefined, res: undefined, status, byDefault, attributes: requestAttributes({ status }) };
  }
}

/** Koa's rule (context.js onerror): `err.status || err.statusCode` when it is a status code, else 500. */
export function koaStatus(error: unknown): number {
  const value = readKey(error, 'status') || readKey(error, 'statusCode');
  return typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599 ? value : 500;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}
