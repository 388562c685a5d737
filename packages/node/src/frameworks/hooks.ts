// Frameworks that publish no diagnostics channel of their own (Koa, hapi, NestJS, Express's final handler) are found
// when an HTTP server takes its first request (Node's `http.server.request.start` channel, before the
// framework sees the request): what the app has loaded by then is in require.cache, and each framework's
// hook is set on the class it is about (koa.ts, hapi.ts, nestjs.ts); an Express app is the server's request listener
// (express-final.ts). Fastify hands over each instance it creates on a channel of its own, and gets its
// hooks then (fastify.ts). Nothing is loaded and nothing is patched for a framework the app does not use;
// an app that neither serves HTTP nor creates a Fastify instance never loads this file (agent.ts requires it
// lazily).
import type { Attributes } from '@faultline/core';
import type { ReportCandidate } from '../should-report';
import { hookExpressApp, isExpressApp } from './express-final';
import { HAPI_REQUEST_FILE, hookHapi } from './hapi';
import { hookKoa, KOA_APPLICATION_FILE } from './koa';
import { hookNest, NEST_FILTER_FILE } from './nestjs';

export { hookFastify } from './fastify';

/** An error a framework answered, with its request; the agent decides whether it is reported
 * (should-report.ts). */
export interface FrameworkReport extends ReportCandidate {
  attributes: Attributes;
}

/** Where framework hooks hand their reports (the agent, guarded): each error is decided once per request,
 * by the first hook that hands it over (or expressErrorHandler()). */
export interface FrameworkSink {
  report(mechanism: string, report: FrameworkReport | undefined): void;
  /** `decide` (a report), to run later for `req`: it yields to a decision taken for `req` meanwhile. */
  later(req: unknown, decide: () => void): () => void;
  /** The route template of the request `req` (Node's own request object), once the framework knows it:
   * for the request in flight (request-context.ts). */
  route<T>(req: unknown, from: T, read: (from: T) => unknown): void;
  /** How to find the route template of a request `server` took, when an error needs it (fastify.ts). */
  serverRoutes(server: object, find: (req: unknown) => unknown): void;
}

const HOOKS: [RegExp, (exports: unknown, sink: FrameworkSink) => boolean][] = [
  [KOA_APPLICATION_FILE, hookKoa],
  [HAPI_REQUEST_FILE, hookHapi],
  [NEST_FILTER_FILE, hookNest],
];

/** Hooks the frameworks loaded so far (once per class: a second server finds them hooked). */
export function hookLoadedFrameworks(cache: Record<string, { exports?: unknown } | undefined>, sink: FrameworkSink) {
  for (const file in cache) {
    for (const [pattern, hook] of HOOKS) if (pattern.test(file)) hook(cache[file]?.exports, sink);
  }
}

/** Hooks the Express apps that are this server's request listeners. */
export function hookServerApps(server: { listeners?: (event: string) => unknown[] }, sink: FrameworkSink) {
  for (const listener of server.listeners?.('request') ?? [])
    if (isExpressApp(listener)) hookExpressApp(listener, sink);
}
