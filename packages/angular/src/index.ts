// @faultline/angular: Angular's errors through faultline (init() of @faultline/browser, or the script tag).
//   bootstrapApplication(App, { providers: [provideFaultlineErrorHandler()] })
// Angular hands what its templates, lifecycle hooks and change detection throw to the ErrorHandler. This one
// reports it (unhandled: Angular only logs it), then does what Angular's own does: console.error('ERROR', …).
import { ErrorHandler, type Provider } from '@angular/core';
import { captureException } from '@faultline/browser';

export class FaultlineErrorHandler extends ErrorHandler {
  override handleError(error: unknown): void {
    captureException(error, { mechanism: 'angular', handled: false });
    super.handleError(error);
  }
}

/** The provider: Angular's ErrorHandler replaced by FaultlineErrorHandler (no constructor arguments, so no
 * decorator and no compiler are needed for it). */
export function provideFaultlineErrorHandler(): Provider {
  return { provide: ErrorHandler, useFactory: () => new FaultlineErrorHandler() };
}
