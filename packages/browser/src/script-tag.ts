// The script-tag build (dist/faultline.min.js): configured by the tag's data-* attributes, or by
// `window.faultlineConfig` set before it; exposes the API on `window.faultline`. Calls made before it loaded
// (window.faultline = window.faultline || [] ; faultline.push(['captureException', err])) are replayed.
// Spans are written as OTLP/JSON by faultline itself (otlp-direct.ts): no OpenTelemetry SDK in this build.
import { createBrowserAgent } from './agent';
import { type BrowserOptions, optionsFromScriptTag, resolveConfig } from './config';
import type { LoadLogs } from './deferred-logs';
import { createDirectPipeline } from './otlp-direct';

type Queued = [method: string, ...args: unknown[]];
type LogsModule = Awaited<ReturnType<LoadLogs>>;
const w = window as unknown as {
  faultline?: unknown;
  faultlineConfig?: BrowserOptions;
  __faultlineEarly?: { queue: ['error' | 'rejection', Event][]; dropped?: number; off(): void };
  __faultlineLogs?: LogsModule;
};

/** Loads dist/faultline-logs.min.js from beside this script, only when exceptions go out as log records. */
function siblingScript(me: HTMLScriptElement | null): LoadLogs {
  const src = me?.src ? me.src.replace(/[^/?#]*(?:[?#].*)?$/, 'faultline-logs.min.js') : 'faultline-logs.min.js';
  return () =>
    new Promise((resolve, reject) => {
      if (w.__faultlineLogs) return resolve(w.__faultlineLogs);
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.onload = () => (w.__faultlineLogs ? resolve(w.__faultlineLogs) : reject(new Error(`${src} did not load`)));
      script.onerror = () => reject(new Error(`could not load ${src}`));
      (document.head || document.documentElement).appendChild(script);
    });
}

(() => {
  try {
    const fromTag = optionsFromScriptTag(document.currentScript as HTMLScriptElement | null);
    const agent = createBrowserAgent(
      resolveConfig(w.faultlineConfig, (m) => console.warn(m), fromTag),
      createDirectPipeline,
      siblingScript(document.currentScript as HTMLScriptElement | null),
    );
    // Loaded by the early-capture loader: take over its listeners, then report what it queued.
    const early = w.__faultlineEarly;
    early?.off();
    agent.install();
    agent.earlyOverflow(early?.dropped ?? 0);
    for (const [kind, event] of early?.queue.splice(0) ?? []) agent.replay(kind, event);
    const api = {
      captureException: agent.captureException,
      setUser: agent.setUser,
      setContext: agent.setContext,
      addBreadcrumb: agent.addBreadcrumb,
      flush: agent.flush,
    };
    const queued = Array.isArray(w.faultline) ? (w.faultline as unknown[]) : [];
    w.faultline = api;
    for (const call of queued) {
      // Each call as the page queued it: [method, ...args]; anything else is skipped, with a warning.
      const [method, ...args] = Array.isArray(call) ? (call as Queued) : [];
      const fn = typeof method === 'string' && Object.hasOwn(api, method) ? api[method as keyof typeof api] : undefined;
      if (typeof fn === 'function') (fn as (...a: unknown[]) => unknown)(...args);
      else console.warn('faultline: skipping a queued call that is not [method, ...args] of the API', call);
    }
  } catch (err) {
    console.warn('faultline: could not start', err);
  }
})();
