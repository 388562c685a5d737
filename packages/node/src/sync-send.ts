// Delivering a report from a process that is about to die. An asynchronous request started from an exit
// or crash handler never completes (the event loop is gone), so the request runs in a short-lived Worker
// with its own event loop while the main thread blocks on Atomics.wait, up to a deadline. No app code runs
// on the main thread meanwhile. https://nodejs.org/api/worker_threads.html
import { Worker } from 'node:worker_threads';

/** The Worker's job: one POST, then the outcome in the shared cell (1 = delivered, 2 = failed). */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const { cell, url, headers, body, timeoutMs } = workerData;
const done = (outcome) => { Atomics.store(cell, 0, outcome); Atomics.notify(cell, 0); };
fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) })
  .then((res) => { res.arrayBuffer().catch(() => {}); done(res.ok ? 1 : 2); }, () => done(2));
`;

/** Marks the sender Worker, so that faultline's preload (inherited by Workers) stays out of it. */
export const SENDER_MARKER = '__faultlineSender';

export type SyncOutcome = 'delivered' | 'failed' | 'timeout';

/** POSTs `body` and blocks the calling thread until it is delivered, fails, or `timeoutMs` passes. */
export function postSync(
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
  timeoutMs: number,
): SyncOutcome {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker;
  try {
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      env: { ...process.env, NODE_OPTIONS: '' },
      workerData: { cell, url, headers, body, timeoutMs, [SENDER_MARKER]: true },
      stdout: true,
      stderr: true,
    });
  } catch {
    return 'failed';
  }
  worker.unref();
  const waited = Atomics.wait(cell, 0, 0, timeoutMs + 100);
  const outcome = Atomics.load(cell, 0);
  void worker.terminate().catch(() => {});
  if (outcome === 1) return 'delivered';
  return waited === 'timed-out' ? 'timeout' : 'failed';
}
