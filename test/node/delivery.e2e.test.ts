// Delivery of @faultline/node when the collector is slow, far, down or throttling, with real processes, a
// proxy in front of the real collector, and CPU-bound processes beside them: nothing the collector did not
// acknowledge is lost, a process that survives its errors never blocks for them, and a long-running process
// resends what it kept once the collector is back, without a restart.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { collectorProxy, cpuBurners } from '../support/collector-proxy.mjs';
import { eventOf, waitForExceptionSpans } from '../support/jaeger.mjs';
import { agentEnv, REGISTER, spoolFiles } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function appFile(source: string) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-delivery-'));
  writeFileSync(join(dir, 'app.js'), source);
  return { dir, file: join(dir, 'app.js'), spool: join(dir, 'spool') };
}

const messages = (spans: unknown[]) => spans.map((s) => String(eventOf(s as never)?.['exception.message']));
const spooled = (dir: string) => spoolFiles(dir, { claimed: true });

describe('@faultline/node delivery', () => {
  it('a report in flight when the process crashes is delivered by the exit path or spooled (busy machine, collector 30 ms away)', async () => {
    const proxy = await collectorProxy(stack.urls.otlpHttp);
    proxy.delayMs = 30;
    const burners = cpuBurners(2);
    cleanups.push(proxy.close, burners.stop);
    const service = `in-flight-${Date.now() % 100000}`;
    const app = appFile(
      [
        'const { captureException } = require(process.env.FAULTLINE_NODE_PACKAGE);',
        "captureException(new Error('handled ' + process.env.RUN));",
        "setTimeout(() => { throw new Error('crash ' + process.env.RUN); }, Number(process.env.DELAY));",
      ].join('\n'),
    );
    const runs = 12;
    for (let i = 0; i < runs; i++) {
      const env = agentEnv(proxy.url, service, {
        FAULTLINE_SPOOL_DIR: app.spool,
        RUN: String(i),
        DELAY: String((i * 37) % 100),
      });
      const run = spawnSync(node, ['--require', `${REGISTER}.cjs`, app.file], {
        encoding: 'utf8',
        timeout: 30_000,
        env,
      });
      expect(run.status, run.stderr).toBe(1);
    }
    // Everything was acknowledged before each process died, or left in the spool (the flush deadline can
    // pass on a loaded machine), which the next process sends: nothing is lost.
    await burners.stop();
    const carrier = await runAsync(['--require', `${REGISTER}.cjs`, '-e', 'setTimeout(() => {}, 4000)'], {
      ...agentEnv(proxy.url, `${service}-carrier`, { FAULTLINE_SPOOL_DIR: app.spool }),
    });
    expect(carrier.status, carrier.stderr).toBe(0);
    expect(spooled(app.spool)).toEqual([]);
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 2 * runs, 20_000);
    const got = new Set(messages(spans));
    for (let i = 0; i < runs; i++) {
      expect(got, `handled ${i}`).toContain(`handled ${i}`);
      expect(got, `crash ${i}`).toContain(`crash ${i}`);
    }
  }, 180_000);

  it('errors a domain takes are reported without blocking, even when the collector never answers', async () => {
    let connections = 0;
    const { createServer } = await import('node:net');
    const blackhole = createServer((socket) => {
      connections++;
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise((r) => {
          blackhole.close(r);
        }),
    );
    const errors = 50;
    const app = appFile(
      [
        "const d = require('node:domain').create();",
        'let caught = 0;',
        'd.on("error", () => { caught++; });',
        `for (let i = 0; i < ${errors}; i++) d.run(() => setImmediate(() => { throw new Error('domain error ' + i); }));`,
        "process.on('exit', () => console.log('caught', caught));",
      ].join('\n'),
    );
    const env = agentEnv(`http://127.0.0.1:${(blackhole.address() as { port: number }).port}`, 'domain-storm', {
      FAULTLINE_SPOOL_DIR: app.spool,
      FAULTLINE_FLUSH_TIMEOUT_MS: '1000',
    });
    const plain = spawnSync(node, [app.file], { encoding: 'utf8', env });
    // Blocking for each error would take 50 × 1 s: the spawn timeout ends such a run.
    const agent = spawnSync(node, ['--require', `${REGISTER}.cjs`, app.file], {
      encoding: 'utf8',
      env,
      timeout: 40_000,
    });
    expect(agent.error).toBeUndefined();
    expect(agent.status).toBe(plain.status);
    expect(agent.stdout).toBe(plain.stdout);
    expect(agent.stdout).toBe(`caught ${errors}\n`);
    expect(agent.stderr).toBe(plain.stderr);
    // A blocking send per error would be one connection per error; one report (the rest are duplicates,
    // counted) went out asynchronously, then once more from the exit path, with the withheld span.
    expect(connections).toBeLessThan(10);
    expect(spooled(app.spool).length).toBeGreaterThan(0);
  }, 60_000);

  it('a long-running process resends what it kept once the collector is back, and a dead collector costs nothing', async () => {
    const proxy = await collectorProxy(stack.urls.otlpHttp);
    proxy.mode = 'unavailable';
    cleanups.push(proxy.close);
    const service = `outage-${Date.now() % 100000}`;
    const app = appFile(
      [
        'const { captureException } = require(process.env.FAULTLINE_NODE_PACKAGE);',
        "const names = ['alpha', 'bravo', 'charlie', 'delta', 'echo'];", // distinct: no two are duplicates
        "const t = setInterval(() => { captureException(new Error('during the outage: ' + names.shift())); if (names.length === 0) clearInterval(t); }, 100);",
        'setInterval(() => {}, 1000); // a server',
      ].join('\n'),
    );
    const child = startServer(app, proxy.url, service);
    await new Promise((r) => setTimeout(r, 1500));
    // The first failure opened the circuit: the other four went to the spool without touching the network.
    const duringOutage = proxy.requests.length;
    expect(duringOutage).toBeGreaterThanOrEqual(1);
    expect(duringOutage).toBeLessThanOrEqual(2);
    expect(spooled(app.spool)).toHaveLength(5);
    const back = Date.now();
    proxy.mode = 'forward';
    // The first cool-down is 5 s ± 20 %: the probe, then the whole spool, follow without a restart.
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 5, 20_000);
    expect(messages(spans).sort()).toEqual(
      ['alpha', 'bravo', 'charlie', 'delta', 'echo'].map((name) => `during the outage: ${name}`),
    );
    expect(spooled(app.spool)).toEqual([]);
    expect(Date.now() - back).toBeLessThan(20_000);
    expect(child.exitCode, 'still running').toBeNull();
  }, 60_000);

  it("honours the collector's Retry-After before trying again", async () => {
    const proxy = await collectorProxy(stack.urls.otlpHttp);
    proxy.mode = 'throttled';
    proxy.retryAfterSeconds = 9;
    cleanups.push(proxy.close);
    const service = `throttled-${Date.now() % 100000}`;
    const app = appFile(
      [
        'const { captureException } = require(process.env.FAULTLINE_NODE_PACKAGE);',
        "captureException(new Error('throttled once'));",
        'setInterval(() => {}, 1000);',
      ].join('\n'),
    );
    startServer(app, proxy.url, service);
    await waitFor(() => proxy.requests.length >= 1, 10_000);
    proxy.mode = 'forward';
    const spans = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 1, 25_000);
    expect(messages(spans)).toEqual(['throttled once']);
    const [first, second] = proxy.requests;
    // Not before the 9 s the collector asked for (a busy machine only makes it later).
    expect((second?.time ?? 0) - (first?.time ?? 0)).toBeGreaterThanOrEqual(9_000);
  }, 60_000);
});

/** Starts a long-running app under the agent, killed (SIGKILL: no exit path) after the test. */
function startServer(app: { file: string; spool: string }, endpoint: string, service: string) {
  const child = spawn(node, ['--require', `${REGISTER}.cjs`, app.file], {
    stdio: 'ignore',
    env: agentEnv(endpoint, service, { FAULTLINE_SPOOL_DIR: app.spool }),
  });
  cleanups.push(async () => child.kill('SIGKILL'));
  return child;
}

function runAsync(args: string[], env: Record<string, string | undefined>) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(node, args, { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

async function waitFor(condition: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
