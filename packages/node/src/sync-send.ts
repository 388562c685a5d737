// Delivering a report from a process that is about to die. An asynchronous request started from an exit
// or crash handler never completes (the event loop is gone), so the request runs in a short-lived Worker
// with its own event loop while the main thread blocks on Atomics.wait, up to a deadline (one Worker for all
// the requests of that moment: starting one costs more than the requests). No app code runs
// on the main thread meanwhile. https://nodejs.org/api/worker_threads.html
import { Worker } from 'node:worker_threads';
import { SENDER_MARKER } from './agent';

/** The Worker's job: every POST at once; cell i+1 gets request i's HTTP status (-1: no answer) and cell 0
 * counts the finished ones. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { cells, requests, timeoutMs } = workerData;
requests.forEach(({ url, headers, body }, i) => {
  let settled = false;
  const done = (outcome) => {
    if (settled) return;
    settled = true;
    Atomics.store(cells, i + 1, outcome);
    const finished = Atomics.add(cells, 0, 1) + 1;
    Atomics.notify(cells, 0);
    if (finished === requests.length) process.exit(); // its idle connections need not linger
  };
  try {
    const target = new URL(url);
    const http = require(target.protocol === 'https:' ? 'node:https' : 'node:http');
    const req = http.request(target, { method: 'POST', headers: { ...headers, 'content-length': body.byteLength } });
    req.setTimeout(timeoutMs, () => req.destroy());
    req.on('error', () => done(-1));
    req.on('response', (res) => { res.resume(); res.on('end', () => done(res.statusCode)); res.on('error', () => done(-1)); });
    req.end(body);
  } catch {
    done(-1);
  }
});
`;

/** An HTTP status, 'failed' (no answer) or 'timeout' (still waiting at the deadline). */
export type SyncOutcome = number | 'failed' | 'timeout';

export interface SyncRequest {
  url: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/** POSTs every request in parallel and blocks the calling thread until all are settled or `timeoutMs` passes. */
export function postAllSync(requests: SyncRequest[], timeoutMs: number): SyncOutcome[] {
  if (requests.length === 0) return [];
  const cells = new Int32Array(new SharedArrayBuffer(4 * (requests.length + 1)));
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      env: { ...process.env, NODE_OPTIONS: '' },
      workerData: { cells, requests, timeoutMs, [SENDER_MARKER]: true },
      stdout: true,
      stderr: true,
    });
  } catch {
    return requests.map((): SyncOutcome => 'failed');
  }
  worker.unref();
  const deadline = Date.now() + timeoutMs + 100;
  for (let finished = 0; finished < requests.length; finished = Atomics.load(cells, 0)) {
    const left = deadline - Date.now();
    if (left <= 0 || Atomics.wait(cells, 0, finished, left) === 'timed-out') break;
  }
  // Not terminate(): its promise and handles would wake this thread's event loop, and a process at
  // `beforeExit` would run the app's handlers again. The Worker is unref'd and ends on its own.
  return requests.map((_, i): SyncOutcome => {
    const status = Atomics.load(cells, i + 1);
    return status > 0 ? status : status === 0 ? 'timeout' : 'failed';
  });
}
