// The script-tag build (dist/faultline.min.js): configured by the tag's data-* attributes, or by
// `window.faultlineConfig` set before it; exposes the API on `window.faultline`. Calls made before it loaded
// (window.faultline = window.faultline || [] ; faultline.push(['captureException', err])) are replayed.
import { BrowserAgent } from './agent';
import { type BrowserOptions, optionsFromScriptTag, resolveConfig } from './config';

type Queued = [method: string, ...args: unknown[]];
const w = window as unknown as {
  faultline?: unknown;
  faultlineConfig?: BrowserOptions;
  __faultlineEarly?: { queue: ['error' | 'rejection', Event][]; off(): void };
};

(() => {
  try {
    const fromTag = optionsFromScriptTag(document.currentScript as HTMLScriptElement | null);
    const agent = new BrowserAgent(resolveConfig({ ...fromTag, ...w.faultlineConfig }, (m) => console.warn(m)));
    // Loaded by the early-capture loader: take over its listeners, then report what it queued.
    const early = w.__faultlineEarly;
    early?.off();
    agent.install();
    for (const [kind, event] of early?.queue.splice(0) ?? []) agent.replay(kind, event);
    const api = {
      captureException: agent.captureException.bind(agent),
      setUser: agent.setUser.bind(agent),
      setContext: agent.setContext.bind(agent),
      addBreadcrumb: agent.addBreadcrumb.bind(agent),
      flush: agent.flush.bind(agent),
    };
    const queued = Array.isArray(w.faultline) ? (w.faultline as Queued[]) : [];
    w.faultline = api;
    for (const [method, ...args] of queued) {
      const fn = (api as Record<string, unknown>)[method];
      if (typeof fn === 'function') fn(...args);
    }
  } catch (err) {
    console.warn('faultline: could not start', err);
  }
})();
