// Classification (issue 13) as it reaches Jaeger: the shared vectors (packages/core/classification/
// vectors.json) reported by a real Node process and by the browser agent in Chromium, and the same inputs
// as another SDK would send them, classified by the collector's OTTL rules (transform/classify).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { makeError } from '../../packages/core/classification/make-error.mjs';
import { agentReady, flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, tagsOf, waitForExceptionSpans, waitForTrace } from '../support/jaeger.mjs';
import { agentEnv, REGISTER } from '../support/node.mjs';
import { attributes, exceptionSpan } from '../support/otlp.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; otlpTraces: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const run = Date.now() % 100000;

interface Vector {
  name: string;
  only?: 'node' | 'collector';
  error?: {
    class: string;
    name?: string;
    message: string;
    status?: number;
    statusCode?: number;
    response?: { status?: number; statusCode?: number };
  };
  thrown?: unknown;
  category: string;
  transient: boolean;
}
const { vectors } = JSON.parse(
  readFileSync(new URL('../../packages/core/classification/vectors.json', import.meta.url), 'utf8'),
) as { vectors: Vector[] };

type Span = { tags: { key: string; value: unknown }[]; logs: never[] };
const tags = (span: Span) => Object.fromEntries(span.tags.map((t) => [t.key, t.value]));

describe('classification in the agents, as stored in Jaeger', () => {
  it('a Node process: every vector, handled (warn); an app rule; the crash is fatal', async () => {
    const service = `classify-node-${run}`;
    const result = spawnSync(
      node,
      ['--require', `${REGISTER}.cjs`, resolve(__dirname, '../node/apps/classification.cjs')],
      {
        encoding: 'utf8',
        timeout: 30_000,
        env: agentEnv(stack.urls.otlpHttp, service),
      },
    );
    expect(result.status, result.stderr).toBe(1);
    const expected = vectors.filter((v) => v.only !== 'collector');
    // The app reports every vector (the collector's own too), the app rule's error and the crash.
    const spans = (await waitForExceptionSpans(stack.urls.jaegerQuery, service, vectors.length + 2, 20_000)) as Span[];
    const byMechanism = new Map(spans.map((s) => [String(tags(s)['faultline.mechanism']), tags(s)]));
    const got = expected.map((v) => [
      v.name,
      byMechanism.get(v.name)?.['faultline.category'],
      byMechanism.get(v.name)?.['faultline.transient'],
    ]);
    expect(got).toEqual(expected.map((v) => [v.name, v.category, v.transient]));
    for (const v of expected) expect(byMechanism.get(v.name)?.['faultline.severity']).toBe('warn');
    expect(byMechanism.get('manual')).toMatchObject({
      'faultline.category': 'validation',
      'faultline.severity': 'info',
    });
    expect(byMechanism.get('uncaughtException')).toMatchObject({
      'faultline.category': 'network',
      'faultline.transient': true,
      'faultline.severity': 'fatal',
      'faultline.handled': false,
    });
  }, 60_000);

  it.each([
    ['the default mode, where it ends the process', [], 1, 'fatal'],
    ['--unhandled-rejections=warn, where the process lives on', ['--unhandled-rejections=warn'], 0, 'error'],
  ])('an unhandled rejection in %s', async (_mode, flags, exitCode, severity) => {
    const service = `classify-rejection-${severity}-${run}`;
    const app = resolve(__dirname, '../node/apps/rejection-refused.cjs');
    const result = spawnSync(node, [...flags, '--require', `${REGISTER}.cjs`, app], {
      encoding: 'utf8',
      timeout: 30_000,
      env: agentEnv(stack.urls.otlpHttp, service),
    });
    expect(result.status, result.stderr).toBe(exitCode);
    const [span] = (await waitForExceptionSpans(stack.urls.jaegerQuery, service, 1, 20_000)) as Span[];
    expect(span && tags(span)).toMatchObject({
      'faultline.mechanism': 'unhandledRejection',
      'faultline.category': 'network',
      'faultline.severity': severity,
    });
  });

  it('the browser agent in Chromium: every vector, unhandled (error)', async () => {
    const service = `classify-web-${run}`;
    const expected = vectors.filter((v) => v.only === undefined);
    const maker = readFileSync(new URL('../../packages/core/classification/make-error.mjs', import.meta.url), 'utf8');
    const server = await servePages({
      '/make-error.js': maker.replace('export function', 'function'),
      '/classify.html': `<!doctype html><html><head>
        <script>window.faultlineConfig = { rateLimit: { burst: 200 } };</script>
        <script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="${service}"></script>
        <script src="/make-error.js"></script></head><body></body></html>`,
    });
    const browser = await launchChromium();
    try {
      const tab = await browser.newPage();
      await tab.goto(`${PAGE_ORIGIN}/classify.html`);
      await agentReady(tab);
      // Each vector's value rejected and left unhandled, one task apart, tagged with its place in the list.
      await tab.evaluate(async (list) => {
        const w = window as unknown as {
          faultline: { setContext(n: string, v: object): void };
          makeError(v: unknown): unknown;
        };
        for (const [index, vector] of list.entries()) {
          w.faultline.setContext('vector', { index });
          Promise.reject(w.makeError(vector));
          await new Promise((r) => setTimeout(r, 5));
        }
      }, expected);
      await flushAgent(tab);
    } finally {
      await browser.close();
      await server.close();
    }
    const spans = (await waitForExceptionSpans(stack.urls.jaegerQuery, service, expected.length, 20_000)) as Span[];
    const byIndex = new Map(spans.map((s) => [tags(s)['context.vector.index'], tags(s)]));
    const got = expected.map((v, i) => [
      v.name,
      byIndex.get(i)?.['faultline.category'],
      byIndex.get(i)?.['faultline.transient'],
    ]);
    expect(got).toEqual(expected.map((v) => [v.name, v.category, v.transient]));
    for (const i of expected.keys()) expect(byIndex.get(i)?.['faultline.severity']).toBe('error');
  });
});

describe("classification of other SDKs' exceptions, by the collector", () => {
  // What an SDK sends: a span with an `exception` event carrying the type and message; an HTTP client span
  // with the response status, where the error had one. Code rules are not the collector's (only: node).
  it('gives every vector the collector can see the category the agents give it', async () => {
    const service = `classify-sdk-${run}`;
    const sent = vectors
      .filter((v) => v.only !== 'node')
      .map((v) => {
        const value = makeError(v) as {
          name?: string;
          message?: string;
          status?: number;
          statusCode?: number;
          response?: { status?: number; statusCode?: number };
        } | null;
        const type = v.error
          ? (v.error.name ?? v.error.class)
          : typeof v.thrown === 'object'
            ? v.thrown === null
              ? 'null'
              : 'Object'
            : typeof v.thrown;
        const message = v.error
          ? v.error.message
          : String((v.thrown as { message?: string } | null)?.message ?? v.thrown);
        const status = value?.status ?? value?.statusCode ?? value?.response?.status ?? value?.response?.statusCode;
        const span = exceptionSpan({
          name: status ? 'GET' : 'work',
          resource: { 'service.name': service },
          event: {
            'exception.type': type,
            'exception.message': message,
            'exception.stacktrace': `${type}: ${message}`,
          },
        });
        const otlp = span.payload.resourceSpans[0].scopeSpans[0].spans[0];
        otlp.attributes = attributes(status ? { 'http.response.status_code': status } : {});
        if (status) otlp.kind = 3; // CLIENT
        return { vector: v, span };
      });
    const body = { resourceSpans: sent.flatMap(({ span }) => span.payload.resourceSpans) };
    const res = await fetch(stack.urls.otlpTraces, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.status).toBe(200);
    const stored = await Promise.all(sent.map(({ span }) => waitForTrace(stack.urls.jaegerQuery, span.traceId)));
    const got = sent.map(({ vector }, i) => {
      const t = tagsOf(stored[i]);
      return [vector.name, t['faultline.category'], t['faultline.transient']];
    });
    expect(got).toEqual(sent.map(({ vector }) => [vector.name, vector.category, vector.transient]));
    const first = tagsOf(stored[0]);
    expect(first['faultline.severity']).toBe('error');
    expect(first['error.type']).toBe(eventOf(stored[0].spans[0])?.['exception.type']);
  });
});
