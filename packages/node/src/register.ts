// `node --require @faultline/node/register app.js` (and `--import`, through register.mjs): installs the
// process hooks and nothing else. Runs again in every Worker and in the module-hooks thread; only the main
// thread installs hooks (Worker errors are reported by the parent, with the Worker's identity).
import { getAgent, SENDER_MARKER } from './agent';

/**
 * Node loads worker_threads into every Worker (and the module-hooks thread) before any preload runs, and
 * into the main thread only when something asks for it: where it is not loaded yet, this is the main thread.
 * Loading it to ask would cost 2 to 4 ms of every start-up (Node 20 to 24).
 */
function isWorkerLike(): boolean {
  const loaded = (process as { moduleLoadList?: unknown }).moduleLoadList;
  if (Array.isArray(loaded) && !loaded.includes('NativeModule worker_threads')) return false;
  const { isMainThread, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const isSender = typeof workerData === 'object' && workerData !== null && SENDER_MARKER in workerData;
  return !isMainThread || isSender;
}

if (!isWorkerLike()) getAgent().install();
