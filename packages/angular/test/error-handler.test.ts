// The handler without a DOM: reports go to the script tag's queue (window.faultline as the loader leaves it),
// which is how @faultline/browser forwards when init() was not called.
import { ErrorHandler } from '@angular/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FaultlineErrorHandler, provideFaultlineErrorHandler } from '../src/index';

const g = globalThis as { faultline?: unknown[] };
afterEach(() => {
  delete g.faultline;
  vi.restoreAllMocks();
});

describe('FaultlineErrorHandler', () => {
  it("reports the error, then logs it as Angular's own ErrorHandler does", () => {
    const calls: unknown[][] = [];
    g.faultline = calls;
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const error = new Error('x');
    new FaultlineErrorHandler().handleError(error);
    expect(calls).toEqual([['captureException', error, { mechanism: 'angular', handled: false }]]);
    const ours = consoleError.mock.calls.slice();
    consoleError.mockClear();
    new ErrorHandler().handleError(error);
    expect(ours).toEqual(consoleError.mock.calls);
    expect(ours).toEqual([['ERROR', error]]);
  });

  it('is what the provider gives for ErrorHandler', () => {
    const provider = provideFaultlineErrorHandler() as { provide: unknown; useFactory(): unknown };
    expect(provider.provide).toBe(ErrorHandler);
    expect(provider.useFactory()).toBeInstanceOf(FaultlineErrorHandler);
  });
});
