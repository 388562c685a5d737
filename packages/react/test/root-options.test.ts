// rootOptions without a DOM: the reports go to the script tag's queue (window.faultline as the loader leaves
// it, an array of calls), which is also how @faultline/browser forwards when init() was not called.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { COMPONENT_STACK, rootOptions } from '../src/index';

const g = globalThis as { faultline?: unknown[]; reportError?: (e: unknown) => void };
let calls: unknown[][];
let reported: unknown[];

beforeEach(() => {
  calls = [];
  reported = [];
  g.faultline = calls;
  g.reportError = (e) => reported.push(e);
});
afterEach(() => {
  delete g.faultline;
  delete g.reportError;
  vi.restoreAllMocks();
});

const info = { componentStack: '\n    at Cart (app.js:1:1)\n    at Shop (app.js:2:1)' };

describe('rootOptions', () => {
  it('keeps the app options and replaces the three error options', () => {
    const options = rootOptions({ identifierPrefix: 'shop-' });
    expect(options.identifierPrefix).toBe('shop-');
    expect(Object.keys(options).sort()).toEqual(
      ['identifierPrefix', 'onCaughtError', 'onRecoverableError', 'onUncaughtError'].sort(),
    );
  });

  it('reports each kind with its mechanism, handled flag and component stack, then does what React does', () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const options = rootOptions();
    const errors = [new Error('uncaught'), new Error('caught'), new Error('recoverable')];
    options.onUncaughtError(errors[0], info);
    options.onCaughtError(errors[1], info);
    options.onRecoverableError(errors[2], info);
    expect(calls).toEqual([
      [
        'captureException',
        errors[0],
        { mechanism: 'react.uncaught', handled: false, attributes: { [COMPONENT_STACK]: info.componentStack } },
      ],
      [
        'captureException',
        errors[1],
        { mechanism: 'react.caught', handled: true, attributes: { [COMPONENT_STACK]: info.componentStack } },
      ],
      [
        'captureException',
        errors[2],
        { mechanism: 'react.recoverable', handled: true, attributes: { [COMPONENT_STACK]: info.componentStack } },
      ],
    ]);
    // React's production defaults: reportError for uncaught and recoverable, console.error for caught.
    expect(reported).toEqual([errors[0], errors[2]]);
    expect(consoleError.mock.calls).toEqual([[errors[1]]]);
  });

  it("calls the app's own option instead of React's default", () => {
    const own = vi.fn();
    const error = new Error('mine');
    rootOptions({ onUncaughtError: own }).onUncaughtError(error, info);
    expect(own).toHaveBeenCalledWith(error, info);
    expect(reported).toEqual([]);
    expect(calls).toHaveLength(1);
  });

  it('a thrown string with no option of the app goes out once, through reportError alone', () => {
    rootOptions().onUncaughtError('just text', info);
    expect(reported).toEqual(['just text']);
    expect(calls).toEqual([]);
  });

  it('no component stack: no attribute; no agent at all: nothing thrown', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    rootOptions().onCaughtError(new Error('x'), {} as never);
    expect(calls[0]?.[2]).toEqual({ mechanism: 'react.caught', handled: true, attributes: {} });
    delete g.faultline;
    expect(() => rootOptions().onCaughtError(new Error('y'), info)).not.toThrow();
  });
});
