// Running test apps under @faultline/node: the built agent, and an environment that points it at the test
// collector and inherits nothing else from the test process.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';

const dist = resolve(import.meta.dirname, '../../packages/node/dist');
/** The preload, without its extension (register.cjs for --require, register.mjs for --import). */
export const REGISTER = `${dist}/register`;

/** A test dependency's entry file, as the suites resolve it (test/package.json). */
export const resolveModule = createRequire(import.meta.url).resolve;
/** A test dependency's folder (a framework app takes it as EXPRESS_MODULE and the like). */
export const packageDir = (name) => dirname(resolveModule(`${name}/package.json`));

/** The environment of an app reporting as `service` to the test collector; `extra` adds or overrides. */
export function agentEnv(otlpHttpUrl, service, extra = {}) {
  return {
    PATH: process.env.PATH,
    OTEL_SERVICE_NAME: service,
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttpUrl,
    // Apps require the agent's API through this (they live outside the workspace's node_modules).
    FAULTLINE_NODE_PACKAGE: `${dist}/index.cjs`,
    ...extra,
  };
}

/** The reports waiting in a spool directory: ready ones, and with `claimed`, those a process is sending. */
export function spoolFiles(dir, { claimed = false } = {}) {
  try {
    return readdirSync(dir).filter((n) => n.endsWith('.otlp.json') || (claimed && n.includes('.otlp.json.claimed-')));
  } catch {
    return [];
  }
}

/**
 * Starts a server app (`node ...args`) that prints `listening <port>`; resolves with its base URL.
 * `children` collects the process so that the suite can kill it afterwards.
 */
export async function startListening(node, args, env, children) {
  return (await startServer(node, args, env, children)).url;
}

/**
 * Starts a server app as startListening does and records what it prints; `stop()` ends it (SIGTERM) and
 * resolves with its whole stdout and stderr (the `listening` line left out), to compare two runs of the same
 * app; `exited` resolves with them and the exit code once it ends on its own.
 */
export function startServer(node, args, env, children) {
  const child = spawn(node, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => {
    err += d;
  });
  const closed = new Promise((resolveClosed) =>
    child.once('close', (code) => resolveClosed({ stdout: out.replace(/^listening \d+\n/, ''), stderr: err, code })),
  );
  const stop = () => {
    child.kill('SIGTERM');
    return closed;
  };
  return new Promise((resolvePromise, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const port = /listening (\d+)/.exec(out)?.[1];
      if (port) resolvePromise({ url: `http://127.0.0.1:${port}`, stop, exited: closed });
    });
    child.once('exit', (code) => reject(new Error(`the app exited (${code}): ${out}${err}`)));
  });
}

/**
 * What a server app printed, ready to compare with another run: without the frames of Node's scheduler
 * (`runNextTicks`, `processTimers`...). An async route resumed after a timer shows them when another timer was
 * due in the same tick (the agent's export socket has one; so does any HTTP client), so they say when a stack was
 * taken, not what the app did.
 */
export function comparablePrinted({ stdout, stderr, code }) {
  const scheduler =
    /^\s+at (?:runNextTicks|listOnTimeout|process\.processTimers|process\.processImmediate|process\.processTicksAndRejections) \(node:internal\/[^)]*\)\n/gm;
  return { stdout: stdout.replace(scheduler, ''), stderr: stderr.replace(scheduler, ''), code };
}

/** GETs each route in turn (`POST /path` posts a body of XML); returns "route status content-type body" lines,
 * to compare two apps' answers. */
export async function answersOf(base, routes) {
  const out = [];
  for (const route of routes) {
    const [, method = 'GET', path] = /^(?:(POST) )?(.*)$/.exec(route);
    const headers = {
      'user-agent': 'e2e-agent/1.0',
      ...(method === 'POST' ? { 'content-type': 'application/xml' } : {}),
    };
    const body = method === 'POST' ? '<order/>' : undefined;
    const res = await fetch(`${base}${path}`, { method, headers, body });
    out.push(`${route} ${res.status} ${res.headers.get('content-type')} ${await res.text()}`);
  }
  return out;
}

/** The tags a framework's report of `GET /orders/42` (route `/orders/:id`, answered 500) must carry. */
export function orderRouteReport(mechanism) {
  return {
    'faultline.mechanism': mechanism,
    'faultline.handled': true,
    'http.request.method': 'GET',
    'http.route': '/orders/:id',
    'url.path': '/orders/42',
    'http.response.status_code': 500,
    'user_agent.original': 'e2e-agent/1.0',
  };
}
