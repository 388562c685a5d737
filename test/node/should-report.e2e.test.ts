// init({ shouldReport }) with every framework the agent hooks (Express 5 and 4 through the final handler and
// through expressErrorHandler, Connect through expressErrorHandler, Fastify 5, Koa 3, hapi 21, NestJS 11 on
// both adapters): a predicate that says the opposite of the default gets a 4xx reported and a 5xx skipped; a
// predicate that throws leaves the default decision, each failure counted in faultline.should_report.failed
// on the reports and the first one said once on stderr. Whatever the predicate does, the app answers and
// prints what it does under plain node (faultline's one warning line aside).
import { resolve } from 'node:path';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { reportsOf } from '../support/jaeger.mjs';
import {
  agentEnv,
  answersOf,
  comparablePrinted,
  packageDir,
  REGISTER,
  resolveModule,
  startServer,
} from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const children: { kill: (s: string) => void }[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

interface Case {
  name: string;
  framework: string;
  app: string;
  env: Record<string, string>;
  /** The errors answered with a 4xx (and those not reported at all) first, a reported 5xx last: the
   * counter of a failing predicate rides on the next report that goes out. */
  routes: string[];
  /** What is reported by default (and with a throwing predicate). */
  fiveHundreds: string[];
  /** What the inverted predicate reports: the errors answered with a 4xx. */
  fourHundreds: string[];
  /** How many errors the predicate is asked about. */
  asked: number;
}

const CASES: Case[] = [
  ...['express', 'express4'].map((pkg) => ({
    name: `${pkg === 'express' ? 'Express 5' : 'Express 4'}, the final handler (the preload alone)`,
    framework: 'express',
    app: 'express-app.cjs',
    env: { EXPRESS_MODULE: packageDir(pkg), FAULTLINE_HANDLER: '0', NODE_ENV: 'production' },
    routes: ['/not-found', '/answered', '/nowhere', '/reject', '/throw', '/orders/42'],
    // /reject is answered by the app's own error handler (503): it never reaches the final handler.
    fiveHundreds: ['order 42 has no total', 'sync route failed'],
    fourHundreds: ['no such thing'],
    asked: 3,
  })),
  {
    name: 'Express 5, expressErrorHandler() (init’s predicate)',
    framework: 'express',
    app: 'express-app.cjs',
    env: { EXPRESS_MODULE: packageDir('express'), FAULTLINE_HANDLER: '1', NODE_ENV: 'production' },
    routes: ['/not-found', '/answered', '/nowhere', '/reject', '/throw', '/orders/42'],
    fiveHundreds: ['async route failed', 'order 42 has no total', 'sync route failed'],
    fourHundreds: ['no such thing'],
    asked: 4,
  },
  {
    name: 'Connect 3, expressErrorHandler()',
    framework: 'express',
    app: 'connect-app.cjs',
    env: { CONNECT_MODULE: packageDir('connect'), FAULTLINE_HANDLER: '1', NODE_ENV: 'production' },
    routes: ['/not-found', '/answered', '/nowhere', '/reject', '/throw'],
    fiveHundreds: ['async route failed', 'sync route failed'],
    fourHundreds: ['no such thing'],
    asked: 3,
  },
  {
    name: 'Fastify 5',
    framework: 'fastify',
    app: 'fastify-app.cjs',
    env: { FASTIFY_MODULE: resolveModule('fastify') },
    // The failed schema is an error Fastify answers (400), so the predicate is asked about it; the unknown
    // route is not an error.
    routes: ['/not-found', '/answered', '/validated', '/nowhere', '/throw', '/reject', '/orders/42'],
    fiveHundreds: ['async route failed', 'order 42 has no total', 'sync route failed'],
    fourHundreds: ['no such thing', "querystring must have required property 'q'"],
    asked: 5,
  },
  {
    name: 'Koa 3',
    framework: 'koa',
    app: 'koa-app.cjs',
    env: { KOA_MODULE: resolveModule('koa'), KOA_ROUTER_MODULE: resolveModule('@koa/router') },
    routes: [
      '/not-found',
      '/exposed',
      '/answered',
      '/caught',
      '/nowhere',
      '/throw',
      '/reject',
      '/unavailable',
      '/orders/42',
    ],
    fiveHundreds: ['async route failed', 'down for maintenance', 'order 42 has no total', 'sync route failed'],
    fourHundreds: ['bad input', 'no such thing'],
    asked: 6,
  },
  {
    name: 'hapi 21',
    framework: 'hapi',
    app: 'hapi-app.cjs',
    env: { HAPI_MODULE: packageDir('@hapi/hapi') },
    // A 503 is not reported by default (hapi logs a 500 only), nor by the inverted predicate (not a 4xx);
    // hapi answers an unknown route with an error of its own (Boom's 404 "Not Found").
    routes: ['/not-found', '/answered', '/nowhere', '/unavailable', '/throw', '/reject', '/orders/42'],
    fiveHundreds: ['async route failed', 'order 42 has no total', 'sync route failed'],
    fourHundreds: ['Not Found', 'no such thing'],
    asked: 6,
  },
  ...['express', 'fastify'].map((adapter) => ({
    name: `NestJS 11 on its ${adapter} adapter`,
    framework: 'nestjs',
    app: 'nest-app.cjs',
    env: { NO_COLOR: '1', NEST_ADAPTER: adapter },
    // Nest answers an unknown route with its own NotFoundException, through its filter too. The adapter's
    // hook error meets Fastify's onError and then Nest's filter (on Fastify): the predicate is asked once.
    // Fastify's own 415 for a body it cannot parse meets onError and Nest's filter too (Nest answers it with
    // an HttpException of its own: another object), and is decided once, by Nest; on Express it is a 201.
    // A failure of the predicate is counted on the reports after it: the last route is one reported.
    routes: ['/hook-failed', 'POST /orders', '/not-found', '/nowhere', '/unavailable', '/reject', '/orders/42'],
    fiveHundreds: ['async route failed', 'down for maintenance', 'hook failed', 'order 42 has no total'],
    fourHundreds: [
      'Cannot GET /nowhere',
      ...(adapter === 'fastify' ? ['Unsupported Media Type'] : []),
      'no such thing',
    ],
    asked: adapter === 'fastify' ? 7 : 6,
  })),
];

const WARNING =
  /^faultline: shouldReport threw Error: predicate bug; the default decision was taken \(report what the framework answered with a 5xx; hapi: a 500\)\. Said once: later failures are counted in faultline\.should_report\.failed\n/m;

/** What an app printed, ready to compare: without Node's scheduler frames, Nest's pid and time. */
const comparable = (printed: { stdout: string; stderr: string; code: number | null }) => {
  const c = comparablePrinted(printed);
  return { ...c, stderr: c.stderr.replace(/\[Nest\] \d+\s+-\s+.*?\s+ERROR/g, '[Nest] PID - TIME ERROR') };
};

function startApp(c: Case, service: string, shouldReport?: string) {
  const app = resolve(__dirname, 'apps', c.app);
  const env = agentEnv(stack.urls.otlpHttp, service, {
    ...c.env,
    ...(shouldReport ? { FAULTLINE_SHOULD_REPORT: shouldReport, FAULTLINE_FRAMEWORK: c.framework } : {}),
    // The plain run has no faultline at all: its app does not add faultline's handler either.
    ...(shouldReport || c.env.FAULTLINE_HANDLER === undefined ? {} : { FAULTLINE_HANDLER: '0' }),
  });
  return startServer(node, shouldReport ? ['--require', `${REGISTER}.cjs`, app] : [app], env, children);
}

/** The app with the predicate and the same app under plain node: answers and output, and what was reported. */
async function runBoth(c: Case, mode: string, expected: string[]) {
  const service = `should-report-${c.framework}-${mode}-${Date.now() % 1000000}`;
  const [withIt, plain] = await Promise.all([startApp(c, service, mode), startApp(c, `${service}-plain`)]);
  const answers = await answersOf(withIt.url, c.routes);
  expect(answers).toEqual(await answersOf(plain.url, c.routes));
  // Express's final handler logs an error from setImmediate, after its answer can be out: the last route's log
  // must be printed before the apps stop.
  await new Promise((r) => setTimeout(r, 300));
  const [printed, plainPrinted] = (await Promise.all([withIt.stop(), plain.stop()])).map(comparable);
  const reports = await reportsOf(stack.urls.jaegerQuery, service, expected);
  return { printed, plainPrinted, ...reports };
}

describe.each(CASES)('shouldReport with $name', (c) => {
  it('reports the 4xx and skips the 5xx when the predicate says so, and answers and prints as plain node', async () => {
    const { printed, plainPrinted, messages, tags } = await runBoth(c, 'invert', c.fourHundreds);
    expect(printed).toEqual(plainPrinted);
    expect(messages).toEqual(c.fourHundreds);
    for (const message of messages)
      expect(tags[message]).toMatchObject({ 'faultline.mechanism': c.framework, 'faultline.handled': true });
    expect(tags['no such thing']?.['http.response.status_code']).toBe(404);
  });

  it('takes the default when the predicate throws, counts each failure and warns once', async () => {
    const { printed, plainPrinted, messages, tags } = await runBoth(c, 'throws', c.fiveHundreds);
    // One line more on stderr, the first time; nothing else changes.
    expect(printed.stderr.match(new RegExp(WARNING.source, 'gm'))).toHaveLength(1);
    expect({ ...printed, stderr: printed.stderr.replace(WARNING, '') }).toEqual(plainPrinted);
    expect(messages).toEqual(c.fiveHundreds);
    const counted = messages.reduce((sum, m) => sum + Number(tags[m]?.['faultline.should_report.failed'] ?? 0), 0);
    expect(counted).toBe(c.asked);
  });
});

describe("expressErrorHandler's own shouldReport", () => {
  it('over init()’s: when it throws, the default holds, counted and said once', async () => {
    const c = CASES[2] as Case;
    const service = `should-report-own-${Date.now() % 1000000}`;
    const own = { ...c, env: { ...c.env, FAULTLINE_HANDLER: 'own-throws' } };
    const [withIt, plain] = await Promise.all([
      startServer(
        node,
        ['--require', `${REGISTER}.cjs`, resolve(__dirname, 'apps', c.app)],
        agentEnv(stack.urls.otlpHttp, service, own.env),
        children,
      ),
      startApp(c, `${service}-plain`),
    ]);
    expect(await answersOf(withIt.url, c.routes)).toEqual(await answersOf(plain.url, c.routes));
    await new Promise((r) => setTimeout(r, 300)); // the last log, as above
    const [printed, plainPrinted] = (await Promise.all([withIt.stop(), plain.stop()])).map(comparable);
    const warning = /^faultline: shouldReport threw Error: handler predicate bug; .*\n/gm;
    expect(printed.stderr.match(warning)).toHaveLength(1);
    expect({ ...printed, stderr: printed.stderr.replace(warning, '') }).toEqual(plainPrinted);
    const { messages, tags } = await reportsOf(stack.urls.jaegerQuery, service, c.fiveHundreds);
    expect(messages).toEqual(c.fiveHundreds);
    const counted = messages.reduce((sum, m) => sum + Number(tags[m]?.['faultline.should_report.failed'] ?? 0), 0);
    expect(counted).toBe(c.asked);
  });
});
