// A stand-in for the network between an agent and the real collector: forwards OTLP/HTTP requests to it,
// or fails them the way a collector that is down, overloaded or far away does. Every request is logged.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

/**
 * @param {string} target the collector's OTLP/HTTP base URL
 * @returns the proxy: `url`, `requests` ({ time, path }), `mode` ('forward' | 'unavailable' (503) |
 *   'throttled' (429 + Retry-After: retryAfterSeconds) | 'blackhole' (never answers)), `delayMs`, close()
 */
export async function collectorProxy(target) {
  const held = new Set();
  const proxy = {
    url: '',
    requests: [],
    mode: 'forward',
    delayMs: 0,
    retryAfterSeconds: 1,
    close: () =>
      new Promise((resolve) => {
        for (const res of held) res.destroy();
        server.closeAllConnections();
        server.close(resolve);
      }),
  };
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      proxy.requests.push({ time: Date.now(), path: req.url });
      const mode = proxy.mode;
      if (mode === 'blackhole') {
        held.add(res);
        return;
      }
      setTimeout(async () => {
        if (mode === 'unavailable') return res.writeHead(503).end();
        if (mode === 'throttled') return res.writeHead(429, { 'retry-after': String(proxy.retryAfterSeconds) }).end();
        try {
          const upstream = await fetch(`${target}${req.url}`, {
            method: 'POST',
            headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
            body: Buffer.concat(chunks),
          });
          res.writeHead(upstream.status, { 'content-type': 'application/json' }).end(await upstream.text());
        } catch {
          res.writeHead(502).end();
        }
      }, proxy.delayMs);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${server.address().port}`;
  return proxy;
}

/** Keeps `n` cores busy with CPU-bound processes (a loaded CI machine) until stop() is called. */
export function cpuBurners(n = 2) {
  const children = Array.from({ length: n }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
  const stopOne = (child) =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.on('exit', resolve);
      child.kill('SIGKILL');
    });
  return { stop: () => Promise.all(children.map(stopOne)) };
}
