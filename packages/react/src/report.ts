// One report of an error React handed over, with the component stack as context.
import { captureException } from '@faultline/browser';

/** The attribute the component stack goes into (`\n    at Cart (…)\n    at Shop (…)`: where in the tree). */
export const COMPONENT_STACK = 'react.component_stack';

export function reportReactError(
  error: unknown,
  componentStack: string | null | undefined,
  mechanism: string,
  handled: boolean,
): void {
  captureException(error, {
    mechanism,
    handled,
    attributes: typeof componentStack === 'string' ? { [COMPONENT_STACK]: componentStack } : {},
  });
}

/** Thrown values that are objects: the agent knows one it has seen (so a second path never reports it
 * twice); a thrown string or number it cannot tell from another. */
export function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}
