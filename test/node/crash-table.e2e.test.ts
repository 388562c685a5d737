// @faultline/node against plain node, case by case, with real node processes and the real collector and
// Jaeger. For every case: the exit code, stdout and stderr are those of plain node (stderr may differ only in
// nothing), and each error is in Jaeger exactly once with the right exception attributes.
// FAULTLINE_TEST_NODE picks the node binary (npm test runs this suite on Node 20, 22 and 24).
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { eventOf, exceptionSpans, findTraces } from '../support/jaeger.mjs';
import { agentEnv, REGISTER, spoolFiles } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const nodeMajor = spawnSync(node, ['-p', 'process.versions.node.split(".")[0]'], { encoding: 'utf8' }).stdout.trim();
const dir = mkdtempSync(join(tmpdir(), 'fl-node-cases-'));

interface Case {
  name: string;
  /** The app. `.mjs` entries run with --import, others with --require. */
  source: string;
  file?: string;
  args?: string[];
  expectExit: number;
  /** What Jaeger must hold: exception.type and a part of exception.message; null when nothing is reported. */
  report: Report | null;
  /** When the case reports several errors: each of them, once. */
  more?: Report[];
  /** The report waits in the spool (the process died without an exit path): the next process sends it. */
  spooled?: boolean;
  /** Preload a CommonJS entry with --import; plain node then gets an empty --import module, since any
   * --import makes Node load a CommonJS entry through its ESM loader, which changes what it prints. */
  importCjs?: boolean;
}

interface Report {
  type: string;
  message: string | RegExp;
  mechanism?: string;
  handled?: boolean;
}

const at = (body: string) => `function app() {\n  ${body}\n}\napp();\n`;

const cases: Case[] = [
  {
    name: 'throw Error',
    source: at("throw new Error('plain error')"),
    expectExit: 1,
    report: { type: 'Error', message: 'plain error', mechanism: 'uncaughtException', handled: false },
  },
  {
    name: 'throw TypeError in a timer',
    source: 'setTimeout(() => { null.f(); }, 1);',
    expectExit: 1,
    report: { type: 'TypeError', message: /Cannot read properties of null/ },
  },
  {
    name: 'throw a string',
    source: at("throw 'a thrown string'"),
    expectExit: 1,
    report: { type: 'string', message: 'a thrown string' },
  },
  { name: 'throw null', source: at('throw null'), expectExit: 1, report: { type: 'null', message: 'null' } },
  {
    name: 'throw undefined',
    source: at('throw undefined'),
    expectExit: 1,
    report: { type: 'undefined', message: 'undefined' },
  },
  { name: 'throw a number', source: at('throw 42'), expectExit: 1, report: { type: 'number', message: '42' } },
  {
    name: 'throw an object',
    source: at("throw { code: 'E_QUOTA', limit: 5 }"),
    expectExit: 1,
    report: { type: 'Object', message: '{ code: "E_QUOTA", limit: 5 }' },
  },
  {
    name: 'throw Error with cause',
    source: at("throw new Error('outer failure', { cause: new RangeError('inner cause') })"),
    expectExit: 1,
    report: { type: 'Error', message: 'outer failure' },
  },
  {
    name: 'throw AggregateError',
    source: at("throw new AggregateError([new Error('one'), new Error('two')], 'several failed')"),
    expectExit: 1,
    report: { type: 'AggregateError', message: 'several failed' },
  },
  {
    name: 'stack overflow',
    source: 'function r() { return r() + 1; }\nr();\n',
    expectExit: 1,
    report: { type: 'RangeError', message: 'Maximum call stack size exceeded' },
  },
  {
    name: 'reject with Error',
    source: "Promise.reject(new Error('rejected error'));\n",
    expectExit: 1,
    report: { type: 'Error', message: 'rejected error', mechanism: 'unhandledRejection' },
  },
  {
    name: 'reject from an async function',
    source: "async function job() { throw new SyntaxError('async failure'); }\njob();\n",
    expectExit: 1,
    report: { type: 'SyntaxError', message: 'async failure', mechanism: 'unhandledRejection' },
  },
  {
    name: 'reject with undefined',
    source: 'Promise.reject(undefined);\n',
    expectExit: 1,
    report: { type: 'undefined', message: 'undefined', mechanism: 'unhandledRejection' },
  },
  {
    name: 'reject with null',
    source: 'Promise.reject(null);\n',
    expectExit: 1,
    report: { type: 'null', message: 'null', mechanism: 'unhandledRejection' },
  },
  {
    name: 'reject with a string',
    source: "Promise.reject('rejected string');\n",
    expectExit: 1,
    report: { type: 'string', message: 'rejected string', mechanism: 'unhandledRejection' },
  },
  {
    name: 'reject with an object',
    source: 'Promise.reject({ status: 503 });\n',
    expectExit: 1,
    report: { type: 'Object', message: '{ status: 503 }', mechanism: 'unhandledRejection' },
  },
  {
    name: 'error in setImmediate',
    source: "setImmediate(() => { throw new Error('in setImmediate'); });\n",
    expectExit: 1,
    report: { type: 'Error', message: 'in setImmediate' },
  },
  {
    name: 'error in nextTick',
    source: "process.nextTick(() => { throw new Error('in nextTick'); });\n",
    expectExit: 1,
    report: { type: 'Error', message: 'in nextTick' },
  },
  {
    name: 'error in queueMicrotask',
    source: "queueMicrotask(() => { throw new Error('in microtask'); });\n",
    expectExit: 1,
    report: { type: 'Error', message: 'in microtask' },
  },
  {
    name: 'EventEmitter error without listener',
    source:
      "const { EventEmitter } = require('node:events');\nnew EventEmitter().emit('error', new Error('emitter error'));\n",
    expectExit: 1,
    report: { type: 'Error', message: 'emitter error' },
  },
  {
    name: 'failing stream',
    source: "const fs = require('node:fs');\nfs.createReadStream('/nonexistent/missing-file');\n",
    expectExit: 1,
    report: { type: 'Error', message: /ENOENT/ },
  },
  {
    name: 'worker error, no parent listener',
    source:
      "const { Worker } = require('node:worker_threads');\nnew Worker(\"throw new Error('worker failed')\", { eval: true });\n",
    expectExit: 1,
    report: { type: 'Error', message: 'worker failed', mechanism: 'worker', handled: false },
  },
  {
    name: 'worker error, parent listens',
    source:
      "const { Worker } = require('node:worker_threads');\nconst w = new Worker(\"throw new Error('worker failed, caught')\", { eval: true });\nw.on('error', (e) => console.log('parent saw', e.message));\n",
    expectExit: 0,
    report: { type: 'Error', message: 'worker failed, caught', mechanism: 'worker', handled: true },
  },
  {
    name: 'worker error the parent survives (uncaughtException listener)',
    source:
      "const { Worker } = require('node:worker_threads');\nprocess.on('uncaughtException', (e) => console.log('parent survived', e.message));\nnew Worker(\"throw new Error('worker failed, survived')\", { eval: true });\nsetTimeout(() => console.log('still alive'), 300);\n",
    expectExit: 0,
    report: { type: 'Error', message: 'worker failed, survived', mechanism: 'worker', handled: false },
  },
  {
    name: 'uncaughtException handler that throws (exit 7)',
    source:
      "process.on('uncaughtException', () => { throw new Error('handler failed'); });\nsetTimeout(() => { throw new Error('first failure'); }, 1);\n",
    expectExit: 7,
    report: { type: 'Error', message: 'first failure' },
  },
  {
    name: 'app listener swallows an uncaught exception',
    source:
      "process.on('uncaughtException', (e) => console.log('swallowed', e.message));\nsetTimeout(() => { throw new Error('swallowed error'); }, 1);\nsetTimeout(() => console.log('still alive'), 50);\n",
    expectExit: 0,
    report: { type: 'Error', message: 'swallowed error', mechanism: 'uncaughtException' },
  },
  {
    name: 'app listener swallows a rejection',
    source:
      "process.on('unhandledRejection', (r) => console.log('swallowed', r.message));\nPromise.reject(new Error('swallowed rejection'));\nsetTimeout(() => console.log('still alive'), 50);\n",
    expectExit: 0,
    report: { type: 'Error', message: 'swallowed rejection', mechanism: 'unhandledRejection' },
  },
  {
    name: 'process.exitCode preset',
    source: "process.exitCode = 3;\nsetTimeout(() => { throw new Error('with exit code preset'); }, 1);\n",
    expectExit: 1,
    report: { type: 'Error', message: 'with exit code preset' },
  },
  {
    name: 'process.exitCode preset, no error',
    source: "process.exitCode = 3;\nconsole.log('bye');\n",
    expectExit: 3,
    report: null,
  },
  {
    name: 'process.exit(5) after a handled error',
    source:
      "const { captureException } = require(process.env.FAULTLINE_NODE_PACKAGE);\ncaptureException(new Error('handled then exit'));\nprocess.exit(5);\n",
    expectExit: 5,
    report: { type: 'Error', message: 'handled then exit', mechanism: 'manual', handled: true },
  },
  {
    name: 'syntax error in the entry',
    source: 'const x = ;\n',
    expectExit: 1,
    report: { type: 'SyntaxError', message: /Unexpected token/ },
  },
  { name: 'clean exit', source: "console.log('all good');\n", expectExit: 0, report: null },
  {
    name: 'exit handler that throws, natural exit',
    source: "process.on('exit', () => { throw new Error('exit handler failed'); });\nconsole.log('done');\n",
    expectExit: 1,
    report: { type: 'Error', message: 'exit handler failed' },
  },
  {
    name: 'exit handler that throws, process.exit(3)',
    source:
      "process.on('exit', () => { throw new Error('exit handler failed'); });\nsetTimeout(() => process.exit(3), 5);\n",
    expectExit: 3,
    report: { type: 'Error', message: 'exit handler failed' },
  },
  {
    name: 'beforeExit handler that throws',
    source:
      "let n = 0;\nprocess.on('beforeExit', () => { if (n++ === 0) throw new Error('beforeExit handler failed'); });\n",
    expectExit: 1,
    report: { type: 'Error', message: 'beforeExit handler failed' },
  },
  {
    name: 'beforeExit handler runs once, after a handled error',
    source:
      "const { captureException } = require(process.env.FAULTLINE_NODE_PACKAGE);\nprocess.on('beforeExit', () => console.log('beforeExit', process.domain));\ncaptureException(new Error('handled before exit'));\n",
    expectExit: 0,
    report: { type: 'Error', message: 'handled before exit', mechanism: 'manual', handled: true },
  },
  {
    name: 'uncaughtExceptionMonitor listener that throws (exit 7)',
    source:
      "process.on('uncaughtExceptionMonitor', () => { throw new Error('monitor failed'); });\nsetTimeout(() => { throw new Error('first failure, monitored'); }, 1);\n",
    expectExit: 7,
    report: { type: 'Error', message: 'first failure, monitored' },
  },
  {
    name: 'domain catches an error; process.domain afterwards as plain node has it',
    source:
      "const domain = require('node:domain');\nconst d = domain.create();\nd.on('error', (e) => console.log('domain caught', e.message, e.stack.split('\\n').length));\nd.run(() => setTimeout(() => { throw new Error('caught by a domain'); }, 1));\nprocess.on('beforeExit', () => console.log('domain in beforeExit:', process.domain));\nsetTimeout(() => console.log('domain in a timer:', process.domain), 50);\n",
    expectExit: 0,
    report: { type: 'Error', message: 'caught by a domain', mechanism: 'uncaughtException', handled: false },
  },
  {
    name: 'domain error handler that throws (exit 7)',
    source:
      "const domain = require('node:domain');\nconst d = domain.create();\nd.on('error', () => { throw new Error('domain handler failed'); });\nd.run(() => setTimeout(() => { throw new Error('first failure, in a domain'); }, 1));\n",
    expectExit: 7,
    report: { type: 'Error', message: 'first failure, in a domain' },
    spooled: true,
  },
  {
    name: 'setUncaughtExceptionCaptureCallback takes an error',
    source:
      "process.setUncaughtExceptionCaptureCallback((e) => console.log('captured', e.message));\nsetTimeout(() => { throw new Error('taken by the capture callback'); }, 1);\nsetTimeout(() => console.log('still alive'), 50);\n",
    expectExit: 0,
    report: { type: 'Error', message: 'taken by the capture callback', mechanism: 'uncaughtException' },
  },
  {
    name: 'warning emitted by the app',
    source:
      "process.emitWarning('disk almost full', 'CapacityWarning');\nprocess.on('warning', (w) => console.log('saw', w.name));\nsetTimeout(() => { throw new Error('after a warning'); }, 5);\n",
    expectExit: 1,
    report: { type: 'Error', message: 'after a warning' },
  },
  ...(['throw', 'strict', 'warn', 'none', 'warn-with-error-code'] as const).map(
    (mode): Case => ({
      name: `--unhandled-rejections=${mode}`,
      source: `Promise.reject(new Error('rejection in ${mode} mode'));\nsetTimeout(() => console.log('after'), 20);\n`,
      args: [`--unhandled-rejections=${mode}`],
      expectExit: mode === 'warn' || mode === 'none' ? 0 : 1,
      report: { type: 'Error', message: `rejection in ${mode} mode`, mechanism: 'unhandledRejection' },
    }),
  ),
  // Rejections handled late, while the agent is delivering: Node numbers each unhandled rejection, and prints
  // the numbers in its warnings; the agent's own delivery must not take any.
  ...(['throw', 'strict', 'warn', 'none', 'warn-with-error-code'] as const).map(
    (mode): Case => ({
      name: `--unhandled-rejections=${mode}, rejections handled late`,
      source: [
        `const a = Promise.reject(new Error('first late rejection, ${mode}'));`,
        'setTimeout(() => a.catch(() => {}), 300);',
        `setTimeout(() => { const b = Promise.reject(new Error('second late rejection, ${mode}')); setTimeout(() => b.catch(() => {}), 300); }, 500);`,
        "setTimeout(() => console.log('done'), 1100);",
        '',
      ].join('\n'),
      args: [`--unhandled-rejections=${mode}`],
      expectExit: mode === 'warn' || mode === 'none' ? 0 : 1,
      report: { type: 'Error', message: `first late rejection, ${mode}`, mechanism: 'unhandledRejection' },
      more:
        mode === 'throw' || mode === 'strict'
          ? []
          : [{ type: 'Error', message: `second late rejection, ${mode}`, mechanism: 'unhandledRejection' }],
    }),
  ),
  {
    name: 'CommonJS entry preloaded with --import',
    source: at("throw new Error('cjs under --import')"),
    importCjs: true,
    expectExit: 1,
    // Node's ESM loader runs the entry inside a promise: a throw at its top level is a rejection to Node.
    report: { type: 'Error', message: 'cjs under --import', mechanism: 'unhandledRejection' },
  },
  {
    name: 'ESM entry, uncaught exception',
    file: 'app.mjs',
    source: "setTimeout(() => { throw new TypeError('esm failure'); }, 1);\n",
    expectExit: 1,
    report: { type: 'TypeError', message: 'esm failure' },
  },
  {
    name: 'ESM entry, top-level await rejection',
    file: 'app.mjs',
    source: "await Promise.reject(new Error('top-level await failure'));\n",
    expectExit: 1,
    report: { type: 'Error', message: 'top-level await failure' },
  },
  {
    name: 'ESM entry, unhandled rejection',
    file: 'app.mjs',
    source: "Promise.reject(new RangeError('esm rejection'));\n",
    expectExit: 1,
    report: { type: 'RangeError', message: 'esm rejection', mechanism: 'unhandledRejection' },
  },
];

/** stderr as a user diffing it would compare it: every frame and line number, only the pid left out. */
const comparable = (stderr: string) => stderr.replace(/\(node:\d+\)/g, '(node:PID)');

function run(c: Case, withAgent: boolean, service: string) {
  const caseDir = join(dir, service);
  mkdirSync(caseDir, { recursive: true });
  const file = join(caseDir, c.file ?? 'app.js');
  writeFileSync(file, c.source);
  const esm = c.file?.endsWith('.mjs') || c.importCjs;
  const preload = esm ? ['--import', `${REGISTER}.mjs`] : ['--require', `${REGISTER}.cjs`];
  const baseline = c.importCjs ? ['--import', 'data:text/javascript,'] : [];
  return spawnSync(node, [...(withAgent ? preload : baseline), ...(c.args ?? []), file], {
    cwd: caseDir,
    encoding: 'utf8',
    timeout: 20_000,
    env: agentEnv(stack.urls.otlpHttp, service, { FAULTLINE_SPOOL_DIR: join(caseDir, 'spool') }),
  });
}

describe(`@faultline/node on Node ${nodeMajor}: plain node's behaviour, and every error in Jaeger once`, () => {
  cases.forEach((c, i) => {
    it(c.name, async () => {
      const service = `node${nodeMajor}-case-${i}-${Date.now() % 100000}`;
      const plain = run(c, false, `${service}-plain`);
      const agent = run(c, true, service);
      expect(plain.status, plain.stderr).toBe(c.expectExit);
      expect(agent.status, agent.stderr).toBe(plain.status);
      expect(agent.stdout).toBe(plain.stdout);
      expect(comparable(agent.stderr.replaceAll(`${service}/`, 'X/'))).toBe(
        comparable(plain.stderr.replaceAll(`${service}-plain/`, 'X/')),
      );
      expect(agent.stderr).not.toMatch(/faultline/);

      if (!c.report) {
        await new Promise((r) => setTimeout(r, 300));
        expect(await findTraces(stack.urls.jaegerQuery, { service })).toHaveLength(0);
        return;
      }
      const spool = join(dir, service, 'spool');
      if (c.spooled) {
        // Died without an exit path: the report waits in the spool, and the next process sends it.
        expect(await exceptionSpans(stack.urls.jaegerQuery, service)).toHaveLength(0);
        expect(spoolFiles(spool, { claimed: true })).toHaveLength(1);
        const next = spawnSync(node, ['--require', `${REGISTER}.cjs`, '-e', 'setTimeout(() => {}, 1500)'], {
          encoding: 'utf8',
          timeout: 20_000,
          env: agentEnv(stack.urls.otlpHttp, `${service}-next`, { FAULTLINE_SPOOL_DIR: spool }),
        });
        expect(next.status, next.stderr).toBe(0);
      }
      const expected = [c.report, ...(c.more ?? [])];
      const deadline = Date.now() + 15_000;
      let spans = await exceptionSpans(stack.urls.jaegerQuery, service);
      while (spans.length < expected.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        spans = await exceptionSpans(stack.urls.jaegerQuery, service);
      }
      await new Promise((r) => setTimeout(r, 300)); // a duplicate would arrive meanwhile
      spans = await exceptionSpans(stack.urls.jaegerQuery, service);
      const events = spans.map((span) => eventOf(span as never) as Record<string, unknown>);
      expect(
        events.map((e) => e['exception.message']),
        'each error exactly once',
      ).toHaveLength(expected.length);
      for (const report of expected) {
        const matching = events.filter((e) =>
          typeof report.message === 'string'
            ? e['exception.message'] === report.message
            : report.message.test(String(e['exception.message'])),
        );
        expect(matching, `one report of ${report.message}`).toHaveLength(1);
        const event = matching[0] as Record<string, unknown>;
        expect(event['exception.type']).toBe(report.type);
        if (report.mechanism) expect(event['faultline.mechanism']).toBe(report.mechanism);
        if (report.handled !== undefined) expect(event['faultline.handled']).toBe(report.handled);
        expect(String(event['exception.stacktrace']).length).toBeGreaterThan(0);
      }
      if (c.report.mechanism === 'worker') {
        const tags = Object.fromEntries(
          (spans[0] as { tags: { key: string; value: unknown }[] }).tags.map((t) => [t.key, t.value]),
        );
        expect(tags['thread.id']).toBe(1);
        expect(tags['thread.name']).toBe('worker 1');
      }
    });
  });
});
