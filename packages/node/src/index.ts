// @faultline/node public API. The preload (`--require` / `--import @faultline/node/register`) needs none of
// it; apps that configure in code call init(), and any app can report handled errors.
import type { CaptureContext, InitOptions } from './agent';
import { getAgent } from './agent';

export type { CaptureContext, InitOptions } from './agent';
export type { ExpressErrorHandlerOptions } from './frameworks/express';
export { expressErrorHandler } from './frameworks/express';
export type { ShouldReport, ShouldReportFacts } from './should-report';

/** Configures the agent in code (over the environment) and installs its hooks if the preload did not. */
export function init(options: InitOptions = {}): void {
  const agent = getAgent();
  agent.configure(options);
  agent.install();
}

/** Reports a handled error (it is reported once, even if it is later rethrown and crashes the process). */
export function captureException(error: unknown, context?: CaptureContext): void {
  getAgent().captureException(error, context);
}

/** Sets the user on every later report (`user.id`, `user.email`, `user.name`); null clears it. */
export function setUser(user: { id?: string | number; email?: string; username?: string } | null): void {
  getAgent().setUser(user);
}

/** Adds named context (`context.<name>.<key>` attributes) to every later report; null removes it. */
export function setContext(name: string, values: Record<string, unknown> | null): void {
  getAgent().setContext(name, values);
}

/** Adds one attribute to every later report. */
export function setTag(key: string, value: string | number | boolean): void {
  getAgent().setTag(key, value);
}

/** Sends what is pending and resolves when done. */
export function flush(): Promise<void> {
  return getAgent().flush();
}
