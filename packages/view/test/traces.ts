// Jaeger v1 JSON as the query API returns it, for the index's tests: faultline's exception spans (with the
// copy of the event on an active parent span), withheld spans and other SDKs' marked spans.
import type { JaegerSpan, JaegerTag, JaegerTrace } from '../src/jaeger-json';

const tag = (key: string, value: unknown): JaegerTag => ({
  key,
  type: typeof value === 'boolean' ? 'bool' : typeof value === 'number' ? 'int64' : 'string',
  value,
});

export interface ErrorSpec {
  traceId: string;
  spanId: string;
  fingerprint: string;
  timeMs: number;
  duplicates?: number;
  user?: string;
  release?: string;
  environment?: string;
  handled?: boolean;
  /** Also put the event on an active parent span, as the agents do when a span is active. */
  withParent?: boolean;
  losses?: Record<string, number>;
}

export function exceptionTrace(spec: ErrorSpec): JaegerTrace {
  const event = [
    tag('event', 'exception'),
    tag('exception.type', 'TypeError'),
    tag('exception.message', `boom ${spec.fingerprint}`),
    tag(
      'exception.stacktrace',
      `TypeError: boom\n    at checkout (/srv/app/src/cart.js:12:5)\n    at node:internal/timers:1:1`,
    ),
    tag('faultline.fingerprint', spec.fingerprint),
    tag('faultline.mechanism', 'uncaughtException'),
    tag('faultline.handled', spec.handled ?? false),
    ...(spec.duplicates ? [tag('faultline.duplicates', spec.duplicates)] : []),
  ];
  const spans: JaegerSpan[] = [
    {
      traceID: spec.traceId,
      spanID: spec.spanId,
      operationName: 'exception',
      startTime: spec.timeMs * 1000,
      processID: 'p1',
      tags: [
        tag('faultline.fingerprint', spec.fingerprint),
        tag('faultline.mechanism', 'uncaughtException'),
        tag('faultline.handled', spec.handled ?? false),
        ...(spec.user ? [tag('user.id', spec.user)] : []),
        ...Object.entries(spec.losses ?? {}).map(([k, v]) => tag(k, v)),
      ],
      logs: [{ timestamp: spec.timeMs * 1000, fields: event }],
    },
  ];
  if (spec.withParent)
    spans.push({
      traceID: spec.traceId,
      spanID: `p${spec.spanId.slice(1)}`,
      operationName: 'GET /checkout',
      startTime: spec.timeMs * 1000 - 5000,
      processID: 'p1',
      tags: [tag('faultline.exception', true)],
      logs: [{ timestamp: spec.timeMs * 1000, fields: event }],
    });
  return {
    traceID: spec.traceId,
    spans,
    processes: {
      p1: {
        serviceName: 'shop',
        tags: [
          tag('service.name', 'shop'),
          ...(spec.release ? [tag('service.version', spec.release)] : []),
          ...(spec.environment ? [tag('deployment.environment.name', spec.environment)] : []),
        ],
      },
    },
  };
}

export function withheldTrace(spec: {
  traceId: string;
  spanId: string;
  timeMs: number;
  byFingerprint: [string, number][];
  unattributed?: number;
}): JaegerTrace {
  const attributed = spec.byFingerprint.reduce((n, [, c]) => n + c, 0);
  return {
    traceID: spec.traceId,
    spans: [
      {
        traceID: spec.traceId,
        spanID: spec.spanId,
        operationName: 'faultline.withheld',
        startTime: spec.timeMs * 1000,
        processID: 'p1',
        tags: [
          tag('faultline.duplicates', attributed + (spec.unattributed ?? 0)),
          tag('faultline.dropped', 0),
          tag('faultline.withheld.fingerprints', JSON.stringify(spec.byFingerprint.map(([f]) => f))),
          tag('faultline.withheld.duplicates', JSON.stringify(spec.byFingerprint.map(([, c]) => c))),
        ],
      },
    ],
    processes: { p1: { serviceName: 'shop', tags: [tag('service.name', 'shop')] } },
  };
}

/** A span of another SDK that faultline's collector component marked. */
export function markedTrace(spec: {
  traceId: string;
  spanId: string;
  fingerprint: string;
  timeMs: number;
}): JaegerTrace {
  return {
    traceID: spec.traceId,
    spans: [
      {
        traceID: spec.traceId,
        spanID: spec.spanId,
        operationName: 'GET /orders',
        startTime: spec.timeMs * 1000,
        processID: 'p1',
        tags: [tag('faultline.exception', true), tag('faultline.fingerprint', spec.fingerprint)],
        logs: [
          {
            timestamp: spec.timeMs * 1000,
            fields: [
              tag('event', 'exception'),
              tag('exception.type', 'ValueError'),
              tag('exception.message', 'bad order'),
              tag(
                'exception.stacktrace',
                'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nValueError: bad order',
              ),
            ],
          },
        ],
      },
    ],
    processes: { p1: { serviceName: 'orders-py', tags: [tag('service.name', 'orders-py')] } },
  };
}
