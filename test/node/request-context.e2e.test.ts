// The request in flight rides on the uncaught errors and rejections that happen while it is (Node's
// http.server.request.start channel and AsyncLocalStorage): a rejection while a request waits, a crash
// mid-request (exit code and stderr those of plain node); a rejection outside any request, or after the
// request was answered, carries no request. In a framework, the rejection also carries the route the
// framework matched (http.route) and, under an Express router mounted at a prefix, the path the client asked for.
// These run with FAULTLINE_REQUEST_CONTEXT=true, on each Node; the last one checks the default (`auto`): the
// request where AsyncLocalStorage runs on AsyncContextFrame (Node 24), none where it runs on async hooks.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:http2';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { eventOf, tagsOf, waitForExceptionSpans } from '../support/jaeger.mjs';
import { agentEnv, comparablePrinted, packageDir, REGISTER, resolveModule, startServer } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const children: { kill: (s: string) => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** The agent's environment with the request context asked for (the default decides by Node: see the end). */
const withContext = (service: string, extra: Record<string, string> = {}) =>
  agentEnv(stack.urls.otlpHttp, service, { FAULTLINE_REQUEST_CONTEXT: 'true', ...extra });

/** Runs the app through its three requests (the last one ends it); resolves with what it printed. */
async function run(service: string, preload: boolean, env = withContext(service)) {
  const args = [
    ...(preload ? ['--require', `${REGISTER}.cjs`] : []),
    '--unhandled-rejections=warn',
    resolve(__dirname, 'apps/request-crash.cjs'),
  ];
  const app = await startServer(node, args, env, children);
  const headers = { 'user-agent': 'e2e-agent/1.0' };
  const answers = [
    await (await fetch(`${app.url}/reject?token=s3cret`, { headers })).text(),
    await (await fetch(`${app.url}/answered`, { headers })).text(),
  ];
  await new Promise((r) => setTimeout(r, 100)); // the rejection after the answer
  const crash = await fetch(`${app.url}/crash?id=7`, { headers }).then(
    () => 'answered',
    () => 'no answer',
  );
  const { stdout, stderr, code } = await app.exited;
  // Node's warnings name the pid.
  return { answers, crash, stdout, stderr: stderr.replace(/\(node:\d+\)/g, '(node:PID)'), code };
}

describe('the request in flight', () => {
  it('is on the errors and rejections that happen while it is, and only those; a crash exits as plain node', async () => {
    const service = `request-context-${Date.now() % 100000}`;
    const [withIt, plain] = await Promise.all([run(service, true), run(`${service}-plain`, false)]);
    expect(withIt).toEqual(plain);
    expect(withIt.code).toBe(1);
    expect(withIt.crash).toBe('no answer');
    expect(withIt.stderr).toContain('Error: crashed mid-request');

    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 4, 20_000);
    const byMessage = Object.fromEntries(
      spans.map((s: never) => [
        String(eventOf(s)?.['exception.message']),
        tagsOf({ processes: {}, spans: [s] } as never),
      ]),
    );
    expect(Object.keys(byMessage).sort()).toEqual([
      'crashed mid-request',
      'rejected after the answer',
      'rejected outside any request',
      'rejected while in flight',
    ]);
    const request = (path: string) => ({
      'http.request.method': 'GET',
      'url.path': path,
      'user_agent.original': 'e2e-agent/1.0',
    });
    expect(byMessage['rejected while in flight']).toMatchObject({
      ...request('/reject'),
      'faultline.mechanism': 'unhandledRejection',
    });
    expect(byMessage['crashed mid-request']).toMatchObject({
      ...request('/crash'),
      'faultline.mechanism': 'uncaughtException',
      'faultline.severity': 'fatal',
    });
    for (const message of ['rejected after the answer', 'rejected outside any request'])
      expect(byMessage[message]).not.toHaveProperty('url.path');
  });
});

/** in-flight-route.cjs under the preload (or, `plain`, without it), with the request context on; unhandled
 * rejections only warn. */
function startInFlightApp(service: string, env: Record<string, string>, plain = false) {
  const args = [
    ...(plain ? [] : ['--require', `${REGISTER}.cjs`]),
    '--unhandled-rejections=warn',
    resolve(__dirname, 'apps/in-flight-route.cjs'),
  ];
  return startServer(node, args, withContext(service, env), children);
}

/** What a stopped app printed, ready to compare with plain node's (Node's warnings name the pid). */
const printedOf = (out: { stdout: string; stderr: string; code: number | null }) =>
  comparablePrinted({ ...out, stderr: out.stderr.replace(/\(node:\d+\)/g, '(node:PID)') });

describe('the request in flight in a framework', () => {
  it.each([
    ['Express 5', 'express', packageDir('express'), '/api/orders/:id', {}],
    ['Express 4', 'express', packageDir('express4'), '/api/orders/:id', {}],
    ['Koa 3', 'koa', resolveModule('koa'), '/api/orders/:id', { KOA_ROUTER_MODULE: resolveModule('@koa/router') }],
    ['Fastify 5', 'fastify', resolveModule('fastify'), '/api/orders/:id', {}],
    ['hapi 21', 'hapi', packageDir('@hapi/hapi'), '/api/orders/{id}', {}],
  ])(
    '%s gives the rejection its route and the path the client asked for',
    async (_name, framework, module, route, env) => {
      const service = `in-flight-${framework}-${Date.now() % 1000000}`;
      const app = await startInFlightApp(service, { FRAMEWORK: framework, FRAMEWORK_MODULE: module, ...env });
      const res = await fetch(`${app.url}/api/orders/42?token=s3cret`, { headers: { 'user-agent': 'e2e-agent/1.0' } });
      expect(await res.text()).toBe('answered after the rejection\n');
      const [span] = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 1, 20_000);
      await app.stop();
      expect(tagsOf({ processes: {}, spans: [span] } as never)).toMatchObject({
        'faultline.mechanism': 'unhandledRejection',
        'http.request.method': 'GET',
        'http.route': route,
        'url.path': '/api/orders/42', // Express: originalUrl (the router's req.url is /42); the query left out
        'user_agent.original': 'e2e-agent/1.0',
      });
    },
  );
});

/** GETs `path` over HTTP/2 without TLS; resolves with the answer's status, headers (`date` left out) and body. */
function http2Get(base: string, path: string): Promise<{ status: unknown; headers: object; body: string }> {
  return new Promise((resolvePromise, reject) => {
    const session = connect(base);
    session.on('error', reject);
    const req = session.request({ ':path': path, 'user-agent': 'e2e-agent/1.0' });
    let head: Record<string, unknown> = {};
    req.on('response', (headers) => {
      const { date: _date, ...rest } = headers;
      head = rest;
    });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      session.close();
      const { ':status': status, ...headers } = head;
      resolvePromise({ status, headers, body });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the request in flight over HTTP/2', () => {
  // Node 22 and 24 publish each stream an HTTP/2 server takes (http2.server.stream.start); Node 20 does not.
  const major = Number(execFileSync(node, ['-p', 'process.versions.node']).toString().split('.')[0]);
  it.each([
    ['Koa 3', 'koa', resolveModule('koa'), { KOA_ROUTER_MODULE: resolveModule('@koa/router') }],
    ['Fastify 5', 'fastify', resolveModule('fastify'), {}],
  ])(
    '%s: the rejection carries the request where Node publishes HTTP/2 streams',
    async (_name, framework, module, env) => {
      const service = `in-flight-h2-${framework}-${Date.now() % 1000000}`;
      const appEnv = { FRAMEWORK: framework, FRAMEWORK_MODULE: module, HTTP2: '1', ...env };
      // The h2c path under the agent answers and prints as it does under plain node.
      const plain = await startInFlightApp(`${service}-plain`, appEnv, true);
      const app = await startInFlightApp(service, appEnv);
      const path = '/api/orders/42?token=s3cret';
      const [answer, plainAnswer] = [await http2Get(app.url, path), await http2Get(plain.url, path)];
      expect(answer.body).toBe('answered after the rejection\n');
      expect(answer).toEqual(plainAnswer);
      const [span] = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 1, 20_000);
      const [agentPrinted, plainPrinted] = [printedOf(await app.stop()), printedOf(await plain.stop())];
      expect(agentPrinted.stderr).toContain('UnhandledPromiseRejectionWarning: RangeError: rejected in flight');
      expect(agentPrinted).toEqual(plainPrinted);
      const tags = tagsOf({ processes: {}, spans: [span] } as never);
      expect(tags).toMatchObject({ 'faultline.mechanism': 'unhandledRejection' });
      if (major >= 22)
        expect(tags).toMatchObject({
          'http.request.method': 'GET',
          'http.route': '/api/orders/:id',
          'url.path': '/api/orders/42',
          'user_agent.original': 'e2e-agent/1.0',
        });
      else expect(tags).not.toHaveProperty('url.path');
    },
  );
});

describe('the request in flight over HTTPS', () => {
  it("Koa 3 on Node's https server: the HTTP/1 channel, the same request as over plain HTTP", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-tls-'));
    const service = `in-flight-https-${Date.now() % 1000000}`;
    let span: unknown;
    try {
      const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
      const subject = ['-subj', '/CN=127.0.0.1', '-keyout', key, '-out', cert];
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', ...subject], {
        stdio: 'ignore',
      });
      const appEnv = {
        FRAMEWORK: 'koa',
        FRAMEWORK_MODULE: resolveModule('koa'),
        KOA_ROUTER_MODULE: resolveModule('@koa/router'),
        TLS_KEY: key,
        TLS_CERT: cert,
      };
      const app = await startInFlightApp(service, appEnv);
      const plain = await startInFlightApp(`${service}-plain`, appEnv, true);
      /** The answer's status and body, over TLS. */
      const answerOf = (base: string) =>
        new Promise<string>((resolveBody, reject) =>
          httpsGet(
            `${base.replace('http:', 'https:')}/api/orders/42?token=s3cret`,
            { rejectUnauthorized: false, headers: { 'user-agent': 'e2e-agent/1.0' } },
            (res) => {
              let text = `${res.statusCode} ${res.headers['content-type']} `;
              res.setEncoding('utf8').on('data', (chunk) => (text += chunk));
              res.on('end', () => resolveBody(text));
            },
          ).on('error', reject),
        );
      const answer = await answerOf(app.url);
      expect(answer).toBe('200 text/plain; charset=utf-8 answered after the rejection\n');
      expect(answer).toBe(await answerOf(plain.url));
      [span] = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 1, 20_000);
      // Under the agent, the https server prints what it prints under plain node.
      const [agentPrinted, plainPrinted] = [printedOf(await app.stop()), printedOf(await plain.stop())];
      expect(agentPrinted.stderr).toContain('UnhandledPromiseRejectionWarning: RangeError: rejected in flight');
      expect(agentPrinted).toEqual(plainPrinted);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(tagsOf({ processes: {}, spans: [span] } as never)).toMatchObject({
      'faultline.mechanism': 'unhandledRejection',
      'http.request.method': 'GET',
      'http.route': '/api/orders/:id',
      'url.path': '/api/orders/42',
      'user_agent.original': 'e2e-agent/1.0',
    });
  });
});

describe("the request in flight in Fastify's other route shapes", () => {
  it('finds the template of each from the path, when the error needs it', async () => {
    const service = `in-flight-fastify-shapes-${Date.now() % 1000000}`;
    const app = await startInFlightApp(service, { FRAMEWORK: 'fastify', FRAMEWORK_MODULE: resolveModule('fastify') });
    const routes: Record<string, string> = {
      '/api/orders/42/lines/3': '/api/orders/:id/lines/:line',
      '/api/orders/files/a/b%20c.txt': '/api/orders/files/*',
      '/api/orders/near/1.5-2.5': '/api/orders/near/:lat-:lng',
      '/api/orders/numbered/7': '/api/orders/numbered/:n(^\\d+)',
      '/api/orders/UPPER/9': '/api/orders/Upper/:id',
      '/api/orders//43//lines//4': '/api/orders/:id/lines/:line',
      '/api/orders/verb:cancel': '/api/orders/verb::cancel',
      '/api/orders/v2/5': '/api/orders/v2/:id',
    };
    for (const path of Object.keys(routes)) expect((await fetch(`${app.url}${path}`)).status).toBe(200);
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 8, 20_000);
    await app.stop();
    const found = Object.fromEntries(
      spans.map((s: never) => {
        const tags = tagsOf({ processes: {}, spans: [s] } as never);
        return [String(tags['url.path']), tags['http.route']];
      }),
    );
    expect(found).toEqual(routes);
  });
});

describe('the request in flight by default', () => {
  const major = Number(execFileSync(node, ['-p', 'process.versions.node']).toString().split('.')[0]);
  /** The crash's attributes when the app runs with `nodeOptions` and the agent's defaults. */
  async function crashTags(nodeOptions: string) {
    const service = `request-context-auto-${Date.now() % 100000}`;
    const env = agentEnv(stack.urls.otlpHttp, service, nodeOptions ? { NODE_OPTIONS: nodeOptions } : {});
    const printed = await run(service, true, env);
    expect(printed.code).toBe(1);
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 4, 20_000);
    const crash = spans.find((s: never) => eventOf(s)?.['exception.message'] === 'crashed mid-request');
    expect(crash).toBeDefined();
    return tagsOf({ processes: {}, spans: [crash] } as never);
  }

  it('is on where AsyncLocalStorage runs on AsyncContextFrame (Node 24), off on async hooks (Node 20, 22)', async () => {
    const tags = await crashTags('');
    if (major >= 24) expect(tags).toMatchObject({ 'url.path': '/crash', 'http.request.method': 'GET' });
    else expect(tags).not.toHaveProperty('url.path');
  });

  it.runIf(major === 22)('is on for Node 22 with --experimental-async-context-frame', async () => {
    expect(await crashTags('--experimental-async-context-frame')).toMatchObject({ 'url.path': '/crash' });
  });

  it.runIf(major >= 24)('is off on Node 24 with --no-async-context-frame (async hooks again)', async () => {
    expect(await crashTags('--no-async-context-frame')).not.toHaveProperty('url.path');
  });
});
