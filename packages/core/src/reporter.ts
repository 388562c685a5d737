// The one path every captured error takes, in both agents:
//   normalizeError → scrub → fingerprint → rate limit (dedupe + token bucket) → beforeSend → span / log.
// The runtime packages only decide *when* to call capture() and what context to add.
import type { Tracer } from '@opentelemetry/api';
import type { Logger } from '@opentelemetry/api-logs';
import { type ClassificationRule, classify, compileRules, defaultSeverity, type RuntimeRules } from './classify';
import {
  type Breadcrumb,
  type ExceptionReport,
  type ExceptionSignals,
  emitExceptionLog,
  recordExceptionSpan,
} from './exception-signal';
import { fingerprint } from './fingerprint';
import { normalizeError } from './normalize-error';
import { createRateLimiter, type RateLimitOptions } from './rate-limit';
import { isObjectLike } from './safe-read';
import { type Attributes, createScrubber, type Scrubber, type ScrubOptions } from './scrub';

export interface ReporterOptions {
  tracer: Tracer;
  /** Needed only when `signals.logs` is on. */
  logger?: Logger;
  signals?: ExceptionSignals;
  scrub?: ScrubOptions;
  rateLimit?: RateLimitOptions;
  /** The app's classification rules, tried before the built-in table. */
  classify?: ClassificationRule[];
  /** The runtime's own built-in rules, tried before the shared ones (the Node agent's NODE_RULES). */
  runtimeRules?: RuntimeRules;
  /** Told once about each rule of `classify` that is left out, and why. */
  warn?: (message: string) => void;
  /** Last look at a report: return it (changed or not) to send it, null to drop it. */
  beforeSend?: (report: ExceptionReport) => ExceptionReport | null | undefined;
  /** Clock in milliseconds since the epoch. */
  now?: () => number;
}

export interface CaptureOptions {
  mechanism: string;
  handled: boolean;
  /** It ends the process (severity fatal). */
  fatal?: boolean;
  attributes?: Attributes;
  /** Recent breadcrumbs, oldest first (scrubbed here like everything else). */
  breadcrumbs?: Breadcrumb[];
}

/** What the reporter did, so that nothing it drops goes uncounted. */
export interface ReporterStats {
  captured: number;
  reported: number;
  /** Collapsed into an earlier report of the same fingerprint. */
  duplicates: number;
  /** Withheld by the token bucket. */
  dropped: number;
  /** Dropped by beforeSend. */
  filtered: number;
  /** The same error object captured again (captured by hand, then rethrown). */
  repeated: number;
  /** Reports that failed inside the reporter or the OpenTelemetry pipeline. */
  failed: number;
}

export interface ExceptionReporter {
  /** Reports one thrown value; returns the report sent, or undefined when it was withheld. Never throws. */
  capture(value: unknown, options: CaptureOptions): ExceptionReport | undefined;
  /** Sends what the rate limiter still holds as one `faultline.withheld` span (on shutdown / page hide):
   * the totals, and the duplicates of each fingerprint. `losses` are the agent's own counts of what it lost
   * (`faultline.spool.dropped`...): the span goes out for them too. True when the span was sent. */
  reportWithheld(attributes?: Attributes, losses?: Record<string, number>): boolean;
  readonly stats: Readonly<ReporterStats>;
  readonly scrubber: Scrubber;
}

/** The withheld span's length: long enough to end after it starts on every clock. */
const WITHHELD_SPAN_MS = 0.001;

export function createExceptionReporter(options: ReporterOptions): ExceptionReporter {
  const scrubber = createScrubber(options.scrub);
  const limiter = createRateLimiter({ ...options.rateLimit, now: options.rateLimit?.now ?? options.now });
  const signals = options.signals ?? { spans: true, logs: false };
  const now = options.now ?? Date.now;
  const rules = compileRules(options.classify);
  for (const error of rules.errors) options.warn?.(`faultline: ignoring ${error}`);
  // Error objects already reported: an error captured by hand and rethrown is reported once.
  const reportedObjects = new WeakSet<object>();
  const stats: ReporterStats = {
    captured: 0,
    reported: 0,
    duplicates: 0,
    dropped: 0,
    filtered: 0,
    repeated: 0,
    failed: 0,
  };

  const emit = (report: ExceptionReport) => {
    if (signals.spans) recordExceptionSpan(options.tracer, report);
    if (signals.logs && options.logger) emitExceptionLog(options.logger, report);
  };
  // Reports lost since the last one that went out (a beforeSend that threw or returned something that is not
  // a report, an error inside the reporter or the SDK): the next report carries the count.
  let lost = 0;
  return {
    stats,
    scrubber,
    capture(value, capture) {
      stats.captured++;
      try {
        if (isObjectLike(value)) {
          if (reportedObjects.has(value)) {
            stats.repeated++;
            return undefined;
          }
          reportedObjects.add(value);
        }
        const record = scrubber.record(normalizeError(value));
        const id = fingerprint(record);
        const admission = limiter.admit(id);
        if (!admission.report) {
          // Counted here and by the limiter; the counts go out with the next report.
          stats[admission.reason === 'duplicate' ? 'duplicates' : 'dropped']++;
          return undefined;
        }
        const kind = classify(record, rules.rules, options.runtimeRules);
        let report: ExceptionReport | null | undefined = {
          record,
          fingerprint: id,
          mechanism: capture.mechanism,
          handled: capture.handled,
          category: kind.category,
          transient: kind.transient,
          severity: kind.severity ?? defaultSeverity(capture.handled, capture.fatal === true),
          withheld: admission.withheld,
          attributes: capture.attributes ? scrubber.attributes(capture.attributes) : {},
          time: now(),
          breadcrumbs: capture.breadcrumbs?.map((b) => ({
            name: b.name,
            time: b.time,
            attributes: b.attributes && scrubber.attributes(b.attributes),
          })),
        };
        if (options.beforeSend) {
          report = options.beforeSend(report);
          if (!report) {
            stats.filtered++;
            return undefined;
          }
        }
        const failed = lost;
        if (failed > 0) report.attributes = Object.assign({}, report.attributes, { 'faultline.failed': failed });
        emit(report);
        lost -= failed;
        stats.reported++;
        return report;
      } catch {
        // A throwing beforeSend lands here too: that report is lost (what it was meant to remove may still
        // be in it), and counted.
        stats.failed++;
        lost++;
        return undefined;
      }
    },
    reportWithheld(attributes, losses) {
      const withheld = limiter.drain();
      const failed = lost;
      const agentLost = losses !== undefined && Object.values(losses).some((n) => n > 0);
      if (withheld.duplicates === 0 && withheld.dropped === 0 && failed === 0 && !agentLost) return false;
      try {
        // A span started and ended at once can get the same clock reading twice (browsers coarsen
        // performance.now()), and Jaeger flags a span that does not end after it starts: one microsecond.
        const now = Date.now();
        const span = options.tracer.startSpan('faultline.withheld', {
          startTime: now,
          attributes: {
            ...(attributes ? scrubber.attributes(attributes) : {}),
            ...losses,
            ...(failed > 0 ? { 'faultline.failed': failed } : {}),
            'faultline.duplicates': withheld.duplicates,
            'faultline.dropped': withheld.dropped,
            // Which errors the duplicates were (parallel arrays): each group's count stays whole.
            ...(withheld.byFingerprint.length > 0
              ? {
                  'faultline.withheld.fingerprints': withheld.byFingerprint.map((d) => d.fingerprint),
                  'faultline.withheld.duplicates': withheld.byFingerprint.map((d) => d.count),
                }
              : {}),
          },
        });
        span.end(now + WITHHELD_SPAN_MS);
        lost -= failed;
        return true;
      } catch {
        stats.failed++;
        return false;
      }
    },
  };
}
