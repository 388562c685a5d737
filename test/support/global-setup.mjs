// Starts the real collector and Jaeger once for all end-to-end suites, on ports of their own (so a demo
// running on the defaults is not disturbed), and hands the URLs to the tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_PORTS, startStack } from '../../collector-config/stack.mjs';
import { PAGE_PORT, TEST_PORT_SHIFT } from './ports.mjs';

/** Test ports: the defaults shifted (by 14000 unless FAULTLINE_TEST_PORT_SHIFT says otherwise). */
const TEST_PORTS = Object.fromEntries(
  Object.entries(DEFAULT_PORTS).map(([name, port]) => [name, port + TEST_PORT_SHIFT]),
);

/** Origins the collector accepts for browser CORS in the tests (the browser suite serves pages there). */
export const TEST_ORIGINS = [`http://localhost:${PAGE_PORT}`, `http://127.0.0.1:${PAGE_PORT}`];

let stack;
let control;
let sourcemapStore;
let jaegerData;

export async function setup(project) {
  // The source-map store the collector reads (faultline.yaml: FAULTLINE_SOURCEMAP_STORE, passed on by
  // stack.mjs with the environment) and the sourcemaps suite uploads to with the CLI.
  sourcemapStore = mkdtempSync(join(tmpdir(), 'faultline-sourcemaps-'));
  process.env.FAULTLINE_SOURCEMAP_STORE = sourcemapStore;
  // Badger, as users run it, in a directory of this run's own: a Jaeger restart keeps what it stored.
  jaegerData = mkdtempSync(join(tmpdir(), 'faultline-jaeger-'));
  // Error counts leave the collector every 250 ms, not every 5 s: the metrics suite's Prometheus scrapes
  // 60 times faster than a real one (metrics-alerts.e2e.test.ts).
  process.env.FAULTLINE_METRICS_FLUSH_INTERVAL = '250ms';
  stack = await startStack({ ports: TEST_PORTS, corsOrigins: TEST_ORIGINS, jaeger: { dataDir: jaegerData } });
  // Tests run in worker processes; the few that stop and start Jaeger ask this process over loopback.
  control = createServer(async (req, res) => {
    try {
      if (req.method === 'POST' && req.url === '/jaeger/stop') await stack.stopJaeger();
      else if (req.method === 'POST' && req.url === '/jaeger/start') await stack.startJaeger();
      else return res.writeHead(404).end();
      res.writeHead(204).end();
    } catch (err) {
      res.writeHead(500).end(String(err?.message ?? err));
    }
  });
  await new Promise((resolve) => control.listen(0, '127.0.0.1', resolve));
  project.provide('stack', {
    urls: { ...stack.urls, control: `http://127.0.0.1:${control.address().port}` },
    ports: stack.ports,
    origins: TEST_ORIGINS,
    binaries: stack.binaries,
    sourcemapStore,
  });
}

export async function teardown() {
  control?.closeAllConnections();
  control?.close();
  await stack?.stop();
  if (sourcemapStore) rmSync(sourcemapStore, { recursive: true, force: true });
  if (jaegerData) rmSync(jaegerData, { recursive: true, force: true });
}
