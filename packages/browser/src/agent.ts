// The browser agent: window `error` and `unhandledrejection` listeners, page context, breadcrumbs, and
// delivery through the OpenTelemetry web SDK and OTLP/HTTP exporter (fetch with keepalive), flushed when the
// page is hidden or closed. Every listener is wrapped: the agent never throws into the page.
import {
  type Breadcrumb,
  type ContextAttributes,
  createExceptionReporter,
  type ExceptionReport,
  type ExceptionReporter,
  exceptionSignals,
  primitiveEntries,
  setContextAttributes,
  userAttributes,
} from '@faultline/core';
import type { Tracer } from '@opentelemetry/api';
import { installBreadcrumbs, MAX_BREADCRUMB_TEXT } from './breadcrumbs';
import { type BrowserConfig, resolveConfig } from './config';
import { DeferredLogs, type LoadLogs } from './deferred-logs';
import type { OfflineSpool } from './offline-spool';
import { pageAttributes, randomHex, sessionId } from './page';

/** Breadcrumbs kept: the last few things the user did are what explains an error. */
export const MAX_BREADCRUMBS = 30;

export interface CaptureContext {
  attributes?: Record<string, string | number | boolean>;
}

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

export class BrowserAgent {
  private reporter: ExceptionReporter;
  private readonly pipeline: DeliveryPipeline;
  private breadcrumbs: Breadcrumb[] = [];
  private user: ContextAttributes = {};
  private context: ContextAttributes = {};
  private readonly pageViewId = randomHex(8);
  private readonly session: string;
  private disabled = false;
  /** Set once the page is being hidden or unloaded: from then on every report is sent at once. */
  private leaving = false;

  /** Losses counted so far, and how much of each has gone out on a report. */
  private earlyDropped = 0;
  private readonly lossesReported: Record<string, number> = {};
  private readonly logs: DeferredLogs | undefined;

  /** `loadLogs` brings in the logs pipeline when exceptions go out as log records (a chunk, or a script). */
  constructor(
    readonly config: BrowserConfig,
    createPipeline: CreatePipeline,
    loadLogs?: LoadLogs,
  ) {
    this.session = sessionId();
    const resource: Record<string, string> = {
      'service.name': config.serviceName,
      ...(config.release ? { 'service.version': config.release } : {}),
      ...(config.environment ? { 'deployment.environment.name': config.environment } : {}),
      'telemetry.sdk.name': 'faultline',
      'telemetry.sdk.language': 'webjs',
    };
    this.pipeline = createPipeline(config.endpoint, resource);
    const signals = exceptionSignals(config.exceptionSignal);
    if (signals.logs && loadLogs) {
      this.logs = new DeferredLogs(loadLogs, config.logsEndpoint, resource, (err) => {
        // Safe fallback: span events, as by default.
        signals.spans = true;
        signals.logs = false;
        console.warn('faultline: could not load the logs pipeline; sending exceptions as span events', err);
      });
    } else {
      signals.spans = true;
      signals.logs = false;
    }
    this.reporter = createExceptionReporter({
      tracer: this.pipeline.tracer,
      signals,
      logger: this.logs?.logger as never,
      rateLimit: config.rateLimit,
      beforeSend: config.beforeSend as ((r: ExceptionReport) => ExceptionReport | null) | undefined,
    });
  }

  install(): void {
    const w = window;
    w.addEventListener('error', (event) => this.guard(() => this.onError(event)), true);
    w.addEventListener('unhandledrejection', (event) => this.guard(() => this.onRejection(event)));
    // Deliver before the page goes away: hidden tabs may never come back, closing ones are gone.
    w.addEventListener('pagehide', () => this.guard(() => this.leave()));
    document.addEventListener('visibilitychange', () =>
      this.guard(() => {
        if (document.visibilityState === 'hidden') this.leave();
        else this.leaving = false;
      }),
    );
    installBreadcrumbs((name, attributes) => this.guard(() => this.crumb(name, attributes)), {
      ownEndpoint: this.config.endpoint,
    });
    // What an earlier page could not send (offline, collector down) goes out now.
    void this.pipeline.spool.drain();
  }

  /** Events the early-capture loader could not keep (its queue is bounded): counted on the next report. */
  earlyOverflow(dropped: number): void {
    if (dropped > 0) this.earlyDropped += dropped;
  }

  /** Reports an event the early-capture loader queued before this agent was loaded. */
  replay(kind: 'error' | 'rejection', event: Event): void {
    this.guard(() => (kind === 'error' ? this.onError(event) : this.onRejection(event as PromiseRejectionEvent)));
  }

  // The API below takes whatever the app passes: a value it cannot use is left out (never thrown back, and
  // never the reason the agent turns itself off, as an internal error is).

  captureException(error: unknown, context?: CaptureContext): void {
    const attributes = Object.fromEntries(primitiveEntries(readAttributes(context)));
    this.guard(() => this.report(error, 'manual', true, attributes));
  }

  setUser(user: { id?: string | number; email?: string; username?: string } | null): void {
    this.user = userAttributes(user);
  }

  setContext(name: string, values: Record<string, unknown> | null): void {
    if (!setContextAttributes(this.context, name, values))
      console.warn(`faultline: setContext() needs a name; got ${typeof name}`);
  }

  addBreadcrumb(message: string, attributes?: Attrs): void {
    const text = typeof message === 'string' ? message : safeText(message);
    const crumb: Attrs = Object.fromEntries(primitiveEntries(attributes));
    crumb.message = text.slice(0, MAX_BREADCRUMB_TEXT);
    this.guard(() => this.crumb('breadcrumb.custom', crumb));
  }

  /** The page is going away: send what is queued now, and anything reported later at once. */
  private leave(): void {
    this.leaving = true;
    void this.flush();
  }

  flush(): Promise<void> {
    // What storm control withheld, and what was lost on the way, go out now: the page may be leaving.
    const losses = this.unreportedLosses();
    if (this.reporter.reportWithheld(pageAttributes(), losses)) this.lossesCounted(losses);
    return Promise.all([this.pipeline.flush(), this.logs?.flush()]).then(
      () => undefined,
      () => undefined,
    );
  }

  // ---- listeners ----

  private onError(event: Event): void {
    const target = event.target as Element | null;
    // Resource load failures (img, script, link) fire `error` on the element, seen here in the capture phase.
    if (target && target !== (window as unknown as Element) && 'tagName' in target) {
      if (this.config.captureResourceErrors) this.report(event, 'resource', false);
      return;
    }
    const e = event as ErrorEvent;
    if (e.error === null || e.error === undefined) {
      // No thrown value on the event: an error thrown in a Web Worker (Chromium hands it to the Worker, then
      // to window, with error null), a script from another origin ("Script error."), `throw null`. Core
      // reads the type, message and location the event carries.
      const crossOrigin = /^Script error\.?$/.test(e.message);
      this.report(event, 'onerror', false, crossOrigin ? { 'faultline.hint': CROSS_ORIGIN_HINT } : undefined);
      return;
    }
    // Otherwise `error` is the thrown value itself, whatever it is.
    this.report(e.error, 'onerror', false);
  }

  private onRejection(event: PromiseRejectionEvent): void {
    // Some promise libraries dispatch a CustomEvent with the reason in detail.reason.
    const detail = (event as unknown as { detail?: { reason?: unknown } }).detail;
    const reason = 'reason' in event ? event.reason : detail?.reason;
    this.report(reason, 'onunhandledrejection', false);
  }

  // ---- reports ----

  /** Counts of what never made it, not yet carried by a report: `faultline.*.dropped` attributes. */
  private unreportedLosses(): Record<string, number> {
    const totals: Record<string, number> = {
      'faultline.spool.dropped': this.pipeline.spool.dropped,
      'faultline.logs.dropped': this.logs?.lost ?? 0,
      'faultline.early.dropped': this.earlyDropped,
    };
    const out: Record<string, number> = {};
    for (const [key, total] of Object.entries(totals)) {
      const n = total - (this.lossesReported[key] ?? 0);
      if (n > 0) out[key] = n;
    }
    return out;
  }

  private lossesCounted(losses: Record<string, number>): void {
    for (const [key, n] of Object.entries(losses)) this.lossesReported[key] = (this.lossesReported[key] ?? 0) + n;
  }

  private crumb(name: string, attributes: Attrs): void {
    this.breadcrumbs.push({ name, time: Date.now(), attributes });
    if (this.breadcrumbs.length > MAX_BREADCRUMBS) this.breadcrumbs.shift();
  }

  private report(value: unknown, mechanism: string, handled: boolean, extra?: Attrs): void {
    // What was lost on the way (spool, logs queue, early queue) goes out with the next report.
    const losses = this.unreportedLosses();
    const sent = this.reporter.capture(value, {
      mechanism,
      handled,
      attributes: {
        ...pageAttributes(),
        'session.id': this.session,
        'faultline.page_view.id': this.pageViewId,
        ...this.user,
        ...this.context,
        ...extra,
        ...losses,
      },
      breadcrumbs: this.breadcrumbs.slice(),
    });
    if (sent) this.lossesCounted(losses);
    // An error thrown in a pagehide handler, or while the tab is hidden, would otherwise wait for a batch
    // timer that never fires again. (fetch keepalive lets the request outlive the page.)
    if (this.leaving) void this.flush();
  }

  private guard(fn: () => unknown): void {
    if (this.disabled) return;
    try {
      fn();
    } catch (err) {
      this.disabled = true;
      try {
        console.warn('faultline: disabled after an internal error', err);
      } catch {
        // no console
      }
    }
  }
}

const CROSS_ORIGIN_HINT =
  'The error came from a script on another origin: add crossorigin="anonymous" to its <script> tag and serve it with Access-Control-Allow-Origin to see the real error.';

/** `context.attributes`, unless reading it throws (a hostile proxy). */
function readAttributes(context: CaptureContext | undefined): unknown {
  try {
    return context?.attributes;
  } catch {
    return undefined;
  }
}

/** String() of an app value, which may run a throwing toString. */
function safeText(value: unknown): string {
  try {
    return String(value);
  } catch {
    return '';
  }
}

export { resolveConfig };
