// The disk spool, with real processes: a crash while the collector is unreachable is kept on disk and
// delivered by the next process that starts with the agent, exactly once; a process killed while writing
// leaves no corrupt entry.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { eventOf, exceptionSpans, findTraces, waitForExceptionSpans } from '../support/jaeger.mjs';
import { spoolFiles } from '../support/node.mjs';

const stack = inject('stack' as never) as { urls: { otlpHttp: string; jaegerQuery: string } };
const node = process.env.FAULTLINE_TEST_NODE || process.execPath;
const register = resolve(__dirname, '../../packages/node/dist/register.cjs');
/** Nothing listens here: connections are refused at once. */
const DEAD_ENDPOINT = 'http://127.0.0.1:9';

function runApp(source: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'fl-spool-app-'));
  const file = join(dir, 'app.js');
  writeFileSync(file, source);
  return spawnSync(node, ['--require', register, file], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: process.env.PATH, ...env },
  });
}

const readyFiles = (dir: string) => spoolFiles(dir);

describe('@faultline/node disk spool', () => {
  it('keeps a crash that could not be sent, and the next process delivers it exactly once', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'fl-spool-'));
    const service = `spool-${Date.now()}`;
    const crash = runApp("setTimeout(() => { throw new Error('sent later'); }, 1);\n", {
      OTEL_SERVICE_NAME: service,
      OTEL_EXPORTER_OTLP_ENDPOINT: DEAD_ENDPOINT,
      FAULTLINE_SPOOL_DIR: spool,
    });
    expect(crash.status).toBe(1);
    expect(crash.stderr).not.toMatch(/faultline/);
    expect(readyFiles(spool)).toHaveLength(1);
    expect(await exceptionSpans(stack.urls.jaegerQuery, service)).toHaveLength(0);

    // The collector is reachable again: a healthy process sends the spool in the background after start-up.
    const healthy = {
      OTEL_SERVICE_NAME: 'spool-carrier',
      OTEL_EXPORTER_OTLP_ENDPOINT: stack.urls.otlpHttp,
      FAULTLINE_SPOOL_DIR: spool,
    };
    expect(runApp('setTimeout(() => {}, 2500);\n', healthy).status).toBe(0);
    expect(readyFiles(spool)).toHaveLength(0);
    let spans: unknown[] = [];
    for (let i = 0; i < 50 && spans.length === 0; i++) {
      spans = await exceptionSpans(stack.urls.jaegerQuery, service);
      if (spans.length === 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(spans).toHaveLength(1);

    // Another process finds nothing left to send: still exactly one.
    expect(runApp('setTimeout(() => {}, 2000);\n', healthy).status).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(await exceptionSpans(stack.urls.jaegerQuery, service)).toHaveLength(1);
  });

  it('a spooled report the collector refuses is removed and counted; the ones behind it still go out', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'fl-spool-poison-'));
    const service = `spool-poison-${Date.now()}`;
    // Sorted first, so it is tried first: a body no collector takes (400), which used to block the spool.
    writeFileSync(join(spool, '0000000000000-1-poison.traces.otlp.json'), 'not OTLP');
    const crash = runApp("setTimeout(() => { throw new Error('behind the poison'); }, 1);\n", {
      OTEL_SERVICE_NAME: service,
      OTEL_EXPORTER_OTLP_ENDPOINT: DEAD_ENDPOINT,
      FAULTLINE_SPOOL_DIR: spool,
    });
    expect(crash.status).toBe(1);
    expect(readyFiles(spool)).toHaveLength(2);

    // A carrier with no error of its own: the loss goes out on its withheld span before it exits.
    const carrier = `spool-poison-carrier-${Date.now()}`;
    const run = runApp('setTimeout(() => {}, 2500);\n', {
      OTEL_SERVICE_NAME: carrier,
      OTEL_EXPORTER_OTLP_ENDPOINT: stack.urls.otlpHttp,
      FAULTLINE_SPOOL_DIR: spool,
    });
    expect(run.status, run.stderr).toBe(0);
    expect(readyFiles(spool)).toHaveLength(0);
    const delivered = await waitForExceptionSpans(stack.urls.jaegerQuery, service, 1, 10_000);
    expect(eventOf(delivered[0] as never)?.['exception.message']).toBe('behind the poison');
    let withheld: { tags: { key: string; value: unknown }[] } | undefined;
    for (let i = 0; i < 50 && !withheld; i++) {
      const traces = await findTraces(stack.urls.jaegerQuery, { service: carrier });
      withheld = traces
        .flatMap((t: { spans: { operationName: string }[] }) => t.spans)
        .find((sp: { operationName: string }) => sp.operationName === 'faultline.withheld');
      if (!withheld) await new Promise((r) => setTimeout(r, 200));
    }
    const tags = Object.fromEntries((withheld?.tags ?? []).map((t) => [t.key, t.value]));
    expect(tags['faultline.refused']).toBe(1);
  });

  it('several processes starting at once send each spooled report once', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'fl-spool-many-'));
    const service = `spool-many-${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      const crash = runApp(`setTimeout(() => { throw new Error('crash ${i}'); }, 1);\n`, {
        OTEL_SERVICE_NAME: service,
        OTEL_EXPORTER_OTLP_ENDPOINT: DEAD_ENDPOINT,
        FAULTLINE_SPOOL_DIR: spool,
      });
      expect(crash.status).toBe(1);
    }
    expect(readyFiles(spool)).toHaveLength(5);
    const env = {
      PATH: process.env.PATH,
      OTEL_SERVICE_NAME: 'spool-carrier',
      OTEL_EXPORTER_OTLP_ENDPOINT: stack.urls.otlpHttp,
      FAULTLINE_SPOOL_DIR: spool,
    };
    const carriers = Array.from({ length: 4 }, () =>
      spawn(node, ['--require', register, '-e', 'setTimeout(() => {}, 2500)'], { env }),
    );
    await Promise.all(carriers.map((c) => new Promise((r) => c.on('exit', r))));
    expect(readyFiles(spool)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 1000));
    const messages = (await exceptionSpans(stack.urls.jaegerQuery, service)).map((s) => {
      const log = (s as { logs: { fields: { key: string; value: string }[] }[] }).logs[0];
      return log?.fields.find((f) => f.key === 'exception.message')?.value;
    });
    expect(messages.sort()).toEqual(['crash 0', 'crash 1', 'crash 2', 'crash 3', 'crash 4']);
  });

  it('a spool directory that cannot be created neither hangs nor changes the crash', () => {
    // Under /proc, Node's recursive mkdir never returns (measured); the spool creates parents one by one.
    const crash = runApp("setTimeout(() => { throw new Error('nowhere to spool'); }, 1);\n", {
      OTEL_SERVICE_NAME: 'no-spool',
      OTEL_EXPORTER_OTLP_ENDPOINT: DEAD_ENDPOINT,
      FAULTLINE_SPOOL_DIR: '/proc/faultline-cannot-exist/spool',
    });
    expect(crash.error).toBeUndefined(); // no timeout
    expect(crash.status).toBe(1);
    expect(crash.stderr).toMatch(/Error: nowhere to spool/);
  });

  it('a process killed with SIGKILL while writing the spool leaves no corrupt entry', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'fl-spool-kill-'));
    // Big reports make the write window wide.
    const source = `const big = 'x'.repeat(200000);\nsetTimeout(() => { throw new Error('big ' + big); }, 1);\n`;
    const dir = mkdtempSync(join(tmpdir(), 'fl-spool-kill-app-'));
    writeFileSync(join(dir, 'app.js'), source);
    const env = {
      PATH: process.env.PATH,
      OTEL_SERVICE_NAME: 'killed',
      OTEL_EXPORTER_OTLP_ENDPOINT: DEAD_ENDPOINT,
      FAULTLINE_SPOOL_DIR: spool,
    };
    const runKilledAfter = async (ms: number | undefined) => {
      const started = Date.now();
      const child = spawn(node, ['--require', register, join(dir, 'app.js')], { env });
      if (ms !== undefined) setTimeout(() => child.kill('SIGKILL'), ms);
      await new Promise((r) => child.on('exit', r));
      return Date.now() - started;
    };
    // How long a whole run takes on this machine, now: the write happens near its end. Kills are spread
    // around that moment; a round in which no kill landed during or after a write is tried again, later.
    const whole = await runKilledAfter(undefined);
    for (const n of readdirSync(spool)) rmSync(join(spool, n));
    let interrupted = 0;
    for (let round = 0; round < 5 && (readyFiles(spool).length === 0 || interrupted === 0); round++) {
      for (let i = 0; i < 10; i++) {
        const at = Math.round(whole * (0.5 + round * 0.1 + i * 0.06));
        const before = readyFiles(spool).length;
        await runKilledAfter(at);
        if (readyFiles(spool).length === before) interrupted++;
      }
    }
    const ready = readyFiles(spool);
    expect(ready.length, 'some runs got as far as writing').toBeGreaterThan(0);
    expect(interrupted, 'some runs were killed before their write was done').toBeGreaterThan(0);
    for (const name of ready) {
      const body = JSON.parse(readFileSync(join(spool, name), 'utf8'));
      expect(body.resourceSpans?.length).toBeGreaterThan(0);
    }
    // Whatever is ready is whole; a write cut short leaves only a temporary file, which readers skip.
    expect(readdirSync(spool).every((n) => n.endsWith('.otlp.json') || n.endsWith('.tmp'))).toBe(true);
  }, 120_000);
});
