// Which stored spans are errors, and what the index keeps of each.
//
// An error is counted once, on the span that carries it:
// - faultline's agents send each error as a span named `exception` with `faultline.fingerprint`. The same
//   `exception` event is also added to the span that was active where the error happened (an HTTP span, say):
//   that copy is never counted;
// - other SDKs record exceptions as events on their own spans; faultline's collector component marks those
//   spans `faultline.exception: true` and gives them a fingerprint.
// A `faultline.withheld` span carries what rate limiting held back (per fingerprint) and what the agent lost.
import { parseStack } from '@faultline/core';
import { count, eventFields, flag, type JaegerSpan, type JaegerTrace, list, tagMap, text } from './jaeger-json';
import { browserOf, systemOf } from './user-agent';

/** One error occurrence as the index sees it. */
export interface ErrorEvent {
  traceId: string;
  spanId: string;
  /** Milliseconds since the epoch. */
  time: number;
  service: string;
  fingerprint: string;
  type: string;
  message: string;
  stacktrace: string;
  /** 1 + the duplicates of it that the agent withheld and counted on it. */
  events: number;
  handled: boolean;
  mechanism: string;
  release?: string;
  environment?: string;
  user?: string;
  session?: string;
  /** The values the issue page spreads: browser, os, url, release, environment, mechanism, runtime. */
  tags: Record<string, string>;
  /** What never arrived, as counted by the agent on this span (`faultline.*.dropped`, `faultline.failed`...). */
  losses: Record<string, number>;
}

/** Duplicates that rode on a `faultline.withheld` span, and the agent's losses. */
export interface WithheldReport {
  traceId: string;
  spanId: string;
  time: number;
  service: string;
  /** Duplicates per fingerprint. */
  byFingerprint: [fingerprint: string, duplicates: number][];
  /** Duplicates of fingerprints the agent forgot to make room (its table is bounded): counted, unassigned. */
  unattributed: number;
  losses: Record<string, number>;
}

export interface TraceErrors {
  errors: ErrorEvent[];
  withheld: WithheldReport[];
}

/** The latest time a Date can hold, in ms. */
const MAX_DATE_MS = 8.64e15;

/** Loss counters the agents put on their spans. */
const LOSS_KEY = /^faultline\.(?:[a-z_]+\.)?dropped$|^faultline\.(?:failed|refused)$/;

/** The tag keys an issue spreads, in the order the page shows them. */
export const SPREAD_TAGS = ['browser', 'os', 'url', 'release', 'environment', 'mechanism', 'runtime'] as const;

/** The errors and withheld reports in one trace. Never throws: a span it cannot read is skipped. */
export function errorsOfTrace(trace: JaegerTrace): TraceErrors {
  const out: TraceErrors = { errors: [], withheld: [] };
  if (!trace || !Array.isArray(trace.spans)) return out;
  for (const span of trace.spans) {
    try {
      // A time the index can bucket and print: without one a span is no event (`new Date(NaN)` throws later).
      if (!(Math.abs(span.startTime / 1000) <= MAX_DATE_MS)) continue;
      if (span.operationName === 'faultline.withheld') {
        const withheld = withheldOf(trace, span);
        if (withheld) out.withheld.push(withheld);
        continue;
      }
      const error = errorOf(trace, span);
      if (error) out.errors.push(error);
    } catch {
      // A malformed span is not an error report.
    }
  }
  return out;
}

function attributesOf(
  trace: JaegerTrace,
  span: JaegerSpan,
): { resource: Record<string, unknown>; all: Record<string, unknown> } {
  const process = span.processID ? trace.processes?.[span.processID] : undefined;
  const resource = tagMap(process?.tags);
  if (process?.serviceName && resource['service.name'] === undefined) resource['service.name'] = process.serviceName;
  return { resource, all: { ...resource, ...tagMap(span.tags) } };
}

function errorOf(trace: JaegerTrace, span: JaegerSpan): ErrorEvent | undefined {
  const spanTags = tagMap(span.tags);
  const ownSpan = span.operationName === 'exception' && typeof spanTags['faultline.fingerprint'] === 'string';
  const marked = flag(spanTags['faultline.exception']) === true;
  if (!ownSpan && !marked) return undefined;
  const event = eventFields(span, 'exception');
  // A marked span that holds faultline's copy of the event (first or not: an instrumentation may have recorded
  // the same error there before): the error is counted on its own span.
  if (!ownSpan && holdsFaultlineCopy(span)) return undefined;
  const fingerprint = text(spanTags['faultline.fingerprint']) ?? text(event?.['faultline.fingerprint']);
  if (!fingerprint || typeof span.spanID !== 'string' || typeof span.traceID !== 'string') return undefined;

  const { all } = attributesOf(trace, span);
  const type = text(event?.['exception.type']) ?? text(all['error.type']) ?? 'Error';
  const message = text(event?.['exception.message']) ?? '';
  const mechanism = text(all['faultline.mechanism']) ?? (ownSpan ? 'unknown' : 'instrumentation');
  const handled = flag(all['faultline.handled']) ?? !ownSpan;
  const release = text(all['service.version']);
  const environment = text(all['deployment.environment.name']) ?? text(all['deployment.environment']);
  const userAgent = text(all['user_agent.original']);
  const tags: Record<string, string> = { mechanism };
  if (release) tags.release = release;
  if (environment) tags.environment = environment;
  if (userAgent) {
    const browser = browserOf(userAgent);
    const os = systemOf(userAgent);
    if (browser) tags.browser = browser;
    if (os) tags.os = os;
  } else {
    const os = text(all['os.type']);
    if (os) tags.os = os;
  }
  const runtime = text(all['process.runtime.name']);
  if (runtime) tags.runtime = `${runtime} ${text(all['process.runtime.version']) ?? ''}`.trim();
  const url = text(all['url.path']) ?? pathOf(text(all['url.full']));
  if (url) tags.url = url;

  const losses = lossesOf(spanTags);
  // The rate limiter's count rides on the event (`faultline.dropped`), beside the duplicates.
  const dropped = count(event?.['faultline.dropped']);
  if (dropped > 0) losses['faultline.dropped'] = (losses['faultline.dropped'] ?? 0) + dropped;

  return {
    ...whereAndWhen(span, all),
    fingerprint,
    type,
    message,
    stacktrace: text(event?.['exception.stacktrace']) ?? '',
    events: 1 + count(event?.['faultline.duplicates']),
    handled,
    mechanism,
    release,
    environment,
    user: text(all['user.id']) ?? text(all['enduser.id']),
    session: text(all['session.id']),
    tags,
    losses,
  };
}

function holdsFaultlineCopy(span: JaegerSpan): boolean {
  return (span.logs ?? []).some((log) => {
    const fields = Array.isArray(log?.fields) ? tagMap(log.fields) : {};
    return fields.event === 'exception' && fields['faultline.mechanism'] !== undefined;
  });
}

function withheldOf(trace: JaegerTrace, span: JaegerSpan): WithheldReport | undefined {
  if (typeof span.spanID !== 'string') return undefined;
  const { all } = attributesOf(trace, span);
  const spanTags = tagMap(span.tags);
  const fingerprints = list(spanTags['faultline.withheld.fingerprints']);
  const counts = list(spanTags['faultline.withheld.duplicates']);
  const byFingerprint: [string, number][] = [];
  let attributed = 0;
  for (let i = 0; i < fingerprints.length; i++) {
    const fp = fingerprints[i];
    const n = count(counts[i]);
    if (typeof fp !== 'string' || n === 0) continue;
    byFingerprint.push([fp, n]);
    attributed += n;
  }
  return {
    ...whereAndWhen(span, all),
    byFingerprint,
    unattributed: Math.max(0, count(spanTags['faultline.duplicates']) - attributed),
    losses: lossesOf(spanTags),
  };
}

function whereAndWhen(span: JaegerSpan, all: Record<string, unknown>) {
  return {
    traceId: span.traceID,
    spanId: span.spanID,
    time: Math.floor(span.startTime / 1000),
    service: text(all['service.name']) ?? 'unknown',
  };
}

function lossesOf(spanTags: Record<string, unknown>): Record<string, number> {
  const losses: Record<string, number> = {};
  for (const [key, value] of Object.entries(spanTags))
    if (LOSS_KEY.test(key) && count(value) > 0) losses[key] = count(value);
  return losses;
}

function pathOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).pathname;
  } catch {
    return undefined;
  }
}

/** The text of the root error's own stack (before the first `Caused by:` section). */
export function rootStack(stacktrace: string): string {
  const cut = stacktrace.search(/\nCaused by(?: \([^)]*\))?: /);
  return cut < 0 ? stacktrace : stacktrace.slice(0, cut);
}

/** Frames an alert shows. */
const TOP_FRAMES = 3;

/**
 * The top in-app frames of the root error, `fn (dir/file.js:12)`, innermost first (the top frames that are
 * not native when none is the app's own). The first is the issue's culprit.
 */
export function topFramesOf(stacktrace: string): string[] {
  const frames = parseStack(rootStack(stacktrace));
  const own = frames.filter((f) => f.inApp);
  const chosen = (own.length > 0 ? own : frames.filter((f) => !f.native)).slice(0, TOP_FRAMES);
  const out: string[] = [];
  for (const frame of chosen) {
    const file = frame.file ? shortFile(frame.file) : undefined;
    const where = file ? `${file}${frame.line ? `:${frame.line}` : ''}` : undefined;
    const text = frame.function && where ? `${frame.function} (${where})` : (frame.function ?? where);
    if (text) out.push(text);
  }
  return out;
}

export function culpritOf(stacktrace: string): string | undefined {
  return topFramesOf(stacktrace)[0];
}

/** The last two path segments of a file or URL, without query or hash; a URL's host when it has no path. */
function shortFile(file: string): string {
  let path = file.replace(/[?#].*$/, '');
  const scheme = /^[a-z][\w+.-]*:\/\/([^/]*)/i.exec(path);
  if (scheme) {
    const rest = path.slice(scheme[0].length);
    path = /[^/]/.test(rest) ? rest : scheme[1]!;
  }
  return path.split('/').filter(Boolean).slice(-2).join('/');
}
