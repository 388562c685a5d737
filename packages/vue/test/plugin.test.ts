// The plugin on an app's config without a DOM: reports go to the script tag's queue (window.faultline as the
// loader leaves it), which is how @faultline/browser forwards when init() was not called.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { App } from 'vue';
import { faultlineVue } from '../src/index';

const g = globalThis as { faultline?: unknown[] };
let calls: unknown[][];
beforeEach(() => {
  calls = [];
  g.faultline = calls;
});
afterEach(() => {
  delete g.faultline;
  vi.restoreAllMocks();
});

type Handler = (err: unknown, instance: unknown, info: string) => void;
const appWith = (config: Record<string, unknown>) => {
  const app = { config } as unknown as App;
  (faultlineVue as { install(app: App): void }).install(app);
  return config.errorHandler as Handler;
};
const instance = { $options: { name: 'Cart' } };

describe('faultlineVue', () => {
  it('reports with the component and info, then logs as Vue does without a handler', () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const error = new Error('x');
    appWith({})(error, instance, 'render function');
    expect(calls).toEqual([
      [
        'captureException',
        error,
        { mechanism: 'vue', handled: false, attributes: { 'vue.info': 'render function', 'vue.component': 'Cart' } },
      ],
    ]);
    expect(consoleError).toHaveBeenCalledWith(error);
  });

  it("calls the app's handler instead, with what Vue gave", () => {
    const own = vi.fn();
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    appWith({ errorHandler: own })('thrown text', null, 'mounted hook');
    expect(own).toHaveBeenCalledWith('thrown text', null, 'mounted hook');
    expect(consoleError).not.toHaveBeenCalled();
    expect(calls).toHaveLength(1);
  });

  it('throwUnhandledErrorInProduction: rethrows, as Vue would', () => {
    const error = new Error('y');
    expect(() => appWith({ throwUnhandledErrorInProduction: true })(error, null, '')).toThrow(error);
    expect(calls).toHaveLength(1);
  });

  it('a component name from __name or the file; an instance that cannot be read gives none', () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const handler = appWith({});
    handler(new Error('a'), { $options: { __name: 'Checkout' } }, '');
    handler(new Error('b'), { $options: { __file: '/src/components/OrderList.vue' } }, '');
    const hostile = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
      },
    );
    handler(new Error('c'), hostile, 'render function');
    expect(calls.map((c) => (c[2] as { attributes: object }).attributes)).toEqual([
      { 'vue.component': 'Checkout' },
      { 'vue.component': 'OrderList' },
      { 'vue.info': 'render function' },
    ]);
  });
});
