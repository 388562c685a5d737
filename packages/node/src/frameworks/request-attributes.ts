// The request an error happened in, as OpenTelemetry's HTTP semantic conventions name it
// (https://opentelemetry.io/docs/specs/semconv/http/http-spans/): method, route template, path without the
// query (which carries tokens more often than not), the status sent, the client's user agent.
import type { Attributes } from '@faultline/core';

export interface RequestFacts {
  method?: unknown;
  route?: unknown;
  url?: unknown;
  status?: number;
  userAgent?: unknown;
}

export function requestAttributes(facts: RequestFacts): Attributes {
  const out: Attributes = {};
  if (typeof facts.method === 'string') out['http.request.method'] = facts.method;
  if (typeof facts.route === 'string' && facts.route !== '') out['http.route'] = facts.route;
  if (typeof facts.url === 'string') out['url.path'] = facts.url.split(/[?#]/, 1)[0]!;
  if (typeof facts.status === 'number') out['http.response.status_code'] = facts.status;
  if (typeof facts.userAgent === 'string') out['user_agent.original'] = facts.userAgent;
  return out;
}

/** The status a framework's final handler answers for an error: its `status` or `statusCode` when 4xx/5xx, else the
 * response's own when it is an error status, else 500. */
export function errorStatus(error: unknown, responseStatus: unknown): number {
  for (const key of ['status', 'statusCode'] as const) {
    const value = readKey(error, key);
    if (typeof value === 'number' && value >= 400 && value <= 599) return value;
  }
  return typeof responseStatus === 'number' && responseStatus >= 400 && responseStatus <= 599 ? responseStatus : 500;
}

export function readKey(value: unknown, key: string): unknown {
  try {
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  } catch {
    return undefined; // a throwing getter
  }
}
