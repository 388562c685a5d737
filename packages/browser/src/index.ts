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
  agent?.captureException(error, context);
}

export function setUser(user: { id?: string | number; email?: string; username?: string } | null): void {
  agent?.setUser(user);
}

export function setContext(name: string, values: Record<string, unknown> | null): void {
  agent?.setContext(name, values);
}

export function addBreadcrumb(message: string, attributes?: Record<string, string | number | boolean>): void {
  agent?.addBreadcrumb(message, attributes);
}

export function flush(): Promise<void> {
  return agent?.flush() ?? Promise.resolve();
}
