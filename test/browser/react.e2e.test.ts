// @faultline/react in Chromium, with React 19 bundled by esbuild as an app would be (production build). A
// component throws in render, in an effect, in an event handler, and in render with no boundary above it.
// Each case runs three times: with faultline's ESM build (init()), with the script tag (the bundled
// @faultline/react reports through window.faultline), and without faultline. What the page observes (the
// boundary's fallback, error events, console.error calls) must be the same in all three, and each error
// must be in Jaeger exactly once, with its mechanism and the component stack.
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
  /** The app's case (react-app.jsx). */
  case: 'render' | 'effect' | 'click' | 'uncaught';
  rootOptions?: false;
  /** What the report says, when faultline is on the page. */
  mechanism: string;
  handled: boolean;
  message: (tag: string) => string;
  /** Components the component stack names (none for an event handler: React is not involved). */
  components: string[];
  /** What the page observes, with or without faultline: React's own behaviour. */
  page: { fallback: number; errorEvents: number; consoleErrors: number };
}

const cases: Case[] = [
  {
    name: 'a component that throws in render, under a boundary: the fallback, and the caught error reported',
    case: 'render',
    mechanism: 'react.caught',
    handled: true,
    message: (tag) => `render ${tag}`,
    components: ['ThrowsInRender', 'Shop'],
    page: { fallback: 1, errorEvents: 0, consoleErrors: 1 },
  },
  {
    name: 'the same without the root options: the boundary reports it',
    case: 'render',
    rootOptions: false,
    mechanism: 'react.error_boundary',
    handled: true,
    message: (tag) => `render ${tag}`,
    components: ['ThrowsInRender', 'Shop'],
    page: { fallback: 1, errorEvents: 0, consoleErrors: 1 },
  },
  {
    name: 'a component whose effect throws, under a boundary',
    case: 'effect',
    mechanism: 'react.caught',
    handled: true,
    message: (tag) => `effect ${tag}`,
    components: ['ThrowsInEffect'],
    page: { fallback: 1, errorEvents: 0, consoleErrors: 1 },
  },
  {
    name: 'an event handler that throws: the page error event, as without React integration',
    case: 'click',
    mechanism: 'onerror',
    handled: false,
    message: (tag) => `click ${tag}`,
    components: [],
    page: { fallback: 0, errorEvents: 1, consoleErrors: 0 },
  },
  {
    name: 'a render error no boundary catches: React 19 onUncaughtError, still reported to the page',
    case: 'uncaught',
    mechanism: 'react.uncaught',
    handled: false,
    message: (tag) => `uncaught ${tag}`,
    components: ['ThrowsInRender', 'Shop'],
    page: { fallback: 0, errorEvents: 1, consoleErrors: 0 },
  },
];

const app = appRun('react');
const { service, tag: tagOf } = app;

let observed: Record<string, unknown>;
beforeAll(async () => {
  observed = await observeAppPages({
    run: app,
    entry: new URL('apps/react-app.jsx', import.meta.url),
    cases,
    endpoint: stack.urls.otlpTraces,
    configOf: (c: Case) => ({ case: c.case, rootOptions: c.rootOptions }),
    clickOf: (c: Case) => (c.case === 'click' ? '#boom' : undefined),
  });
}, 180_000);

describe('@faultline/react in Chromium (React 19)', () => {
  for (const mode of ['esm', 'script-tag'] as const) {
    it(`${mode}: every case reported once, with its mechanism and component stack`, async () => {
      const reports = await reportsOf(stack.urls.jaegerQuery, service(mode), cases.length);
      cases.forEach((c, i) => {
        const message = c.message(tagOf(mode, i));
        const found = reports.filter((r) => r.message === message);
        expect(found, `${c.name}: one report of "${message}"`).toHaveLength(1);
        const tags = found[0]?.tags ?? {};
        expect(tags['faultline.mechanism'], c.name).toBe(c.mechanism);
        expect(tags['faultline.handled'], c.name).toBe(c.handled);
        const componentStack = tags['react.component_stack'];
        if (c.components.length === 0) expect(componentStack, c.name).toBeUndefined();
        for (const name of c.components) expect(componentStack, c.name).toMatch(new RegExp(`\\bat ${name}\\b`));
      });
      expect(reports).toHaveLength(cases.length);
    });
  }

  cases.forEach((c, i) => {
    it(`the page observes the same with and without faultline: ${c.name}`, () => {
      expectSameWithAndWithout(observed, i, { ...c.page, pageErrors: c.page.errorEvents });
    });
  });
});

describe('@faultline/react in a bundle', () => {
  const bundle = bundleSnippet;

  it('tree-shakes to nothing when imported and unused, and to the root options alone when only they are used', async () => {
    expect((await bundle("import '@faultline/react';")).trim()).toBe('');
    const rootOnly = await bundle("import { rootOptions } from '@faultline/react'; window.options = rootOptions();");
    expect(rootOnly).toContain('react.uncaught');
    expect(rootOnly).not.toContain('getDerivedStateFromError');
    expect(rootOnly).not.toContain('react.error_boundary');
  });
});
