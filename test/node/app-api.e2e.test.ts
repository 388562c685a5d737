// The Node agent's API (init, setUser, setContext, setTag, captureException) called with hostile arguments:
// nothing is thrown back into the app, the agent keeps working, and the reports keep what was usable.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { eventOf, waitForExceptionSpans } from '../support/jaeger.mjs';
import { agentEnv, REGISTER } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;

describe('@faultline/node API with hostile arguments', () => {
  it('throws nothing back, says what it ignored, and reports with what was usable', async () => {
    const service = `hostile-api-${Date.now() % 100000}`;
    const run = spawnSync(node, ['--require', `${REGISTER}.cjs`, resolve(__dirname, 'apps/hostile-api.cjs')], {
      encoding: 'utf8',
      timeout: 20_000,
      env: agentEnv(stack.urls.otlpHttp, service),
    });
    // Node's own crash, unchanged: the app's error, exit code 1.
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).toMatch(/TypeError: hostile api: none threw/);
    // init() names what it could not use.
    expect(run.stderr).toMatch(/faultline: init\(\) option endpoint could not be read; ignoring it/);
    expect(run.stderr).toMatch(/faultline: init\(\) takes an object of options, not number; ignoring it/);

    const spans = (await waitForExceptionSpans(stack.urls.jaegerQuery, service, 2, 15_000)) as {
      tags: { key: string; value: unknown }[];
    }[];
    expect(spans).toHaveLength(2);
    const byMessage = Object.fromEntries(spans.map((s) => [String(eventOf(s as never)?.['exception.message']), s]));
    expect(Object.keys(byMessage).sort()).toEqual(['handled, with a hostile context', 'hostile api: none threw']);
    const crash = byMessage['hostile api: none threw'] as { tags: { key: string; value: unknown }[] };
    const tags = Object.fromEntries(crash.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({
      'user.id': '7',
      'context.cart.items': 2,
      tier: 'gold',
      'faultline.mechanism': 'uncaughtException',
    });
    expect(tags['user.email']).toBeUndefined();
    expect(tags['context.cart.coupon']).toBeUndefined();
  });
});
