// An error boundary that reports what it catches (with the component stack) and renders the fallback, as
// any boundary does: <ErrorBoundary fallback={<p>Something went wrong</p>}>…</ErrorBoundary>. The fallback
// may be a function of the error, its component stack and a reset that renders the children again.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { reportReactError } from './report';

export interface FallbackProps {
  error: unknown;
  componentStack: string | undefined;
  /** Renders the children again (after `onReset`). */
  resetError(): void;
}

export interface ErrorBoundaryProps {
  children?: ReactNode;
  /** What to render instead of the children once they threw; nothing if absent. */
  fallback?: ReactNode | ((props: FallbackProps) => ReactNode);
  /** Called after the report, with what React gave the boundary. */
  onError?: (error: unknown, componentStack: string | undefined) => void;
  /** Called by resetError before the children render again. */
  onReset?: () => void;
}

interface ErrorBoundaryState {
  failed: boolean;
  error: unknown;
  componentStack: string | undefined;
}

const CLEAR: ErrorBoundaryState = { failed: false, error: undefined, componentStack: undefined };

export class ErrorBoundary extends Component<ErrorBoundaryProps, ErrorBoundaryState> {
  override state: ErrorBoundaryState = CLEAR;

  static getDerivedStateFromError(error: unknown): Partial<ErrorBoundaryState> {
    return { failed: true, error };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    const componentStack = info?.componentStack ?? undefined;
    reportReactError(error, componentStack, 'react.error_boundary', true);
    this.setState({ componentStack });
    this.props.onError?.(error, componentStack);
  }

  resetError = (): void => {
    this.props.onReset?.();
    this.setState(CLEAR);
  };

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    const { fallback } = this.props;
    if (typeof fallback !== 'function') return fallback ?? null;
    const { error, componentStack } = this.state;
    return fallback({ error, componentStack, resetError: this.resetError });
  }
}
