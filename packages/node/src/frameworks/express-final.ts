// Express 4 and 5 without the line: an error that reaches Express's final handler (finalhandler, which logs
// it and answers) is reported too. The app is the server's `request` listener (app.listen() and
// http.createServer(app) both pass it), so it is found at the server's first request (hooks.ts), and one
// error middleware of four parameters is added after everything the app has: Express passes it only what
// would reach the final handler, and it passes that on with next(err) unchanged. The router calls the final
// handler from setImmediate either way, so the answer, the log and its stack are those of plain node.
import { reportsByDefault } from '../should-report';
import { attributesOf, type ExpressRequest } from './express-request';
import type { FrameworkSink } from './hooks';
import { errorStatus } from './request-attributes';

interface ExpressApp {
  use(fn: unknown): unknown;
  settings?: Record<string, unknown>;
  _router?: { stack?: { handle?: unknown }[] };
  router?: { stack?: { handle?: unknown }[] };
}

const hooked = new WeakSet<object>();

/** An Express app (4 or 5), told by what Express puts on every app; Connect and others are not. */
export function isExpressApp(fn: unknown): fn is ExpressApp {
  const app = fn as Record<string, unknown>;
  return (
    typeof fn === 'function' &&
    typeof app.handle === 'function' &&
    typeof app.use === 'function' &&
    typeof app.set === 'function' &&
    typeof app.settings === 'object' &&
    app.settings !== null &&
    'x-powered-by' in app.settings
  );
}

/** Adds the final reporting middleware to an Express app, once. */
export function hookExpressApp(app: ExpressApp, sink: FrameworkSink): void {
  if (hooked.has(app)) return;
  const router = routerOf(app);
  if (!router) return; // Express 4 without a route yet: use() would create a router the app never had
  hooked.add(app);
  const finalReporter = function faultlineFinalReporter(
    error: unknown,
    req: ExpressRequest,
    res: { statusCode?: unknown; headersSent?: unknown },
    next: (error: unknown) => void,
  ): void {
    try {
      // Only while it is the last middleware: what the app adds later may still answer the error. One that
      // expressErrorHandler() has decided about is left to it (the sink decides each error once).
      const stack = routerOf(app)?.stack;
      if (stack?.[stack.length - 1]?.handle === finalReporter) {
        const status = res?.headersSent === true ? Number(res.statusCode) : errorStatus(error, res?.statusCode);
        sink.report('express', {
          error,
          req,
          res,
          status,
          byDefault: reportsByDefault(status),
          attributes: attributesOf(req, status),
        });
      }
    } catch {
      // Never into the app.
    }
    next(error);
  };
  app.use(finalReporter);
}

/** The app's router: `_router` on Express 4 (made by the first route; its `router` getter throws), `router`
 * on Express 5 (made on first use, as app.handle() would). */
function routerOf(app: ExpressApp): { stack?: { handle?: unknown }[] } | undefined {
  if (app._router) return app._router;
  try {
    const router = app.router;
    return Array.isArray(router?.stack) ? router : undefined;
  } catch {
    return undefined;
  }
}
