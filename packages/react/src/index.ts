// @faultline/react: React's errors through faultline (init() of @faultline/browser, or the script tag).

export { ErrorBoundary, type ErrorBoundaryProps, type FallbackProps } from './error-boundary';
export { COMPONENT_STACK } from './report';
export { type ReactErrorInfo, type RootErrorHandler, type RootErrorOptions, rootOptions } from './root-options';
