// The browser agent: window `error` and `unhandledrejection` listeners, page context, breadcrumbs, and
// delivery through the pipeline its build gives it (otel-pipeline.ts or otlp-direct.ts), flushed when the
// page is hidden or closed. Every listener is wrapped: the agent never throws into the page.
import {
  type Breadcrumb,
  type CaptureContext,
  type ContextAttributes,
  createExceptionReporter,
  type ExceptionReport,
  exceptionSignals,
  primitiveEntries,
  readCaptureContext,
  setContextAttributes,
  userAttributes,
} from '@faultline/core';
import type { Tracer } from '@opentelemetry/api';
import { installBreadcrumbs, MAX_BREADCRUMB_TEXT } from './breadcrumbs';
import { type BrowserConfig, resolveConfig } from './config';
import { createDeferredLogs, type DeferredLogs, type LoadLogs } from './deferred-logs';
import type { OfflineSpool } from './offline-spool';
import { pageAttributes, randomHex, sessionId } from './page';

/** Breadcrumbs kept: the last few things the user did are what explains an error. */
export const MAX_BREADCRUMBS = 30;

export type { CaptureContext };

type Attrs = Record<string, string | number | boolean>;

/** Where spans go: the OpenTelemetry SDK in the ESM/CJS build, faultline's own OTLP/JSON writer in the
 * script tag; both deliver through the offline spool. Chosen by the build's entry, never at run time. */
export interface DeliveryPipeline {
  tracer: Tracer;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  spool: OfflineSpool;
}
export type CreatePipeline = (endpoint: string, resource: Record<string, string>) => DeliveryPipeline;

/** The agent's API, as `init()` and `window.faultline` hand it out. */
export interface BrowserAgent {
  install(): void;
  /** Events the early-capture loader could not keep (its queue is bounded): counted on the next report. */
  earlyOverflow(dropped: number): void;
  /** Reports an event the early-capture loader queued before this agent was loaded. */
  replay(kind: 'error' | 'rejection', event: Event): void;
  captureException(error: unknown, context?: CaptureContext): void;
  setUser(user: { id?: string | number; email?: string; username?: string } | null): void;
  setContext(name: string, values: Record<string, unknown> | null): void;
  addBreadcrumb(message: string, attributes?: Attrs): void;
  flush(): Promise<void>;
}

/** `loadLogs` brings in the logs pipeline when exceptions go out as log records (a chunk, or a script).
 * State lives in this closure rather than on an object: nothing of it is reachable from the page, and the
 * script tag's minifier can shorten every name. */
export function createBrowserAgent(
  config: BrowserConfig,
  createPipeline: CreatePipeline,
  loadLogs?: LoadLogs,
): BrowserAgent {
  const session = sessionId();
  const pageViewId = randomHex(16);
  const breadcrumbs: Breadcrumb[] = [];
  let user: ContextAttributes = {};
  const context: ContextAttributes = {};
  let disabled = false;
  /** Set once the page is being hidden or unloaded: from then on every report is sent at once. */
  let leaving = false;
  /** Losses counted so far, and how much of each has gone out on a report. */
  let earlyDropped = 0;
  const lossesReported: Record<string, number> = {};

  const resource: Record<string, string> = {
    'service.name': config.serviceName,
    ...(config.release ? { 'service.version': config.release } : {}),
    ...(config.environment ? { 'deployment.environment.name': config.environment } : {}),
    'telemetry.sdk.name': 'faultline',
    'telemetry.sdk.language': 'webjs',
  };
  const pipeline = createPipeline(config.endpoint, resource);
  const signals = exceptionSignals(config.exceptionSignal);
  let logs: DeferredLogs | undefined;
  if (signals.logs && loadLogs) {
    logs = createDeferredLogs(loadLogs, config.logsEndpoint, resource, (err) => {
      // Safe fallback: span events, as by default.
      signals.spans = true;
      signals.logs = false;
      console.warn('faultline: could not load the logs pipeline; sending exceptions as span events', err);
    });
  } else {
    signals.spans = true;
    signals.logs = false;
  }
  const reporter = createExceptionReporter({
    tracer: pipeline.tracer,
    signals,
    logger: logs?.logger as never,
    rateLimit: config.rateLimit,
    classify: config.classify,
    warn: (message) => console.warn(message),
    beforeSend: config.beforeSend as ((r: ExceptionReport) => ExceptionReport | null) | undefined,
  });

  const guard = (fn: () => unknown): void => {
    if (disabled) return;
    try {
      fn();
    } catch (err) {
      disabled = true;
      try {
        console.warn('faultline: disabled after an internal error', err);
      } catch {
        // no console
      }
    }
  };

  /** Counts of what never made it, not yet carried by a report: `faultline.*.dropped` attributes. */
  const unreportedLosses = (): Record<string, number> => {
    const totals: Record<string, number> = {
      'faultline.spool.dropped': pipeline.spool.dropped,
      'faultline.logs.dropped': logs?.lost ?? 0,
      'faultline.early.dropped': earlyDropped,
    };
    const out: Record<string, number> = {};
    for (const key in totals) {
      const n = (totals[key] as number) - (lossesReported[key] ?? 0);
      if (n > 0) out[key] = n;
    }
    return out;
  };
  const lossesCounted = (losses: Record<string, number>): void => {
    for (const key in losses) lossesReported[key] = (lossesReported[key] ?? 0) + (losses[key] as number);
  };

  const flush = (): Promise<void> => {
    // What storm control withheld, and what was lost on the way, go out now: the page may be leaving.
    const losses = unreportedLosses();
    if (reporter.reportWithheld(pageAttributes(), losses)) lossesCounted(losses);
    return Promise.all([pipeline.flush(), logs?.flush()]).then(
      () => undefined,
      () => undefined,
    );
  };
  /** The page is going away: send what is queued now, and anything reported later at once. */
  const leave = (): void => {
    leaving = true;
    void flush();
  };

  const crumb = (name: string, attributes: Attrs): void => {
    breadcrumbs.push({ name, time: Date.now(), attributes });
    if (breadcrumbs.length > MAX_BREADCRUMBS) breadcrumbs.shift();
  };

  const report = (value: unknown, mechanism: string, handled: boolean, extra?: Attrs): void => {
    // What was lost on the way (spool, logs queue, early queue) goes out with the next report.
    const losses = unreportedLosses();
    const sent = reporter.capture(value, {
      mechanism,
      handled,
      attributes: {
        ...pageAttributes(),
        'session.id': session,
        'faultline.page_view.id': pageViewId,
        ...user,
        ...context,
        ...extra,
        ...losses,
      },
      breadcrumbs: breadcrumbs.slice(),
    });
    if (sent) lossesCounted(losses);
    // An error thrown in a pagehide handler, or while the tab is hidden, would otherwise wait for a batch
    // timer that never fires again. (fetch keepalive lets the request outlive the page.)
    if (leaving) void flush();
  };

  const onError = (event: Event): void => {
    const target = event.target as Element | null;
    // Resource load failures (img, script, link) fire `error` on the element, seen here in the capture phase.
    if (target && target !== (window as unknown as Element) && 'tagName' in target) {
      if (config.captureResourceErrors) report(event, 'resource', false);
      return;
    }
    const e = event as ErrorEvent;
    if (e.error === null || e.error === undefined) {
      // No thrown value on the event: an error thrown in a Web Worker (Chromium hands it to the Worker, then
      // to window, with error null), a script from another origin ("Script error."), `throw null`. Core
      // reads the type, message and location the event carries.
      const crossOrigin = /^Script error\.?$/.test(e.message);
      report(event, 'onerror', false, crossOrigin ? { 'faultline.hint': CROSS_ORIGIN_HINT } : undefined);
      return;
    }
    // Otherwise `error` is the thrown value itself, whatever it is.
    report(e.error, 'onerror', false);
  };

  const onRejection = (event: PromiseRejectionEvent): void => {
    // Some promise libraries dispatch a CustomEvent with the reason in detail.reason.
    const detail = (event as unknown as { detail?: { reason?: unknown } }).detail;
    report('reason' in event ? event.reason : detail?.reason, 'onunhandledrejection', false);
  };

  // The API below takes whatever the app passes: a value it cannot use is left out (never thrown back, and
  // never the reason the agent turns itself off, as an internal error is).
  return {
    install() {
      addEventListener('error', (event) => guard(() => onError(event)), true);
      addEventListener('unhandledrejection', (event) => guard(() => onRejection(event)));
      // Deliver before the page goes away: hidden tabs may never come back, closing ones are gone.
      addEventListener('pagehide', () => guard(leave));
      document.addEventListener('visibilitychange', () =>
        guard(() => {
          if (document.visibilityState === 'hidden') leave();
          else leaving = false;
        }),
      );
      installBreadcrumbs((name, attributes) => guard(() => crumb(name, attributes)), {
        ownEndpoint: config.endpoint,
      });
      // What an earlier page could not send (offline, collector down) goes out now.
      void pipeline.spool.drain();
    },
    earlyOverflow(dropped) {
      if (dropped > 0) earlyDropped += dropped;
    },
    replay(kind, event) {
      guard(() => (kind === 'error' ? onError(event) : onRejection(event as PromiseRejectionEvent)));
    },
    captureException(error, capture) {
      const { mechanism, handled, attributes } = readCaptureContext(capture);
      guard(() => report(error, mechanism, handled, attributes));
    },
    setUser(value) {
      user = userAttributes(value);
    },
    setContext(name, values) {
      if (!setContextAttributes(context, name, values))
        console.warn(`faultline: setContext() needs a name; got ${typeof name}`);
    },
    addBreadcrumb(message, attributes) {
      const text = typeof message === 'string' ? message : safeText(message);
      const values: Attrs = Object.fromEntries(primitiveEntries(attributes));
      values.message = text.slice(0, MAX_BREADCRUMB_TEXT);
      guard(() => crumb('breadcrumb.custom', values));
    },
    flush,
  };
}

const CROSS_ORIGIN_HINT =
  'The error came from a script on another origin: add crossorigin="anonymous" to its <script> tag and serve it with Access-Control-Allow-Origin to see the real error.';

/** String() of an app value, which may run a throwing toString. */
function safeText(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '';
  }
}

export { resolveConfig };
