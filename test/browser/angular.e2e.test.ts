// @faultline/angular in Chromium, with Angular bundled by esbuild (JIT, zoneless, development mode). A
// component throws in a template binding, in ngOnInit and in an event handler. Each case runs with
// faultline's ESM build, with the script tag, and without faultline (Angular's own ErrorHandler): what the
// page observes must be the same, and each error must be in Jaeger once, as Angular's.
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
  case: 'binding' | 'init' | 'click';
  /** What the page observes, with or without faultline: Angular's own behaviour. */
  page: Record<string, number>;
}

const logged = { errorEvents: 0, consoleErrors: 1, fallback: 0, pageErrors: 0 };
const cases: Case[] = [
  { name: 'a template binding that throws', case: 'binding', page: logged },
  { name: 'ngOnInit that throws', case: 'init', page: logged },
  { name: 'an event handler that throws', case: 'click', page: logged },
];

const app = appRun('angular');
const { service, tag: tagOf } = app;

let observed: Record<string, unknown>;
beforeAll(async () => {
  observed = await observeAppPages({
    run: app,
    entry: new URL('apps/angular-app.js', import.meta.url),
    cases,
    endpoint: stack.urls.otlpTraces,
    configOf: (c: Case) => ({ case: c.case }),
    clickOf: (c: Case) => (c.case === 'click' ? '#boom' : undefined),
  });
}, 180_000);

describe('@faultline/angular in Chromium (Angular 22)', () => {
  for (const mode of ['esm', 'script-tag'] as const) {
    it(`${mode}: every case reported once, as Angular's`, async () => {
      const reports = await reportsOf(stack.urls.jaegerQuery, service(mode), cases.length);
      cases.forEach((c, i) => {
        const message = `${c.case} ${tagOf(mode, i)}`;
        const found = reports.filter((r) => r.message === message);
        expect(found, `${c.name}: one report of "${message}"`).toHaveLength(1);
        expect(found[0]?.tags['faultline.mechanism'], c.name).toBe('angular');
        expect(found[0]?.tags['faultline.handled'], c.name).toBe(false);
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
    expect((await bundleSnippet("import '@faultline/angular';")).trim()).toBe('');
  });
});
