// React 19's root error options (createRoot / hydrateRoot): what no boundary catches (onUncaughtError), what a
// boundary caught (onCaughtError), and what React recovered from by itself (onRecoverableError, e.g. a
// hydration mismatch). Each reports the error with its component stack, then does what the app's own option
// does, or else what React does without one (its production defaults): uncaught and recoverable errors go
// to reportError (the page's `error` event and console), caught ones to console.error.
//   createRoot(el, rootOptions())   or   createRoot(el, rootOptions({ onCaughtError: mine, identifierPrefix }))
import { isObjectLike, reportReactError } from './report';

export interface ReactErrorInfo {
  componentStack?: string | null;
}
export type RootErrorHandler = (error: unknown, errorInfo: ReactErrorInfo) => void;

export interface RootErrorOptions {
  onUncaughtError?: RootErrorHandler;
  onCaughtError?: RootErrorHandler;
  onRecoverableError?: RootErrorHandler;
}

/** React's own fallback when there is no reportError: the console. */
const reportGlobalError = (error: unknown): void => {
  if (typeof reportError === 'function') reportError(error);
  else console.error(error);
};

/** The app's options with faultline's three error options in place, each calling the app's if it had one. */
export function rootOptions<T extends RootErrorOptions>(options?: T): T & Required<RootErrorOptions> {
  return {
    ...(options as T),
    onUncaughtError: handler(options?.onUncaughtError, 'react.uncaught', false, reportGlobalError),
    onCaughtError: handler(options?.onCaughtError, 'react.caught', true, (error) => console.error(error)),
    onRecoverableError: handler(options?.onRecoverableError, 'react.recoverable', true, reportGlobalError),
  };
}

function handler(
  own: RootErrorHandler | undefined,
  mechanism: string,
  handled: boolean,
  reactDefault: (error: unknown) => void,
): RootErrorHandler {
  const next = typeof own === 'function' ? own : undefined;
  return (error, errorInfo) => {
    // reportError's `error` event reaches the agent too: an object it has seen counts as a repeat, but a
    // thrown string would be reported twice, so that one goes out that way alone (without the component stack).
    if (next || reactDefault !== reportGlobalError || isObjectLike(error))
      reportReactError(error, errorInfo?.componentStack, mechanism, handled);
    if (next) next(error, errorInfo);
    else reactDefault(error);
  };
}
