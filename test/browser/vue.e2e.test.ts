// @faultline/vue in Chromium, with Vue 3 bundled by esbuild as an app would be (runtime-only, production
// build). A component throws in render, in a lifecycle hook, in an event handler and in a watcher; one more
// case gives the app an errorHandler of its own. Each runs with faultline's ESM build, with the script tag,
// and without faultline: what the page observes (error events, console.error calls, the app's handler
// calls) must be the same, and each error must be in Jaeger once, with the component and Vue's info.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  appRun,
  bundleSnippet,
  expectSameWithAndWithout,
  observeAppPages,
  reportsOf,
} from '../support/framework-app.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };

interface Case {
  name: string;
  case: 'render' | 'mounted' | 'click' | 'watcher';
  ownHandler?: true;
  component: string;
  /** Vue's `info` in a production build: a link to its error reference, by error code (a lifecycle hook's is
   * its short name: `m` for mounted). */
  info: string;
  /** What the page observes, with or without faultline: Vue's own behaviour. */
  page: Record<string, number>;
}

const reference = (code: number | string) => `https://vuejs.org/error-reference/#runtime-${code}`;
const cases: Case[] = [
  {
    name: 'a component that throws in render',
    case: 'render',
    component: 'ThrowsInRender',
    info: reference(1),
    page: { errorEvents: 0, consoleErrors: 1, fallback: 0, pageErrors: 0 },
  },
  {
    name: 'a mounted hook that throws',
    case: 'mounted',
    component: 'ThrowsInMounted',
    info: reference('m'),
    page: { errorEvents: 0, consoleErrors: 1, fallback: 0, pageErrors: 0 },
  },
  {
    name: 'an event handler that throws',
    case: 'click',
    component: 'ThrowsOnClick',
    info: reference(5),
    page: { errorEvents: 0, consoleErrors: 1, fallback: 0, pageErrors: 0 },
  },
  {
    name: 'a watcher that throws',
    case: 'watcher',
    component: 'ThrowsInWatcher',
    info: reference(3),
    page: { errorEvents: 0, consoleErrors: 1, fallback: 0, pageErrors: 0 },
  },
  {
    name: "the app's own errorHandler is still called, and Vue does not log",
    case: 'render',
    ownHandler: true,
    component: 'ThrowsInRender',
    info: reference(1),
    page: { errorEvents: 0, consoleErrors: 0, fallback: 0, pageErrors: 0, ownHandler: 1 },
  },
];

const app = appRun('vue');
const { service, tag: tagOf } = app;

let observed: Record<string, unknown>;
beforeAll(async () => {
  observed = await observeAppPages({
    run: app,
    entry: new URL('apps/vue-app.js', import.meta.url),
    cases,
    endpoint: stack.urls.otlpTraces,
    configOf: (c: Case) => ({ case: c.case, ownHandler: c.ownHandler }),
    clickOf: (c: Case) => (c.case === 'click' ? '#boom' : undefined),
  });
}, 180_000);

describe('@faultline/vue in Chromium (Vue 3)', () => {
  for (const mode of ['esm', 'script-tag'] as const) {
    it(`${mode}: every case reported once, with the component and Vue's info`, async () => {
      const reports = await reportsOf(stack.urls.jaegerQuery, service(mode), cases.length);
      cases.forEach((c, i) => {
        const message = `${c.case} ${tagOf(mode, i)}`;
        const found = reports.filter((r) => r.message === message);
        expect(found, `${c.name}: one report of "${message}"`).toHaveLength(1);
        const tags = found[0]?.tags ?? {};
        expect(tags['faultline.mechanism'], c.name).toBe('vue');
        expect(tags['faultline.handled'], c.name).toBe(false);
        expect(tags['vue.component'], c.name).toBe(c.component);
        expect(tags['vue.info'], c.name).toBe(c.info);
      });
      expect(reports).toHaveLength(cases.length);
    });
  }

  cases.forEach((c, i) => {
    it(`the page observes the same with and without faultline: ${c.name}`, () => {
      expectSameWithAndWithout(observed, i, c.page);
    });
  });

  it('tree-shakes to nothing when imported and unused', async () => {
    expect((await bundleSnippet("import '@faultline/vue';")).trim()).toBe('');
  });
});
