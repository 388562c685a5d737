// One OTLP/HTTP request while the process lives, with node:http and a callback. Not fetch: fetch's promises
// reject and are handled a moment later inside undici, and Node numbers every such rejection, so the ids in
// the app's own PromiseRejectionHandledWarning lines would shift. A callback creates no promise at all.
import type { Agent, ClientRequest, IncomingMessage, RequestOptions } from 'node:http';

export type PostOutcome = { delivered: true } | { delivered: false; status?: number; retryAfter?: string; why: string };

/** Connections of faultline's own (the app's global agent, its limits and proxies, are left alone). */
const agents: { http?: Agent; https?: Agent } = {};

/** The context key OpenTelemetry's instrumentations read to leave an exporter's own requests untraced. */
const SUPPRESS_TRACING = Symbol.for('OpenTelemetry SDK Context Key SUPPRESS_TRACING');
const OTEL_API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/**
 * POSTs `body`; `done` gets the outcome once. The request keeps the process alive for `holdMs` at most:
 * after that a process with nothing else to do may exit, and its exit path takes the report over.
 */
export function post(
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
  timing: { timeoutMs: number; holdMs: number },
  done: (outcome: PostOutcome) => void,
): void {
  let settled = false;
  const finish = (outcome: PostOutcome) => {
    if (settled) return;
    settled = true;
    done(outcome);
  };
  let req: ClientRequest;
  try {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const http = (secure ? require('node:https') : require('node:http')) as typeof import('node:http');
    const kind = secure ? 'https' : 'http';
    agents[kind] ??= new http.Agent({ keepAlive: true, maxSockets: 4 });
    const options: RequestOptions = {
      method: 'POST',
      agent: agents[kind],
      headers: { ...headers, 'content-length': String(body.byteLength) },
    };
    req = untraced(() => http.request(target, options));
  } catch (err) {
    finish({ delivered: false, why: `cannot send to ${url} (${(err as Error).message})` });
    return;
  }
  req.setTimeout(timing.timeoutMs, () => req.destroy(new Error(`no answer in ${timing.timeoutMs} ms`)));
  req.on('socket', (socket) => {
    const hold = setTimeout(() => socket.unref(), timing.holdMs);
    hold.unref();
    req.on('close', () => clearTimeout(hold));
  });
  req.on('error', (err) => finish({ delivered: false, why: `could not reach ${url} (${err.message})` }));
  req.on('response', (res: IncomingMessage) => {
    const status = res.statusCode ?? 0;
    res.on('error', () => {});
    res.resume(); // the body is not needed; reading it frees the connection for the next request
    res.on('end', () => {
      if (status >= 200 && status < 300) finish({ delivered: true });
      else {
        const retryAfter = res.headers['retry-after'];
        finish({ delivered: false, status, retryAfter, why: `the collector answered ${status}` });
      }
    });
  });
  req.end(body);
}

/** Runs `fn` with tracing suppressed when the app registered OpenTelemetry (so our POST is not a span). */
function untraced<T>(fn: () => T): T {
  const api = (globalThis as Record<symbol, { context?: unknown } | undefined>)[OTEL_API_GLOBAL];
  if (!api?.context) return fn();
  const { context } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  return context.with(context.active().setValue(SUPPRESS_TRACING, true), fn);
}
