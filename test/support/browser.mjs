// Headless Chromium from Debian (/usr/bin/chromium) driven by playwright-core, and a tiny static server for
// the test pages on the origin the collector allows (support/global-setup.mjs TEST_ORIGINS).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { PAGE_PORT } from './ports.mjs';

export const PAGE_ORIGIN = `http://localhost:${PAGE_PORT}`;
/** A second origin, for cross-origin cases. */
export const OTHER_ORIGIN = `http://localhost:${PAGE_PORT + 1}`;
const dist = resolve(import.meta.dirname, '../../packages/browser/dist');

export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.FAULTLINE_CHROMIUM || '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Serves `pages` (path → HTML, or a function of the request giving it) and the agent (/faultline.min.js,
 * /faultline-loader.min.js) on `origin`.
 */
export async function servePages(pages, origin = PAGE_ORIGIN) {
  const server = createServer((req, res) => {
    const path = new URL(req.url, PAGE_ORIGIN).pathname;
    if (/^\/faultline(-loader|-logs)?\.min\.js$/.test(path)) {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(readFileSync(`${dist}${path}`));
      return;
    }
    const page = pages[path];
    const html = typeof page === 'function' ? page(req) : page;
    if (html === undefined) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': path.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(html);
  });
  await new Promise((r) => server.listen(Number(new URL(origin).port), '127.0.0.1', r));
  return { close: () => new Promise((r) => server.close(r)) };
}

/** Waits until the agent on `tab` is running (window.faultline is its API, not the loader's queue). */
export function agentReady(tab) {
  return tab.waitForFunction(() => typeof window.faultline?.flush === 'function');
}

/** Sends what the agent on `tab` holds (window.faultline.flush()) and waits for it. */
export function flushAgent(tab) {
  return tab.evaluate(() => window.faultline.flush());
}
