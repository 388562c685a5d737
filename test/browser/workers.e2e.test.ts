// Errors thrown in Web Workers, in Chromium against the real collector and Jaeger. The page gets an ErrorEvent
// whose `error` is null (on the Worker, then on window): the report must still say the thrown type and
// message, with the event's location as its one frame. The body of a data: URL (the whole script) and the
// id of a blob: URL must never reach Jaeger, from a worker or from any other stack.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventOf, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpTraces: string; jaegerQuery: string } };
const run = Date.now() % 100000;
/** Written into each data: URL's body: it must not be anywhere in what Jaeger stored. */
const BODY_MARKER = 'token_in_the_url_body';

interface Case {
  name: string;
  /** Page script: starts the worker (or throws). `window.urls` lists URLs whose text must not reach Jaeger. */
  body: string;
  type: string;
  message: string;
  /** The whole `exception.stacktrace`. */
  stacktrace: RegExp;
}

const origin = PAGE_ORIGIN.replace(/[/.]/g, '\\$&');
const cases: Case[] = [
  {
    name: 'a worker from a blob: URL',
    body: `const url = URL.createObjectURL(new Blob(["function check() {\\n  throw new RangeError('from a blob worker');\\n}\\ncheck();"], { type: 'text/javascript' }));
window.urls = [url.slice(url.lastIndexOf('/') + 1)];
new Worker(url);`,
    type: 'RangeError',
    message: 'from a blob worker',
    stacktrace: new RegExp(`^RangeError: from a blob worker\\n    at <blob:${origin}>:2:9$`),
  },
  {
    name: 'a worker from a data: URL',
    body: `new Worker("data:text/javascript,const ${BODY_MARKER} = 1; throw new TypeError('from a data worker');");`,
    type: 'TypeError',
    message: 'from a data worker',
    stacktrace: /^TypeError: from a data worker\n {4}at <data:text\/javascript>:1:\d+$/,
  },
  {
    name: 'a worker from a same-origin file',
    body: "new Worker('/worker.js');",
    type: 'Error',
    message: 'from a same-origin worker',
    stacktrace: new RegExp(`^Error: from a same-origin worker\\n    at ${origin}/worker\\.js:3:9$`),
  },
  {
    name: 'a worker throwing null',
    body: 'new Worker(URL.createObjectURL(new Blob(["throw null;"])));',
    type: 'null',
    message: 'null',
    stacktrace: new RegExp(`^null: null\\n    at <blob:${origin}>:1:1$`),
  },
  {
    // Not a worker: a page script loaded from a data: URL, whose Error has a real stack of data: frames.
    name: 'a page script from a data: URL (every frame of every stack)',
    body: `const script = document.createElement('script');
script.src = "data:text/javascript,const ${BODY_MARKER} = 1; function boom() { throw new Error('from a data script'); } boom();";
document.head.appendChild(script);`,
    type: 'Error',
    message: 'from a data script',
    stacktrace:
      /^Error: from a data script\n {4}at boom \(<data:text\/javascript>:1:\d+\)\n {4}at <data:text\/javascript>:1:\d+$/,
  },
];

const page = (c: Case, i: number) => `<!doctype html><html><head>
<script src="/faultline.min.js" data-endpoint="${stack.urls.otlpTraces}" data-service-name="worker-${run}-${i}"></script>
</head><body><script>
window.urls = [];
${c.body}
</script></body></html>`;

let browser: Browser;
let server: { close(): Promise<unknown> };
beforeAll(async () => {
  server = await servePages({
    ...Object.fromEntries(cases.map((c, i) => [`/worker-${i}.html`, page(c, i)])),
    '/worker.js':
      "// a worker of the page's own\nfunction check() {\n  throw new Error('from a same-origin worker');\n}\ncheck();\n",
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('errors thrown in Web Workers', () => {
  cases.forEach((c, i) => {
    it(`${c.name}: the thrown type and message, one frame, no URL body`, async () => {
      const context = await browser.newContext();
      const tab = await context.newPage();
      await tab.goto(`${PAGE_ORIGIN}/worker-${i}.html`);
      await tab.waitForTimeout(500);
      const secrets = [BODY_MARKER, ...(await tab.evaluate(() => (window as unknown as { urls: string[] }).urls))];
      await flushAgent(tab);
      await context.close();
      const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, `worker-${run}-${i}`, 1);
      expect(spans, 'one report').toHaveLength(1);
      const event = eventOf(spans[0] as never) as Record<string, unknown>;
      expect(event).toMatchObject({ 'exception.type': c.type, 'exception.message': c.message });
      expect(String(event['exception.stacktrace'])).toMatch(c.stacktrace);
      const stored = JSON.stringify(spans[0]);
      for (const secret of secrets) expect(stored, `"${secret}" in Jaeger`).not.toContain(secret);
    });
  });
});
