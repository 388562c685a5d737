// One report → OpenTelemetry data through @opentelemetry/api: a span named `exception` (status ERROR,
// `error.type`) carrying a span event `exception` with the semantic-convention attributes
// (https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-spans/). When a span is active, the
// same event is added to it and the exception span becomes its child, so the error sits in its trace.
// `exception.escaped` is deprecated and never set. Exceptions can also go out as log records
// (https://opentelemetry.io/docs/specs/semconv/exceptions/exceptions-logs/), chosen by
// OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN.
import {
  context,
  type Attributes as OtelAttributes,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { SEVERITY_NUMBERS, type Severity } from './classify';
import type { Withheld } from './rate-limit';
import type { Attributes } from './scrub';
import type { ExceptionRecord } from './types';

/** One error, normalized, scrubbed, fingerprinted and let through the rate limiter. */
export interface ExceptionReport {
  record: ExceptionRecord;
  fingerprint: string;
  /** Which hook caught it: `onerror`, `onunhandledrejection`, `uncaughtException`, `unhandledRejection`, `manual`... */
  mechanism: string;
  /** False when nothing in the app caught it. */
  handled: boolean;
  /** What kind of failure: network, timeout, rate_limit, auth, validation, server, client, code, resource, unknown. */
  category: string;
  /** Worth retrying: the same call may succeed later. */
  transient: boolean;
  /** fatal (it ends the process), error (unhandled), warn (handled), or what a rule or beforeSend says. */
  severity: Severity;
  /** What dedupe and rate limiting withheld since the previous report. */
  withheld: Withheld;
  /** Context: page, session, user, process... (already scrubbed). */
  attributes: Attributes;
  /** When it happened, in milliseconds since the epoch. */
  time: number;
  /** What happened before (clicks, navigation, failed requests...): span events on the exception span. */
  breadcrumbs?: Breadcrumb[];
}

/** One thing that happened before an error; recorded as a span event with its own timestamp. */
export interface Breadcrumb {
  /** Event name, e.g. `breadcrumb.click`, `breadcrumb.navigation`, `breadcrumb.console`. */
  name: string;
  /** Milliseconds since the epoch. */
  time: number;
  attributes?: Record<string, string | number | boolean>;
}

/** Which signals carry exceptions. */
export interface ExceptionSignals {
  spans: boolean;
  logs: boolean;
}

/** Status descriptions are for a glance; the full text is in the event. */
const MAX_STATUS_MESSAGE_LENGTH = 1024;

/**
 * Reads OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN: `logs` sends log records only, `logs/dup` sends both, anything
 * else (or nothing) keeps span events, the default.
 */
export function exceptionSignals(optIn: string | undefined): ExceptionSignals {
  const values = (optIn ?? '').split(',').map((v) => v.trim().toLowerCase());
  if (values.includes('logs/dup')) return { spans: true, logs: true };
  if (values.includes('logs')) return { spans: false, logs: true };
  return { spans: true, logs: false };
}

/** The attributes of the `exception` event (and of an exception log record). */
export function exceptionAttributes(report: ExceptionReport): OtelAttributes {
  const { record } = report;
  const attrs: OtelAttributes = {
    'exception.type': record.type,
    'exception.message': record.message,
    'exception.stacktrace': record.stacktrace,
    'faultline.fingerprint': report.fingerprint,
    'faultline.mechanism': report.mechanism,
    'faultline.handled': report.handled,
  };
  if (report.withheld.duplicates > 0) attrs['faultline.duplicates'] = report.withheld.duplicates;
  if (report.withheld.dropped > 0) attrs['faultline.dropped'] = report.withheld.dropped;
  if (record.causes.length > 0) {
    attrs['faultline.cause.relations'] = record.causes.map((c) => c.relation);
    attrs['faultline.cause.types'] = record.causes.map((c) => c.type);
    attrs['faultline.cause.messages'] = record.causes.map((c) => c.message);
  }
  return attrs;
}

/** Records the report as an `exception` span (and an event on the active span). Returns the span. */
export function recordExceptionSpan(tracer: Tracer, report: ExceptionReport): Span {
  const active = context.active();
  const parent = trace.getSpan(active);
  const eventAttributes = exceptionAttributes(report);
  if (parent?.isRecording()) parent.addEvent('exception', eventAttributes, report.time);

  const span = tracer.startSpan(
    'exception',
    {
      kind: SpanKind.INTERNAL,
      startTime: report.time,
      attributes: withAttributes(report.attributes as OtelAttributes, {
        'error.type': report.record.type,
        'faultline.fingerprint': report.fingerprint,
        'faultline.mechanism': report.mechanism,
        'faultline.handled': report.handled,
        'faultline.category': report.category,
        'faultline.transient': report.transient,
        'faultline.severity': report.severity,
      }),
    },
    active,
  );
  for (const crumb of report.breadcrumbs ?? []) span.addEvent(crumb.name, crumb.attributes, crumb.time);
  span.addEvent('exception', eventAttributes, report.time);
  const status = `${report.record.type}: ${report.record.message}`;
  span.setStatus({ code: SpanStatusCode.ERROR, message: status.slice(0, MAX_STATUS_MESSAGE_LENGTH) });
  span.end(report.time);
  return span;
}

/** Emits the report as an exception log record, in the active trace context. */
export function emitExceptionLog(logger: Logger, report: ExceptionReport): void {
  // beforeSend may have written anything there: an unknown severity is logged as ERROR.
  const severity = Object.hasOwn(SEVERITY_NUMBERS, report.severity) ? report.severity : 'error';
  logger.emit({
    eventName: 'exception',
    severityNumber: SEVERITY_NUMBERS[severity],
    severityText: severity.toUpperCase(),
    timestamp: report.time,
    context: context.active(),
    attributes: withAttributes(report.attributes as OtelAttributes, exceptionAttributes(report), {
      'error.type': report.record.type,
      'faultline.category': report.category,
      'faultline.transient': report.transient,
    }),
  } as Parameters<Logger['emit']>[0]);
}

/** A fresh attribute map: `Object.assign` rather than `{ ...a, b }`, which Node 20's V8 runs about eight
 * times slower, on every report. */
function withAttributes(...maps: OtelAttributes[]): OtelAttributes {
  return Object.assign({}, ...maps);
}
