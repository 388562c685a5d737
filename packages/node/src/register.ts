// `node --require @faultline/node/register app.js` (and `--import`, through register.mjs): installs the
// process hooks and nothing else. Runs again in every Worker and in the module-hooks thread; only the main
// thread installs hooks (Worker errors are reported by the parent, with the Worker's identity).
import { isMainThread, workerData } from 'node:worker_threads';
import { getAgent, SENDER_MARKER } from './agent';

const isSender = typeof workerData === 'object' && workerData !== null && SENDER_MARKER in workerData;
if (isMainThread && !isSender) getAgent().install();
