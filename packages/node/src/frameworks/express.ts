// Express (4 and 5) and Connect: an error-handling middleware that reports what reaches it and passes it
// on unchanged, so the app's own error handlers and Express's final handler answer exactly as before.
//   app.use(expressErrorHandler())   // after the routes, before the app's own error handlers
import { getAgent } from '../agent';
import { decideReport, reportsByDefault, type ShouldReport } from '../should-report';
import { attributesOf, type ExpressRequest } from './express-request';
import { errorStatus } from './request-attributes';

export type { ExpressRequest } from './express-request';
export { attributesOf, routeTemplate } from './express-request';

export interface ExpressErrorHandlerOptions {
  /**
   * Whether to report this error; over init()'s `shouldReport` for what reaches this handler. By default
   * only what will be answered with a 5xx: a 404 or a failed validation is the app working, not an
   * incident. A predicate that throws (or answers anything but a boolean) leaves the default decision.
   */
  shouldReport?: ShouldReport;
}

/** The error middleware. Four parameters: that is how Express tells an error handler from a route. */
export function expressErrorHandler(options: ExpressErrorHandlerOptions = {}) {
  let own: ShouldReport | undefined;
  try {
    own = typeof options?.shouldReport === 'function' ? options.shouldReport : undefined;
    if (options?.shouldReport !== undefined && !own)
      process.stderr.write(
        `faultline: expressErrorHandler() option shouldReport: expected a function, got ${typeof options.shouldReport}; reporting 5xx\n`,
      );
  } catch {
    // options that cannot be read: the defaults
  }
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
      agent.noteDecided?.(error, req);
      const status = errorStatus(error, res?.statusCode);
      const candidate = { error, req, res, status, byDefault: reportsByDefault(status) };
      // The agent's decision counts a failing predicate; an older agent without it gets this one's.
      const report = agent.decideReport
        ? agent.decideReport('express', candidate, own)
        : decideReport(own, 'express', candidate, () => {});
      if (report) agent.captureException(error, { mechanism: 'express', attributes: attributesOf(req, status) });
    } catch {
      // Never into the app.
    }
    next(error);
  };
}
