// A long-running process (a server, say) reporting handled errors with captureException, with and
// without explicit flushes: every report must reach Jaeger while the process is still alive, not only
// when it exits. (The process is killed with SIGKILL at the end: no exit-time flush can help.)
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { eventOf, waitForExceptionSpans } from '../support/jaeger.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const index = resolve(__dirname, '../../packages/node/dist/index.cjs');

const app = (service: string) => `
const fl = require(${JSON.stringify(index)});
fl.init({ serviceName: ${JSON.stringify(service)}, endpoint: ${JSON.stringify(stack.urls.otlpHttp)} });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  await fl.flush(); // nothing to send yet
  fl.captureException(new Error('first handled'));
  await fl.flush();
  await sleep(50);
  fl.captureException(new TypeError('second handled')); // no flush: the agent sends it on its own
  await sleep(300);
  fl.captureException(new RangeError('third handled'));
  await fl.flush();
  setInterval(() => {}, 1000); // a server keeps running
})();
`;

describe('@faultline/node in a long-running process', () => {
  it('delivers every handled error while the process runs', async () => {
    const service = `long-running-${Date.now() % 100000}`;
    const dir = mkdtempSync(join(tmpdir(), 'fl-long-'));
    writeFileSync(join(dir, 'server.js'), app(service));
    const child = spawn(node, [join(dir, 'server.js')], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH, FAULTLINE_SPOOL_DIR: join(dir, 'spool') },
    });
    try {
      const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 3, 15_000);
      expect(spans.map((s) => eventOf(s as never)?.['exception.message']).sort()).toEqual([
        'first handled',
        'second handled',
        'third handled',
      ]);
      expect(child.exitCode, 'still running').toBeNull();
    } finally {
      child.kill('SIGKILL');
    }
  }, 30_000);
});
