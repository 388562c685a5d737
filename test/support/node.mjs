// Running test apps under @faultline/node: the built agent, and an environment that points it at the test
// collector and inherits nothing else from the test process.
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';

const dist = resolve(import.meta.dirname, '../../packages/node/dist');
/** The preload, without its extension (register.cjs for --require, register.mjs for --import). */
export const REGISTER = `${dist}/register`;

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
