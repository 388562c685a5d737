// The view end to end: the examples' errors sent by the real agents through the real collector into Jaeger
// (Badger), read by the view (its CLI), looked at in Chromium; state changes, a regression and its one
// alert; a restart of Jaeger and the view; the security rules.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { agentReady, flushAgent, launchChromium, PAGE_ORIGIN, servePages } from '../support/browser.mjs';
import { eventually, findTraces } from '../support/jaeger.mjs';
import { agentEnv, REGISTER } from '../support/node.mjs';
import { exceptionSpan } from '../support/otlp.mjs';
import { TEST_PORT_SHIFT } from '../support/ports.mjs';
import { startView } from '../support/view.mjs';

const stack = inject('stack' as never) as {
  urls: { otlpHttp: string; otlpTraces: string; jaegerQuery: string; control: string };
};
const root = resolve(__dirname, '../..');
const VIEW_PORT = 8090 + TEST_PORT_SHIFT;
const VIEW = `http://127.0.0.1:${VIEW_PORT}`;
const run = Date.now() % 100000;
const NODE_SERVICE = `view-node-${run}`;
const WEB_SERVICE = `view-web-${run}`;
const ARTIFACTS = resolve(__dirname, '../.artifacts');

type Issue = {
  id: string;
  title: string;
  events: number;
  status: string;
  culprit: string | null;
  services: string[];
  revision: number;
};

/** Runs an example app with the agent, as the demo does; resolves with its exit code. */
function runApp(file: string, release: string, preload: 'require' | 'import' = 'require'): Promise<number | null> {
  const args = preload === 'import' ? ['--import', `${REGISTER}.mjs`, file] : ['--require', `${REGISTER}.cjs`, file];
  const child = spawn(process.execPath, args, {
    env: agentEnv(stack.urls.otlpHttp, NODE_SERVICE, {
      OTEL_RESOURCE_ATTRIBUTES: `deployment.environment.name=production,service.version=${release}`,
    }),
    stdio: 'ignore',
  });
  return new Promise((r) => child.once('exit', (code) => r(code)));
}

async function issues(query = ''): Promise<Issue[]> {
  const res = await fetch(`${VIEW}/api/issues?status=&${query}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { issues: Issue[] }).issues;
}

/** Independently of the view: exception spans per fingerprint, as Jaeger holds them. */
async function jaegerGroups(service: string): Promise<Record<string, number>> {
  const groups: Record<string, number> = {};
  for (const trace of await findTraces(stack.urls.jaegerQuery, { service })) {
    for (const span of trace.spans as {
      operationName: string;
      tags: { key: string; value: unknown }[];
      logs: { fields: { key: string; value: unknown }[] }[];
    }[]) {
      if (span.operationName !== 'exception') continue;
      const fp = String(span.tags.find((t) => t.key === 'faultline.fingerprint')?.value);
      const event = span.logs
        .map((l) => Object.fromEntries(l.fields.map((f) => [f.key, f.value])))
        .find((e) => e.event === 'exception');
      groups[fp] = (groups[fp] ?? 0) + 1 + Number(event?.['faultline.duplicates'] ?? 0);
    }
  }
  return groups;
}

describe('the faultline view', () => {
  let browser: Browser;
  let hooks: Server;
  let hookUrl = '';
  const alerts: { event: string; url: string; issue: { id: string; title: string; frames: string[] } }[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'faultline-view-e2e-'));
  let view: Awaited<ReturnType<typeof startView>>;
  const viewArgs = () => [
    '--port',
    String(VIEW_PORT),
    '--jaeger',
    stack.urls.jaegerQuery,
    '--data',
    dataDir,
    '--poll-interval',
    '500ms',
    '--webhook',
    hookUrl,
  ];

  beforeAll(async () => {
    hooks = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        alerts.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;
    browser = await launchChromium();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await view?.stop();
    await browser?.close();
    hooks?.close();
  });

  it('shows how to send the first error when it has none', async () => {
    // The store is shared with the other suites: a backfill of one second reads nothing of theirs.
    const empty = await startView([
      '--port',
      String(VIEW_PORT),
      '--jaeger',
      stack.urls.jaegerQuery,
      '--data',
      mkdtempSync(join(tmpdir(), 'faultline-view-empty-')),
      '--backfill',
      '1s',
    ]);
    try {
      const page = await browser.newPage();
      await page.goto(`${empty.url}/`);
      await page.getByTestId('first-error').waitFor();
      expect(await page.getByTestId('first-error').textContent()).toMatch(
        /No errors yet.*node --require @faultline\/node\/register/s,
      );
      await page.close();
    } finally {
      await empty.stop();
    }
  });

  it('lists the examples’ errors grouped by fingerprint, as Jaeger holds them', async () => {
    view = await startView(viewArgs());
    expect(await runApp(join(root, 'examples/node-app/checkout.js'), '1.4.1')).toBe(1);
    expect(await runApp(join(root, 'examples/node-app/checkout.js'), '1.4.2')).toBe(1);
    expect(await runApp(join(root, 'examples/node-app/checkout.js'), '1.4.2')).toBe(1);
    expect(await runApp(join(root, 'examples/node-app/sync-job.mjs'), '1.4.2', 'import')).toBe(1);
    expect(await runApp(join(__dirname, 'apps/hostile-message.cjs'), '1.4.2')).toBe(1);
    // The web example with its script tag, in Chromium: a click handler's TypeError and a fetch rejection.
    const html = readFileSync(join(root, 'examples/web/index.html'), 'utf8')
      .replace('__ENDPOINT__', stack.urls.otlpTraces)
      .replace('demo-shop-web', WEB_SERVICE);
    const pages = await servePages({ '/': html });
    try {
      const tab = await browser.newPage();
      await tab.goto(`${PAGE_ORIGIN}/`);
      await agentReady(tab);
      await tab.click('#add');
      await tab.click('#pay');
      await tab.waitForTimeout(300);
      await flushAgent(tab);
      await tab.close();
    } finally {
      await pages.close();
    }
    const nodeIssues = await eventually(
      async () => {
        const list = await issues(`service=${NODE_SERVICE}`);
        return list.length >= 3 && list.reduce((n, i) => n + i.events, 0) >= 5 ? list : undefined;
      },
      { timeoutMs: 30_000, what: 'the node examples in the view' },
    );
    const groups = await jaegerGroups(NODE_SERVICE);
    expect(Object.fromEntries(nodeIssues.map((i) => [i.id, i.events]))).toEqual(groups);
    const checkout = nodeIssues.find((i) => i.title.startsWith('TypeError: Cannot read properties of undefined'))!;
    expect(checkout).toMatchObject({ events: 3, culprit: 'totalOf (node-app/checkout.js:4)' });
    const web = await eventually(
      async () => {
        const list = await issues(`service=${WEB_SERVICE}`);
        return list.length >= 2 ? list : undefined;
      },
      { timeoutMs: 30_000, what: 'the web example in the view' },
    );
    expect(web.map((i) => i.title).sort()).toEqual([
      'Error: recommendations failed with HTTP 404',
      "TypeError: Cannot read properties of undefined (reading 'factor')",
    ]);
  });

  it('is a page people can use: filter, open an issue, read its frames, breadcrumbs and tags', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    // The README's picture: the Node examples' issues (one of them with markup in its message).
    await page.goto(`${VIEW}/?service=${NODE_SERVICE}`);
    await page.waitForFunction(() => document.querySelectorAll('tr[data-issue]').length >= 3);
    await page.screenshot({ path: join(ARTIFACTS, 'view-list.png'), clip: { x: 0, y: 0, width: 1280, height: 400 } });
    await page.goto(`${VIEW}/`);
    await page.selectOption('select[name=service]', WEB_SERVICE);
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-issue]').length === n, 2);
    expect(page.url()).toContain(`service=${WEB_SERVICE}`);
    await page.fill('input[name=query]', 'factor');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-issue]').length === 1);
    await page.click('a.issue-link');
    await page.waitForSelector('.frame.in-app');
    const appFrames = await page.$$eval('.frame.in-app .loc', (els) => els.map((e) => e.textContent));
    expect(appFrames.length).toBeGreaterThan(0);
    expect(appFrames.every((f) => f?.startsWith(`${PAGE_ORIGIN}/`))).toBe(true);
    const crumbs = await page.getByTestId('breadcrumbs').textContent();
    expect(crumbs).toMatch(/click/);
    expect(crumbs).toMatch(/error.*TypeError/);
    expect(await page.$eval('.side', (el) => el.textContent)).toMatch(/Browser.*Chrome.*100%/s);
    await page.screenshot({ path: join(ARTIFACTS, 'view-issue.png'), clip: { x: 0, y: 0, width: 1280, height: 720 } });
    await page.click('button[role=tab]:text("Raw")');
    expect(await page.$eval('pre.raw-stack', (el) => el.textContent)).toMatch(
      /TypeError: Cannot read properties of undefined \(reading 'factor'\)\n\s+at HTMLButtonElement/,
    );
    expect(problems).toEqual([]);
    await page.close();
  });

  it('keeps "any status" across a reload, shows only the latest search, and keeps a merge id being typed', async () => {
    const all = await issues(`service=${NODE_SERVICE}`);
    const page = await browser.newPage();
    // The address the list writes for "any status", reloaded.
    await page.goto(`${VIEW}/?status=all&service=${NODE_SERVICE}`);
    await page.waitForFunction((n) => document.querySelectorAll('tr[data-issue]').length === n, all.length);
    expect(await page.$eval('select[name=status]', (el) => (el as HTMLSelectElement).value)).toBe('');
    // A slow answer to an earlier search must not replace the answer to the latest one.
    await page.route(/\/api\/issues\?.*query=zzz/, async (route) => {
      await new Promise((r) => setTimeout(r, 1500));
      await route.continue();
    });
    await page.fill('input[name=query]', 'zzz');
    await page.waitForTimeout(400); // a pause in the typing: the earlier search's request is on its way
    await page.fill('input[name=query]', 'totalOf');
    await page.waitForTimeout(2500);
    expect(await page.$$eval('tr[data-issue]', (rows) => rows.length)).toBe(1);
    // The issue page refreshes every 10 s: what is typed into the merge box stays, and keeps the focus.
    await page.click('a.issue-link');
    await page.waitForSelector('form.merge input');
    await page.click('form.merge input');
    await page.keyboard.type('deadbeef');
    await page.waitForTimeout(11_000);
    await page.keyboard.type('00');
    expect(await page.$eval('form.merge input', (el) => (el as HTMLInputElement).value)).toBe('deadbeef00');
    await page.close();
  });

  it('renders an error message as text: markup in it is inert', async () => {
    const hostile = (await issues(`service=${NODE_SERVICE}&query=onerror`))[0]!;
    expect(hostile.title).toBe('Error: <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>');
    const page = await browser.newPage();
    let dialogs = 0;
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    for (const path of [`/?query=onerror&service=${NODE_SERVICE}`, `/issues/${hostile.id}`]) {
      await page.goto(`${VIEW}${path}`);
      await page.waitForFunction(() => document.body.textContent?.includes('window.__pwned=1'));
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.$$eval('main img, main script', (els) => els.length)).toBe(0);
    }
    expect(dialogs).toBe(0);
    await page.close();
  });

  it('resolves an issue from the page; the same error again makes it regressed, with exactly one alert', async () => {
    const checkout = (await issues(`service=${NODE_SERVICE}&query=totalOf`))[0]!;
    const page = await browser.newPage();
    await page.goto(`${VIEW}/issues/${checkout.id}`);
    await page.click('button[data-action=resolved]');
    await page.waitForFunction(() => document.querySelector('[data-testid=status]')?.textContent === 'resolved');
    await page.close();
    expect((await issues(`query=totalOf&service=${NODE_SERVICE}`))[0]?.status).toBe('resolved');

    expect(await runApp(join(root, 'examples/node-app/checkout.js'), '1.4.2')).toBe(1);
    const regressed = await eventually(
      async () => {
        const issue = (await issues(`query=totalOf&service=${NODE_SERVICE}`))[0];
        return issue?.status === 'regressed' ? issue : undefined;
      },
      { timeoutMs: 30_000, what: 'the regression' },
    );
    expect(regressed.events).toBe(4);
    await new Promise((r) => setTimeout(r, 2000)); // a few more polls: still one alert
    const mine = alerts.filter((a) => a.issue.id === checkout.id);
    expect(mine.map((a) => a.event)).toEqual(['issue.new', 'issue.regressed']);
    expect(mine[1]?.issue.title).toBe(checkout.title);
    expect(mine[1]?.issue.frames.slice(0, 2)).toEqual([
      'totalOf (node-app/checkout.js:4)',
      'checkout (node-app/checkout.js:9)',
    ]);
    expect(mine[1]?.url).toBe(`${VIEW}/issues/${checkout.id}`);
  });

  it('keeps issues and their states across a restart of Jaeger and the view, and alerts nothing again', async () => {
    const before = await issues(`service=${NODE_SERVICE}`);
    const alertsBefore = alerts.length;
    await view.stop();
    expect((await fetch(`${stack.urls.control}/jaeger/stop`, { method: 'POST' })).status).toBe(204);
    expect((await fetch(`${stack.urls.control}/jaeger/start`, { method: 'POST' })).status).toBe(204);
    view = await startView(viewArgs());
    const after = await eventually(
      async () => {
        const list = await issues(`service=${NODE_SERVICE}`);
        return list.length === before.length ? list : undefined;
      },
      { timeoutMs: 30_000, what: 'the issues after the restart' },
    );
    const pick = (list: Issue[]) =>
      list
        .map(({ id, events, status, title }) => ({ id, events, status, title }))
        .sort((a, b) => (a.id < b.id ? -1 : 1));
    expect(pick(after)).toEqual(pick(before));
    await new Promise((r) => setTimeout(r, 1500));
    expect(alerts.length).toBe(alertsBefore);
  });

  it('walks an issue’s events, newest to oldest', async () => {
    const checkout = (await issues(`service=${NODE_SERVICE}&query=totalOf`))[0]!;
    const page = await browser.newPage();
    await page.goto(`${VIEW}/issues/${checkout.id}`);
    const shown = async () => (await page.waitForSelector('.event-bar code')).textContent();
    const seen = [await shown()];
    for (let i = 0; i < 3; i++) {
      await page.click('a[data-nav=older]');
      await page.waitForFunction(
        (prev) => document.querySelector('.event-bar code')?.textContent !== prev,
        seen.at(-1),
      );
      seen.push(await shown());
    }
    expect(new Set(seen).size).toBe(4);
    expect(page.url()).toMatch(new RegExp(`/issues/${checkout.id}/events/[0-9a-f]{32}/${seen.at(-1)}$`));
    expect(await page.$('a[data-nav=older]')).toBeNull(); // the oldest: nothing older
    await page.click('a[data-nav=newest]');
    await page.waitForFunction((first) => document.querySelector('.event-bar code')?.textContent === first, seen[0]);
    await page.close();
  });

  it('shows what the agents lost on the way, with the counts', async () => {
    const service = `view-lost-${run}`;
    const { payload } = exceptionSpan({
      resource: { 'service.name': service },
      attributes: { 'faultline.fingerprint': 'feedfacefeedface', 'faultline.queue.dropped': 3, 'faultline.refused': 2 },
      event: { 'faultline.fingerprint': 'feedfacefeedface', 'faultline.dropped': 4 },
    });
    // The list is open before the service first reports: its filter gets the new service all the same.
    const page = await browser.newPage();
    await page.goto(`${VIEW}/`);
    await page.waitForSelector('tr[data-issue]');
    const res = await fetch(stack.urls.otlpTraces, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(res.status).toBe(200);
    const lost = await eventually(
      async () => {
        const body = (await (await fetch(`${VIEW}/api/issues?service=${service}`)).json()) as {
          lost: Record<string, { services: Record<string, number> }>;
        };
        return body.lost['faultline.queue.dropped']?.services[service] ? body.lost : undefined;
      },
      { timeoutMs: 20_000, what: 'the losses in the view' },
    );
    expect([
      lost['faultline.queue.dropped']?.services[service],
      lost['faultline.refused']?.services[service],
      lost['faultline.dropped']?.services[service],
    ]).toEqual([3, 2, 4]);
    await page.waitForSelector(`select[name=service] option[value="${service}"]`, { state: 'attached' });
    const banner = page.getByTestId('lost');
    await banner.click();
    expect(await banner.textContent()).toMatch(
      new RegExp(`\\d+ dropped: the agent’s queue was full faultline\\.queue\\.dropped \\(.*${service}: 3`),
    );
    await page.close();
  });

  it("lists other SDKs' exceptions as issues, once the collector component marked them", async () => {
    const service = `view-otel-js-${run}`;
    // As the OpenTelemetry JS SDK's recordException leaves it: an HTTP span with an exception event, nothing of faultline.
    const { payload } = exceptionSpan({
      name: 'GET /orders/:id',
      resource: { 'service.name': service, 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'nodejs' },
      attributes: { 'http.request.method': 'GET' },
      event: {
        'exception.type': 'TypeError',
        'exception.message': 'order.total is undefined',
        'exception.stacktrace': 'TypeError: order.total is undefined\n    at priceOf (/srv/catalog/src/price.js:9:11)',
      },
    });
    expect(
      (
        await fetch(stack.urls.otlpTraces, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        })
      ).status,
    ).toBe(200);
    const listed = await eventually(
      async () => {
        const list = await issues(`service=${service}`);
        return list.length > 0 ? list : undefined;
      },
      { timeoutMs: 20_000, what: "the other SDK's exception in the view" },
    );
    expect(listed.map((i) => [i.title, i.events, i.culprit])).toEqual([
      ['TypeError: order.total is undefined', 1, 'priceOf (src/price.js:9)'],
    ]);
  });

  it('ships the official Jaeger UI a menu entry and links into the view', async () => {
    const ui = await (await fetch(`${stack.urls.jaegerQuery}/search`)).text();
    expect(ui).toContain('faultline issues');
    expect(ui).toContain('/issues/#{faultline.fingerprint}');
  });

  it('takes a state change only from its own origin, and only for a Host naming it', async () => {
    const checkout = (await issues(`service=${NODE_SERVICE}&query=totalOf`))[0]!;
    const post = (headers: Record<string, string>, body: unknown = { status: 'ignored' }) =>
      fetch(`${VIEW}/api/issues/${checkout.id}/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    expect((await post({ origin: 'http://evil.example' })).status).toBe(403);
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ 'content-type': 'text/plain' })).status).toBe(403);
    expect((await post({}, { status: 'nope' })).status).toBe(400);
    expect((await post({}, { status: 'ignored', revision: checkout.revision + 5 })).status).toBe(409);
    // fetch() will not send another Host; node:http will, as a DNS-rebinding page's requests would carry.
    const rebound = await new Promise<number | undefined>((r) =>
      request(`${VIEW}/api/issues`, { headers: { host: `attacker.example:${VIEW_PORT}` } }, (res) => {
        res.resume();
        r(res.statusCode);
      }).end(),
    );
    expect(rebound).toBe(421);
    const page = await fetch(`${VIEW}/`);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'; script-src 'self'/);
    expect((await issues(`service=${NODE_SERVICE}&query=totalOf`))[0]?.status).toBe('regressed');
  });

  it('with a token, refuses the page and the API without it', async () => {
    const token = 'test-token-0123456789abcdef';
    const guarded = await startView([
      '--port',
      String(VIEW_PORT + 1),
      '--jaeger',
      stack.urls.jaegerQuery,
      '--data',
      mkdtempSync(join(tmpdir(), 'faultline-view-token-')),
      '--token',
      token,
    ]);
    try {
      expect((await fetch(`${guarded.url}/api/issues`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/`)).status).toBe(401);
      expect((await fetch(`${guarded.url}/api/issues`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(
        200,
      );
      const login = await fetch(`${guarded.url}/?token=${token}`, { redirect: 'manual' });
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/');
      const cookie = login.headers.get('set-cookie')!;
      expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
      expect((await fetch(`${guarded.url}/api/issues`, { headers: { cookie: cookie.split(';')[0]! } })).status).toBe(
        200,
      );
    } finally {
      await guarded.stop();
    }
  });

  it('sends the Jaeger UI’s trace link to the event', async () => {
    const checkout = (await issues(`service=${NODE_SERVICE}&query=totalOf`))[0]!;
    const detail = (await (await fetch(`${VIEW}/api/issues/${checkout.id}`)).json()) as {
      events: { traceId: string; spanId: string }[];
    };
    const { traceId, spanId } = detail.events[0]!;
    const res = await fetch(`${VIEW}/traces/${traceId}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`/issues/${checkout.id}/events/${traceId}/${spanId}`);
  });

  afterAll(() => {
    // README pictures: refreshed on request, so that a test run leaves the tree as it was.
    if (process.env.FAULTLINE_UPDATE_SCREENSHOTS === '1')
      for (const name of ['view-list.png', 'view-issue.png'])
        copyFileSync(join(ARTIFACTS, name), join(root, 'packages/view/docs', name));
  });
});
