// Frameworks that publish no diagnostics channel of their own (Koa, hapi) are found when an HTTP server
// takes its first request (Node's `http.server.request.start` channel, before the framework sees the
// request): what the app has loaded by then is in require.cache, and each framework's hook is set on the
// class it is about (koa.ts, hapi.ts). Nothing is loaded and nothing is patched for a framework the app
// does not use; an app that never serves HTTP never loads this file (agent.ts requires it lazily).
import type { Attributes } from '@faultline/core';
import { HAPI_REQUEST_FILE, hookHapi } from './hapi';
import { hookKoa, KOA_APPLICATION_FILE } from './koa';

export interface FrameworkReport {
  error: unknown;
  attributes: Attributes;
}

/** Where framework hooks hand their reports (the agent, guarded). */
export interface FrameworkSink {
  report(mechanism: string, report: FrameworkReport | undefined): void;
}

const HOOKS: [RegExp, (exports: unknown, sink: FrameworkSink) => boolean][] = [
  [KOA_APPLICATION_FILE, hookKoa],
  [HAPI_REQUEST_FILE, hookHapi],
];

/** Hooks the frameworks loaded so far (once per class: a second server finds them hooked). */
export function hookLoadedFrameworks(cache: Record<string, { exports?: unknown } | undefined>, sink: FrameworkSink) {
  for (const file in cache) {
    for (const [pattern, hook] of HOOKS) if (pattern.test(file)) hook(cache[file]?.exports, sink);
  }
}
