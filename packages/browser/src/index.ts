// @faultline/browser for bundled apps: `import { init } from '@faultline/browser'`.
import { type BrowserAgent, type CaptureContext, createBrowserAgent } from './agent';
import { type BrowserOptions, resolveConfig } from './config';
import { createOtelPipeline } from './otel-pipeline';

export type { CaptureContext } from './agent';
export type { BrowserOptions } from './config';

let agent: BrowserAgent | undefined;

/** Starts the agent (once; later calls are ignored with a warning). */
export function init(options: BrowserOptions = {}): void {
  if (agent) {
    console.warn('faultline: init() was already called; ignoring this call');
    return;
  }
  try {
    // The logs pipeline is a chunk of its own: loaded only when exceptions go out as log records.
    const started = createBrowserAgent(
      resolveConfig(options, (m) => console.warn(m)),
      createOtelPipeline,
      () => import('./logs'),
    );
    started.install();
    agent = started;
  } catch (err) {
    // Never into the app: without an agent every call below is a no-op.
    console.warn('faultline: could not start', err);
  }
}

export function captureException(error: unknown, context?: CaptureContext): void {
  call('captureException', [error, context]);
}

export function setUser(user: { id?: string | number; email?: string; username?: string } | null): void {
  call('setUser', [user]);
}

export function setContext(name: string, values: Record<string, unknown> | null): void {
  call('setContext', [name, values]);
}

export function addBreadcrumb(message: string, attributes?: Record<string, string | number | boolean>): void {
  call('addBreadcrumb', [message, attributes]);
}

export function flush(): Promise<void> {
  return Promise.resolve(call('flush', [])).then(() => undefined);
}

type Method = 'captureException' | 'setUser' | 'setContext' | 'addBreadcrumb' | 'flush';

/**
 * Where a call goes: init()'s agent; without one, the script tag's (`window.faultline`: its API, or the
 * loader's queue of calls until it has loaded). So an integration bundled with the app (@faultline/react,
 * @faultline/vue, @faultline/angular) reports through whichever agent the page runs, and is a no-op
 * without one.
 */
function call(method: Method, args: unknown[]): unknown {
  if (agent) return (agent[method] as (...a: unknown[]) => unknown)(...args);
  try {
    const tag = (globalThis as { faultline?: unknown }).faultline;
    if (Array.isArray(tag)) tag.push([method, ...args]);
    else if (typeof (tag as Record<string, unknown> | undefined)?.[method] === 'function')
      return (tag as Record<Method, (...a: unknown[]) => unknown>)[method](...args);
  } catch {
    // Never into the app.
  }
  return undefined;
}
