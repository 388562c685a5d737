#!/usr/bin/env node
// Builds (once, cached) and runs the real pipeline: faultline's collector and Jaeger v2, on loopback.
// Used by the end-to-end tests and the demo, and runnable alone:
//   node collector-config/stack.mjs            start both, print where to look, Ctrl-C stops them
// Ports: DEFAULT_PORTS, each overridable (FAULTLINE_PORT_<NAME>, e.g. FAULTLINE_PORT_OTLP_HTTP=24318).
import { execFile, execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export const DEFAULT_PORTS = Object.freeze({
  otlpGrpc: 4317,
  otlpHttp: 4318,
  otlpTenantsHttp: 4319,
  collectorHealth: 13133,
  jaegerOtlpGrpc: 14317,
  jaegerOtlpHttp: 14318,
  jaegerHealth: 14133,
  jaegerQuery: 16686,
  jaegerQueryGrpc: 16685,
  collectorMetrics: 8889,
  prometheus: 9090,
  alertmanager: 9093,
  alertWebhook: 9095,
});

/** How long a component may take to become healthy before we give up with its log. */
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 10_000;

/** Ports from DEFAULT_PORTS, FAULTLINE_PORT_* variables and explicit overrides, in that order. */
export function resolvePorts(overrides = {}) {
  const ports = { ...DEFAULT_PORTS };
  for (const name of Object.keys(ports)) {
    const env = process.env[`FAULTLINE_PORT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`];
    if (env !== undefined) {
      const port = Number(env);
      if (!Number.isInteger(port) || port <= 0 || port > 65535)
        throw new Error(`faultline: invalid port ${env} for ${name}`);
      ports[name] = port;
    }
  }
  return { ...ports, ...overrides };
}

/** Builds what is missing (cached between runs) and returns the binaries' paths. */
export async function buildBinaries({ log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const run = (script) =>
    new Promise((resolve, reject) => {
      const child = execFile(
        'bash',
        [join(here, 'scripts', script)],
        { maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          if (err) reject(new Error(`faultline: ${script} failed:\n${stderr.trim()}`));
          else resolve(stdout.trim().split('\n').pop());
        },
      );
      child.stderr.on('data', (d) => {
        for (const line of String(d).trimEnd().split('\n')) log(line);
      });
    });
  const [collector, jaeger] = await Promise.all([run('build-collector.sh'), run('build-jaeger.sh')]);
  return { collector, jaeger };
}

/** Where Linux picks the source port of an outgoing connection: a server port in it can be taken by any client. */
export function ephemeralPortRange() {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    if (low > 0 && high >= low) return { low, high };
  } catch {}
  return { low: 32768, high: 60999 }; // Linux's default
}

/**
 * Checks a shift of the default ports (tests, benches) before anything starts: every shifted port (the
 * defaults plus up to `spread` above them) must lie above every default, so a demo on the defaults is left
 * alone, and below the ephemeral range, so no outgoing connection of this machine can hold it.
 */
export function assertPortShift(shift, spread, variable) {
  const values = Object.values(DEFAULT_PORTS);
  const lowest = Math.min(...values);
  const highest = Math.max(...values);
  const { low } = ephemeralPortRange();
  const min = highest - lowest + 1;
  const max = low - 1 - highest - spread;
  if (!Number.isInteger(shift) || shift < min || shift > max)
    throw new Error(
      `faultline: ${variable} must be an integer from ${min} to ${max} (ports above the defaults, below this machine's ephemeral range from ${low}), not ${shift}`,
    );
  return shift;
}

/** Throws a clear error when a port is already taken, instead of a component failing obscurely later. */
export async function assertPortsFree(ports, names) {
  for (const name of names) {
    const port = ports[name];
    await new Promise((resolve, reject) => {
      const server = createServer();
      server.once('error', (err) =>
        reject(
          new Error(
            err.code === 'EADDRINUSE'
              ? `faultline: port ${port} (${name}) is taken; stop what uses it or set FAULTLINE_PORT_${name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`
              : `faultline: cannot check port ${port} (${name}): ${err.message}`,
          ),
        ),
      );
      server.listen(port, '127.0.0.1', () => server.close(resolve));
    });
  }
}

/** Starts a binary with a config and environment, and resolves once `healthUrl` answers 2xx. */
async function startProcess({ name, binary, args, env, healthUrl }) {
  const child = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = [];
  const keep = (d) => {
    output.push(String(d));
    if (output.length > 200) output.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + START_TIMEOUT_MS;
  let early;
  exited.then((e) => {
    early = e;
  });
  for (;;) {
    if (early)
      throw new Error(
        `faultline: ${name} exited (${early.code ?? early.signal}) while starting:\n${output.join('').slice(-4000)}`,
      );
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `faultline: ${name} not healthy after ${START_TIMEOUT_MS / 1000}s:\n${output.join('').slice(-4000)}`,
      );
    }
    try {
      const res = await fetch(healthUrl, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    name,
    child,
    logs: () => output.join(''),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
    /** Ends it as a crash would: no shutdown, nothing flushed. */
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Where the demo keeps what must survive a restart (Jaeger's Badger store, the view's state). */
export function dataHome() {
  return (
    process.env.FAULTLINE_DATA || join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'faultline')
  );
}

/**
 * Starts Jaeger. `storage`: `badger` (the default: errors survive a restart) in `dataDir`, `memory`, or
 * `opensearch` at `opensearchUrl` (scale/README.md). `retention`: how long Badger keeps spans (336h).
 */
export function startJaeger({
  binary,
  ports,
  storage = 'badger',
  dataDir = join(dataHome(), 'jaeger'),
  retention,
  opensearchUrl,
}) {
  const loop = (p) => `127.0.0.1:${p}`;
  if (storage !== 'badger' && storage !== 'memory' && storage !== 'opensearch')
    throw new Error(`faultline: Jaeger storage must be badger, memory or opensearch, not ${storage}`);
  if (storage === 'opensearch' && !opensearchUrl)
    throw new Error('faultline: Jaeger on OpenSearch needs opensearchUrl');
  if (storage === 'badger') mkdirSync(dataDir, { recursive: true });
  const config =
    storage === 'opensearch' ? join(here, 'scale', 'jaeger-opensearch.yaml') : join(here, 'jaeger', 'jaeger.yaml');
  return startProcess({
    name: 'jaeger',
    binary,
    args: ['--config', config],
    env: {
      FAULTLINE_JAEGER_OTLP_GRPC: loop(ports.jaegerOtlpGrpc),
      FAULTLINE_JAEGER_OTLP_HTTP: loop(ports.jaegerOtlpHttp),
      FAULTLINE_JAEGER_HEALTH: loop(ports.jaegerHealth),
      FAULTLINE_JAEGER_QUERY: loop(ports.jaegerQuery),
      FAULTLINE_JAEGER_QUERY_GRPC: loop(ports.jaegerQueryGrpc),
      FAULTLINE_JAEGER_STORE: storage === 'badger' ? 'badger_store' : 'memory_store',
      // With memory storage the Badger backend still opens: ephemeral, it touches no directory.
      FAULTLINE_JAEGER_EPHEMERAL: storage === 'badger' ? 'false' : 'true',
      FAULTLINE_JAEGER_DATA: dataDir,
      FAULTLINE_JAEGER_UI_CONFIG: join(here, 'jaeger', 'jaeger-ui.json'),
      ...(retention ? { FAULTLINE_JAEGER_RETENTION: retention } : {}),
      ...(opensearchUrl ? { FAULTLINE_OPENSEARCH_URL: opensearchUrl } : {}),
    },
    healthUrl: `http://127.0.0.1:${ports.jaegerQuery}/api/services`,
  });
}

/**
 * Starts the collector on `config` (faultline.yaml by default; a list of files is merged in order, as the
 * scale-out gateway's `faultline.yaml` + `scale/gateway.yaml`). `name` is how errors call it.
 */
export function startCollector({
  binary,
  ports,
  storageDir,
  corsOrigins = ['http://localhost:8080'],
  config,
  env = {},
  name = 'collector',
}) {
  const loop = (p) => `127.0.0.1:${p}`;
  mkdirSync(storageDir, { recursive: true });
  const configs = [config ?? join(here, 'faultline.yaml')].flat();
  return startProcess({
    name,
    binary,
    args: configs.flatMap((file) => ['--config', file]),
    env: {
      FAULTLINE_OTLP_GRPC: loop(ports.otlpGrpc),
      FAULTLINE_OTLP_HTTP: loop(ports.otlpHttp),
      FAULTLINE_OTLP_TENANTS_HTTP: loop(ports.otlpTenantsHttp),
      FAULTLINE_COLLECTOR_HEALTH: loop(ports.collectorHealth),
      FAULTLINE_METRICS: loop(ports.collectorMetrics),
      FAULTLINE_JAEGER_OTLP_GRPC: loop(ports.jaegerOtlpGrpc),
      FAULTLINE_COLLECTOR_STORAGE: storageDir,
      FAULTLINE_CORS_ORIGINS: JSON.stringify(corsOrigins),
      ...env,
    },
    healthUrl: `http://127.0.0.1:${ports.collectorHealth}/`,
  });
}

/**
 * Durations in a Prometheus or Alertmanager file divided by `timeScale`: range selectors (`[5m]`),
 * offsets, `for:` and the intervals. The e2e suites run the shipped rules and routes this way, 60 times
 * faster, with every threshold and expression as users get them.
 */
export function scaleDurations(text, timeScale) {
  if (timeScale === 1) return text;
  const unit = { ms: 1, s: 1e3, m: 60e3, h: 3600e3, d: 86400e3, w: 604800e3, y: 31536000e3 };
  return text.replace(
    /(\[|offset\s+|\b(?:for|interval|scrape_interval|evaluation_interval|group_wait|group_interval|repeat_interval):\s*)((?:\d+(?:ms|s|m|h|d|w|y))+)/g,
    (_, before, duration) => {
      let ms = 0;
      for (const [, n, u] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) ms += Number(n) * unit[u];
      return `${before}${Math.max(1, Math.round(ms / timeScale))}ms`;
    },
  );
}

/** Installs Debian's prometheus and prometheus-alertmanager if they are missing (scripts/ensure-prometheus.sh). */
export function ensurePrometheus() {
  execFileSync('bash', [join(here, '..', 'scripts', 'ensure-prometheus.sh')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/**
 * Starts Prometheus on collector-config/prometheus/prometheus.yml and alerts.yml, with this run's ports:
 * it scrapes the collector's metrics and sends alerts to Alertmanager. `timeScale` as scaleDurations.
 */
export function startPrometheus({ ports, dataDir, timeScale = 1 }) {
  const dir = join(dataDir, 'config');
  mkdirSync(dir, { recursive: true });
  const source = (name) => scaleDurations(readFileSync(join(here, 'prometheus', name), 'utf8'), timeScale);
  writeFileSync(join(dir, 'alerts.yml'), source('alerts.yml'));
  writeFileSync(
    join(dir, 'prometheus.yml'),
    source('prometheus.yml')
      .replace(/(["'])127\.0\.0\.1:9093\1/, `'127.0.0.1:${ports.alertmanager}'`)
      .replace(/(["'])127\.0\.0\.1:8889\1/, `'127.0.0.1:${ports.collectorMetrics}'`),
  );
  return startProcess({
    name: 'prometheus',
    binary: 'prometheus',
    args: [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dataDir, 'tsdb')}`,
      `--web.listen-address=127.0.0.1:${ports.prometheus}`,
    ],
    healthUrl: `http://127.0.0.1:${ports.prometheus}/-/ready`,
  });
}

/** Starts Alertmanager on collector-config/prometheus/alertmanager.yml, sending to `webhookUrl`; no HA cluster. */
export function startAlertmanager({ ports, dataDir, webhookUrl, timeScale = 1 }) {
  mkdirSync(dataDir, { recursive: true });
  const config = join(dataDir, 'alertmanager.yml');
  writeFileSync(
    config,
    scaleDurations(readFileSync(join(here, 'prometheus', 'alertmanager.yml'), 'utf8'), timeScale).replace(
      'http://127.0.0.1:9095/alerts',
      webhookUrl,
    ),
  );
  return startProcess({
    name: 'alertmanager',
    binary: 'prometheus-alertmanager',
    args: [
      `--config.file=${config}`,
      `--storage.path=${join(dataDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${ports.alertmanager}`,
      '--cluster.listen-address=',
    ],
    healthUrl: `http://127.0.0.1:${ports.alertmanager}/-/ready`,
  });
}

/**
 * The alerting side of a run: a webhook on `ports.alertWebhook` that calls `onAlert(alert)` for every alert
 * of every notice Alertmanager sends (its JSON: status, labels, annotations), then Prometheus and
 * Alertmanager pointed at it (installed first if missing). `stop()` stops all three.
 */
export async function startAlerting({ ports, dataDir, timeScale = 1, onAlert }) {
  ensurePrometheus();
  const receiver = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      let alerts;
      try {
        alerts = JSON.parse(body).alerts;
      } catch {
        return res.writeHead(400).end();
      }
      for (const alert of Array.isArray(alerts) ? alerts : []) onAlert(alert);
      res.end();
    });
  });
  await new Promise((resolve, reject) => {
    receiver.once('error', reject);
    receiver.listen(ports.alertWebhook, '127.0.0.1', resolve);
  });
  const started = [];
  const stop = async () => {
    for (const p of started.reverse()) await p.stop();
    receiver.close();
  };
  try {
    started.push(await startPrometheus({ ports, dataDir: join(dataDir, 'prometheus'), timeScale }));
    started.push(
      await startAlertmanager({
        ports,
        dataDir: join(dataDir, 'alertmanager'),
        webhookUrl: `http://127.0.0.1:${ports.alertWebhook}/alerts`,
        timeScale,
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}

/**
 * Builds what is missing, checks the ports, starts Jaeger then the collector, and returns handles plus the
 * URLs to use. `stop()` stops both (collector first, so it can hand its last batch over).
 * `jaeger`: Jaeger's storage options (startJaeger).
 */
export async function startStack(options = {}) {
  const ports = resolvePorts(options.ports);
  // Prometheus, Alertmanager and the webhook start on their own (startPrometheus...), when asked for.
  const own = ['prometheus', 'alertmanager', 'alertWebhook'];
  await assertPortsFree(
    ports,
    Object.keys(ports).filter((name) => !own.includes(name)),
  );
  const binaries = options.binaries ?? (await buildBinaries(options));
  const storageDir = options.storageDir ?? mkdtempSync(join(tmpdir(), 'faultline-queue-'));
  const collectorOptions = {
    binary: binaries.collector,
    ports,
    storageDir,
    corsOrigins: options.corsOrigins,
    config: options.config,
    env: options.collectorEnv,
  };
  const stack = {
    ports,
    binaries,
    storageDir,
    collector: undefined,
    jaeger: undefined,
    urls: {
      otlpHttp: `http://127.0.0.1:${ports.otlpHttp}`,
      otlpTraces: `http://127.0.0.1:${ports.otlpHttp}/v1/traces`,
      otlpTenantsTraces: `http://127.0.0.1:${ports.otlpTenantsHttp}/v1/traces`,
      otlpGrpc: `127.0.0.1:${ports.otlpGrpc}`,
      jaegerQuery: `http://127.0.0.1:${ports.jaegerQuery}`,
      collectorMetrics: `http://127.0.0.1:${ports.collectorMetrics}/metrics`,
    },
    /** Stops Jaeger (the collector keeps queueing what it cannot deliver). */
    async stopJaeger() {
      await stack.jaeger?.stop();
    },
    /** Starts Jaeger again on the same ports and storage (Badger keeps what it had; memory starts empty). */
    async startJaeger() {
      stack.jaeger = await startJaeger({ binary: binaries.jaeger, ports, ...options.jaeger });
    },
    /**
     * Stops the collector (SIGTERM, or SIGKILL with `crash`) and starts it again on the same ports and
     * queue directory: what its persistent queues held is delivered by the new process.
     */
    async restartCollector({ crash = false } = {}) {
      await (crash ? stack.collector?.kill() : stack.collector?.stop());
      stack.collector = await startCollector(collectorOptions);
    },
    /** Stops both, the collector first so that it can hand its last batch over. */
    async stop() {
      await stack.collector?.stop();
      await stack.jaeger?.stop();
    },
  };
  try {
    stack.jaeger = await startJaeger({ binary: binaries.jaeger, ports, ...options.jaeger });
    stack.collector = await startCollector(collectorOptions);
  } catch (err) {
    await stack.jaeger?.stop();
    throw err;
  }
  return stack;
}

// CLI: start, print, wait for Ctrl-C.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const stack = await startStack().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
  console.log(`collector: OTLP/HTTP ${stack.urls.otlpHttp}  OTLP/gRPC ${stack.urls.otlpGrpc}`);
  console.log(`jaeger:    query API ${stack.urls.jaegerQuery}/api/traces?service=<name>`);
  console.log('Ctrl-C stops both.');
  const stop = async () => {
    await stack.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
