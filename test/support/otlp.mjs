// Builds OTLP/JSON trace payloads the way an SDK would send them, for tests that talk to the collector
// directly. https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding
import { randomBytes } from 'node:crypto';

export const newTraceId = () => randomBytes(16).toString('hex');
export const newSpanId = () => randomBytes(8).toString('hex');

/** One attribute list from a plain object (strings, numbers, booleans). */
export function attributes(obj) {
  return Object.entries(obj).map(([key, v]) => ({
    key,
    value:
      typeof v === 'number'
        ? Number.isInteger(v)
          ? { intValue: String(v) }
          : { doubleValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : { stringValue: String(v) },
  }));
}

/**
 * An exception span as faultline's agents send it: span "exception", status ERROR, one "exception" event.
 * `timeMs` dates it (a late arrival keeps its old time).
 * @param {{ traceId?: string, resource?: object, attributes?: object, event?: object, statusMessage?: string, name?: string, timeMs?: number }} o
 */
export function exceptionSpan(o = {}) {
  const now = BigInt(Math.round(o.timeMs ?? Date.now())) * 1_000_000n;
  const traceId = o.traceId ?? newTraceId();
  return {
    traceId,
    payload: {
      resourceSpans: [
        {
          resource: { attributes: attributes({ 'service.name': 'e2e', ...o.resource }) },
          scopeSpans: [
            {
              scope: { name: '@faultline/e2e' },
              spans: [
                {
                  traceId,
                  spanId: newSpanId(),
                  name: o.name ?? 'exception',
                  kind: 1,
                  startTimeUnixNano: String(now),
                  endTimeUnixNano: String(now + 1000n),
                  status: { code: 2, message: o.statusMessage ?? 'Error: boom' },
                  attributes: attributes({ 'error.type': 'Error', ...o.attributes }),
                  events: [
                    {
                      timeUnixNano: String(now),
                      name: 'exception',
                      attributes: attributes({
                        'exception.type': 'Error',
                        'exception.message': 'boom',
                        'exception.stacktrace': 'Error: boom\n    at main (/srv/app/index.js:1:1)',
                        ...o.event,
                      }),
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    },
  };
}

/** POSTs an OTLP/JSON payload; returns the response. */
export function sendOtlp(url, payload, headers = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
}
