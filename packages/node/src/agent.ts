// The Node agent: process hooks that observe every crash without changing it, and the delivery of reports
// (asynchronously while the process lives, synchronously with a deadline when it dies, to the disk spool when
// the collector cannot be reached).
//
// Node's crash behaviour is kept exactly, which shapes every hook here (measured on Node 20, 22 and 24):
// - No listener is added to the process: a listener of `uncaughtException` or `unhandledRejection` changes
//   the exit code, and any listener of `exit`, `beforeExit` or `uncaughtExceptionMonitor` moves the
//   `node:events` frame Node prints when the app's own listener of that event throws. The agent wraps
//   `process.emit` instead and looks at five event names; its frame is taken out of any stack the process
//   dies with (stripOwnEmitFrame, hideOwnFrames). A throwing hook turns exit 1 into 7: every hook is guarded.
// - Reading `reason.stack` when a rejection is seen changes the source line Node prints, so the reason is
//   only stored there, and read later.
// - A process that is really dying (no domain, capture callback or `uncaughtException` listener will take
//   the error) blocks to deliver its report before Node prints the error; no asynchronous I/O can finish
//   there, so the requests run in a Worker while this thread waits (sync-send.ts). Errors the process
//   survives are reported asynchronously (delivery.ts).
// - The agent's own timers and requests are created outside the app's domain, if any: bound to it, they
//   would enter and leave it, and `process.domain` would read `undefined` instead of `null` afterwards.
// - A Worker `error` listener would suppress the parent's crash: Worker errors are observed with
//   `events.errorMonitor` on each Worker, found through diagnostics_channel.
// - No signal handlers: a SIGTERM listener would keep servers from exiting.
import { subscribe } from 'node:diagnostics_channel';
import { errorMonitor } from 'node:events';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Attributes } from '@faultline/core';
import {
  type CaptureContext,
  type ContextAttributes,
  readCaptureContext,
  setContextAttributes,
  tagValue,
  userAttributes,
} from '@faultline/core/context';
import { type ConfigResult, checkInitOptions, type InitOptions, type NodeAgentConfig, readConfig } from './config';
import type { Delivery, DeliveryHost, LogLevel as Level } from './delivery';
import { Decisions } from './frameworks/decisions';
import type { FrameworkReport, FrameworkSink } from './frameworks/hooks';
import type { Pipeline } from './pipeline';
import { RequestContext } from './request-context';
import { decideReport, type ReportCandidate, type ShouldReport } from './should-report';
import { VERSION } from './version';

export type { InitOptions } from './config';

/** Captured values waiting to be normalized and exported; beyond this they are counted, not kept. */
const MAX_PENDING = 200;
/** Delay before the spool left by earlier processes is sent: after start-up, never during it. */
const SPOOL_RESEND_DELAY_MS = 1000;
/** The events the process.emit wrapper acts on; every other event goes straight to Node's emit. */
const OBSERVED = new Set(['unhandledRejection', 'uncaughtExceptionMonitor', 'uncaughtException', 'exit']);
/** Node publishes every request an HTTP server takes here, before the server's `request` event. */
const REQUEST_START_CHANNEL = 'http.server.request.start';
const STREAM_START_CHANNEL = 'http2.server.stream.start';
/** Fastify publishes every instance it creates here, before the app adds its routes (frameworks/fastify.ts). */
const FASTIFY_INIT_CHANNEL = 'fastify.initialization';

export type { CaptureContext };

interface Pending {
  value: unknown;
  mechanism: string;
  handled: boolean;
  /** It ends the process: severity fatal. */
  fatal?: boolean;
  attributes?: Attributes;
  /** The span active where the error happened (when the app uses OpenTelemetry). */
  span?: unknown;
}

const LEVEL_RANK: Record<string, number> = { none: 0, error: 1, warn: 2, info: 3, debug: 4, verbose: 5, all: 6 };

export class NodeAgent {
  readonly config: NodeAgentConfig;
  private options: InitOptions = {};
  private installed = false;
  private disabled = false;
  private pending: Pending[] = [];
  /** What was lost (or failed) and not yet counted on a report: it rides on the next one that goes out. */
  private losses = {
    'faultline.queue.dropped': 0,
    'faultline.buffer.dropped': 0,
    'faultline.spool.dropped': 0,
    /** Refused by the collector for good (a 4xx that retrying cannot cure). */
    'faultline.refused': 0,
    /** The app's shouldReport threw or gave no boolean: the default decision was taken (should-report.ts). */
    'faultline.should_report.failed': 0,
  };
  /** A failing shouldReport is said on stderr once; later failures are only counted. */
  private shouldReportWarned = false;
  private pipeline?: Pipeline;
  private deliveryInstance?: Delivery;
  private user: ContextAttributes = {};
  private context: ContextAttributes = {};
  private tags: ContextAttributes = {};
  /** Set by the rejection observer, read by the monitor in the same tick: one rejection, one report. */
  private rejectionJustSeen = false;
  private lastFatalRejection: unknown = undefined;
  /** Errors reported as Worker errors; the same object then crashes the parent as an uncaught exception. */
  private workerErrors = new WeakSet<object>();
  /** HTTP servers that took a request: the frameworks loaded by then are hooked (frameworks/hooks.ts). */
  private servers = new WeakSet<object>();
  /** The server of the last request: most requests skip the WeakSet. */
  private lastServer: object | undefined;
  /** The request in flight, for uncaught errors and rejections. */
  private requests = new RequestContext();
  /** The errors framework hooks have decided about, once per request. */
  private decisions = new Decisions();
  private frameworkSink: FrameworkSink = {
    report: (mechanism, report) => this.guard(() => this.onFrameworkError(mechanism, report)),
    later: (req, decide) => this.decisions.later(req, decide),
    route: (req, from, read) => this.requests.route(req, from, read),
    serverRoutes: (server, find) => this.requests.serverRoutes(server, find),
  };

  constructor(configResult: ConfigResult) {
    this.config = configResult.config;
    // Invalid settings are the one thing always said on stderr: the user asked for something we ignore.
    for (const warning of configResult.warnings) process.stderr.write(`${warning}\n`);
  }

  /** init() options, checked as the environment is: each bad one is named on stderr and ignored. */
  configure(given: InitOptions): void {
    const { options, warnings } = checkInitOptions(given);
    for (const warning of warnings) process.stderr.write(`${warning}\n`);
    this.options = { ...this.options, ...options };
    const c = this.config;
    if (options.serviceName) c.serviceName = options.serviceName;
    if (options.endpoint) {
      const base = options.endpoint.replace(/\/+$/, '');
      c.tracesEndpoint = base.endsWith('/v1/traces') ? base : `${base}/v1/traces`;
      c.logsEndpoint = base.endsWith('/v1/traces') ? base.replace(/\/v1\/traces$/, '/v1/logs') : `${base}/v1/logs`;
    }
    if (options.headers) c.headers = { ...c.headers, ...options.headers };
    if (options.resourceAttributes) c.resourceAttributes = { ...c.resourceAttributes, ...options.resourceAttributes };
    if (options.spoolDir) c.spoolDir = options.spoolDir;
    if (typeof options.flushTimeoutMs === 'number' && options.flushTimeoutMs >= 0)
      c.flushTimeoutMs = options.flushTimeoutMs;
  }

  /** Installs the process hooks (main thread only). Cheap: one wrapped function, nothing loaded. */
  install(): void {
    if (this.installed || this.config.disabled) return;
    this.installed = true;
    this.requests.mode = this.config.requestContext;
    this.wrapProcessEmit();
    subscribe('worker_threads', (message) => this.guard(() => this.onWorker((message as { worker?: unknown }).worker)));
    subscribe(FASTIFY_INIT_CHANNEL, (message) =>
      this.guard(() =>
        frameworkHooks().hookFastify((message as { fastify?: unknown } | undefined)?.fastify, this.frameworkSink),
      ),
    );
    subscribe(REQUEST_START_CHANNEL, this.requestStarted);
    subscribe(STREAM_START_CHANNEL, this.streamStarted);
    setTimeout(() => this.guard(() => this.delivery().drainSpool()), SPOOL_RESEND_DELAY_MS).unref();
    this.log('info', `faultline: reporting to ${this.config.tracesEndpoint} as ${this.config.serviceName}`);
  }

  // ---- public API ----

  // The API below takes whatever the app passes: a value it cannot use is left out (never thrown back, and
  // never the reason the agent turns itself off, as an internal error is).

  captureException(value: unknown, context?: CaptureContext): void {
    const { mechanism, handled, attributes } = readCaptureContext(context);
    this.guard(() => this.reportHandled(value, mechanism, attributes, handled));
  }

  /** An error a framework caught and answered, with the request it happened in. */
  private onFrameworkError(mechanism: string, report: FrameworkReport | undefined): void {
    if (!report || !this.decisions.first(report.error, report.req)) return;
    if (this.decideReport(mechanism, report)) this.reportHandled(report.error, mechanism, report.attributes);
  }

  /**
   * Whether an error a framework answered is reported: `own` (expressErrorHandler's option) or init()'s
   * shouldReport says, else the default; a predicate that fails is counted and said once on stderr.
   */
  decideReport(framework: string, candidate: ReportCandidate, own?: ShouldReport): boolean {
    if (this.config.disabled) return false; // nothing is reported: the app's predicate is not asked either
    return decideReport(own ?? this.options.shouldReport, framework, candidate, (why) => {
      this.losses['faultline.should_report.failed']++;
      if (this.shouldReportWarned) return;
      this.shouldReportWarned = true;
      process.stderr.write(
        `faultline: shouldReport ${why}; the default decision was taken (report what the framework answered with a 5xx; hapi: a 500). Said once: later failures are counted in faultline.should_report.failed\n`,
      );
    });
  }

  /** An error expressErrorHandler(), the app's own hook, is deciding about for `req` (an older copy of it
   * gives no `req`): Express's final handler leaves it alone. */
  noteDecided(error: unknown, req?: unknown): void {
    this.decisions.first(error, req);
  }

  /** Every request a server takes: it becomes the request in flight; at a server's first one, the frameworks
   * the app has loaded by now get their hooks (Koa, hapi, NestJS, an Express app that is the listener). */
  private onRequestStart(message: unknown): void {
    this.requests.enter(message);
    this.onServer((message as { server?: unknown } | undefined)?.server);
  }

  /** The same for every stream an HTTP/2 server takes (Node 22 and 24 publish them). */
  private onStreamStart(message: unknown): void {
    this.requests.enterStream(message);
    this.onServer((message as { stream?: { session?: { server?: unknown } } } | undefined)?.stream?.session?.server);
  }

  private onServer(server: unknown): void {
    if (server === this.lastServer || typeof server !== 'object' || server === null) return;
    this.lastServer = server;
    if (this.servers.has(server)) return;
    this.servers.add(server);
    outsideDomain(() => {
      const { hookLoadedFrameworks, hookServerApps } = frameworkHooks();
      hookLoadedFrameworks(require.cache, this.frameworkSink);
      hookServerApps(server, this.frameworkSink);
    });
  }

  /** `handle`, guarded, as one function made once: it runs for every request, so it allocates nothing
   * (guard() would make a closure per call); what could run in a domain (loading the hooks) leaves it. */
  private perRequest(handle: (message: unknown) => void): (message: unknown) => void {
    return (message) => {
      if (this.disabled) return;
      try {
        handle.call(this, message);
      } catch (err) {
        this.fail(err);
      }
    };
  }
  private readonly requestStarted = this.perRequest(this.onRequestStart);
  private readonly streamStarted = this.perRequest(this.onStreamStart);

  private reportHandled(value: unknown, mechanism: string, attributes: Attributes, handled = true): void {
    if (this.config.disabled) return;
    this.enqueue({ value, mechanism, handled, attributes });
    // Handled errors are reported now: nothing is printing them, and the stack is safe to read.
    this.processPending(false);
    this.scheduleAsyncFlush();
  }

  setUser(user: { id?: string | number; email?: string; username?: string } | null): void {
    this.user = userAttributes(user);
  }

  setContext(name: string, values: Record<string, unknown> | null): void {
    if (!setContextAttributes(this.context, name, values))
      this.log('warn', `faultline: setContext() needs a name; got ${typeof name}`);
  }

  setTag(key: string, value: string | number | boolean): void {
    const v = tagValue(value);
    if (typeof key === 'string' && key !== '' && v !== undefined) this.tags[key] = v;
    else
      this.log(
        'warn',
        `faultline: setTag() needs a name and a string, number or boolean; got ${typeof key}, ${typeof value}`,
      );
  }

  /** Sends what is pending and waits for it (for apps that exit on their own terms). */
  flush(): Promise<void> {
    this.guard(() => {
      this.processPending(false);
      this.reportWithheld();
    });
    return this.flushAsync();
  }

  // ---- hooks ----

  /**
   * Observes the process's events by wrapping process.emit: a listener would change the exit code
   * (`unhandledRejection`, `uncaughtException`) or the frames Node prints when the app's own listener throws.
   */
  private wrapProcessEmit(): void {
    const agent = this;
    const nodeEmit = process.emit as (...a: unknown[]) => boolean;
    // Every event of the process passes here: one look at its name, then Node's own emit with the same
    // arguments (no copy of them).
    process.emit = function emit(this: NodeJS.Process, ...args: unknown[]): boolean {
      const type = args[0] as string;
      if (!OBSERVED.has(type)) return nodeEmit.apply(this, args);
      switch (type) {
        case 'unhandledRejection': {
          agent.guard(() => agent.onRejection(args[1]));
          const handled: boolean = nodeEmit.apply(this, args);
          if (handled) agent.rejectionJustSeen = false;
          return handled;
        }
        case 'uncaughtExceptionMonitor':
          agent.guard(() => agent.onUncaught(args[1], args[2] as string));
          return agent.dispatchInFatalHandler(this, nodeEmit, args);
        case 'uncaughtException':
          return agent.dispatchInFatalHandler(this, nodeEmit, args);
        default: // 'exit'
          try {
            return nodeEmit.apply(this, args);
          } finally {
            // After the app's exit handlers, so that what they captured goes too. Not at `beforeExit`:
            // anything sent then (even a Worker started) wakes the event loop, and the app's `beforeExit`
            // handlers would run a second time.
            agent.guard(() => {
              agent.reportWithheld();
              agent.flushSync();
            });
          }
      }
    } as typeof process.emit;
  }

  /**
   * Node emits `uncaughtExceptionMonitor` and `uncaughtException` from its fatal-exception handler, where a
   * listener that throws ends the process (exit 7) without an `exit` event, printing that error. This is
   * the last moment to deliver what is pending, and to keep this wrapper's frame out of what Node prints.
   */
  private dispatchInFatalHandler(self: NodeJS.Process, emit: (...a: unknown[]) => boolean, args: unknown[]): boolean {
    let threw = true;
    try {
      const handled = emit.apply(self, args);
      threw = false;
      return handled;
    } finally {
      // A `finally`, not a `catch`: rethrowing would move the source line Node prints to this file.
      if (threw)
        this.guard(() => {
          this.flushSync();
          hideOwnFrames();
        });
    }
  }

  private onUncaught(err: unknown, origin: string): void {
    stripOwnEmitFrame(err);
    if (typeof err === 'object' && err !== null && this.workerErrors.has(err)) return; // reported as a Worker error
    const dying = nothingWillSave();
    if (origin === 'unhandledRejection') {
      if (this.rejectionJustSeen) {
        this.rejectionJustSeen = false; // default mode: the observer has it already, and it now ends the process
        if (dying) for (const item of this.pending) if (item.value === err) item.fatal = true;
        this.deliverUncaught(dying);
        return;
      }
      this.lastFatalRejection = err; // strict mode: the monitor comes first
    }
    this.enqueue({
      value: err,
      mechanism: origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException',
      handled: false,
      fatal: dying,
      attributes: this.requests.attributes(),
    });
    this.deliverUncaught(dying);
  }

  /**
   * A dying process delivers now, synchronously: it may be gone before any later moment. One that lives
   * on sends asynchronously, with a spool copy first, since its handler may still end it without an exit
   * path (a domain's error handler that throws: exit 7).
   */
  private deliverUncaught(dying: boolean): void {
    if (dying) {
      this.flushSync();
      return;
    }
    this.processPending(false);
    this.sendBuffered(true);
  }

  private onRejection(reason: unknown): void {
    if (reason === this.lastFatalRejection && reason !== undefined) return; // strict mode, second sighting
    this.rejectionJustSeen = true;
    this.enqueue({
      value: reason,
      mechanism: 'unhandledRejection',
      handled: false,
      attributes: this.requests.attributes(),
    });
    this.scheduleAsyncFlush();
  }

  /**
   * Worker errors are observed with `events.errorMonitor`, which sees every `error` event before the
   * regular listeners and changes nothing: with no app listener the parent still crashes (reported here
   * once, with the Worker's identity; the parent's monitor then skips the same error object).
   */
  private onWorker(worker: unknown): void {
    const w = worker as
      | { threadId?: number; on(e: symbol, f: (err: unknown) => void): unknown; listenerCount(e: string): number }
      | undefined;
    if (!w || typeof w.on !== 'function') return;
    const threadId = w.threadId ?? -1;
    w.on(errorMonitor, (err) =>
      this.guard(() => {
        if (typeof err === 'object' && err !== null) this.workerErrors.add(err);
        const handled = w.listenerCount('error') > 0;
        const fatal = !handled && nothingWillSave();
        this.enqueue({
          value: err,
          mechanism: 'worker',
          handled,
          fatal,
          attributes: { 'thread.id': threadId, 'thread.name': `worker ${threadId}` },
        });
        // Unhandled, it is about to crash this process too, unless something saves it: then deliver it now,
        // as for any crash.
        if (fatal) this.flushSync();
        else this.scheduleAsyncFlush();
      }),
    );
  }

  // ---- reports ----

  private enqueue(item: Omit<Pending, 'span'>): void {
    if (this.pending.length >= MAX_PENDING) {
      this.losses['faultline.queue.dropped']++;
      return;
    }
    // Built property by property: on Node 20, `{ ...item, more }` takes V8's slow path (about 0.7 µs).
    this.pending.push({
      value: item.value,
      mechanism: item.mechanism,
      handled: item.handled,
      fatal: item.fatal,
      attributes: item.attributes,
      span: activeSpan(),
    });
  }

  private hasWork(): boolean {
    return this.pending.length > 0 || (this.pipeline?.pendingCount() ?? 0) > 0;
  }

  /** Normalizes and reports what is pending. `dying`: the process is exiting, use our own pipeline. */
  private processPending(dying: boolean): void {
    if (this.pending.length === 0) return;
    const pipeline = this.loadPipeline();
    pipeline.useAppProvider = !dying;
    const items = this.pending;
    this.pending = [];
    const shared: Attributes = Object.assign({}, this.user, this.context, this.tags);
    this.losses['faultline.buffer.dropped'] += pipeline.takeDropped();
    // Counted losses go on the first report that is sent (not withheld by the rate limiter), once.
    let losses = this.unreportedLosses();
    for (const item of items) {
      let sent = false;
      const capture = () => {
        let attributes = item.attributes ? Object.assign({}, shared, item.attributes) : shared;
        if (losses) attributes = Object.assign({}, attributes, losses);
        sent =
          pipeline.reporter.capture(item.value, {
            mechanism: item.mechanism,
            handled: item.handled,
            fatal: item.fatal,
            attributes,
          }) !== undefined;
      };
      withSpan(item.span, capture);
      if (sent && losses) {
        this.lossesReported(losses);
        losses = undefined;
      }
    }
    if (dying) this.reportWithheld();
  }

  /** What dedupe and rate limiting still hold, and the agent's own uncounted losses: one withheld span. */
  private reportWithheld(): void {
    if (!this.pipeline && !this.unreportedLosses()) return; // nothing captured, nothing lost: core stays unloaded
    const pipeline = this.loadPipeline();
    this.losses['faultline.buffer.dropped'] += pipeline.takeDropped();
    const losses = this.unreportedLosses();
    if (pipeline.reporter.reportWithheld(undefined, losses) && losses) this.lossesReported(losses);
  }

  private loadPipeline(): Pipeline {
    if (this.pipeline) return this.pipeline;
    // Loaded synchronously on first use (the exit path cannot await), and never at start-up.
    const { createPipeline } = require('./pipeline.cjs') as typeof import('./pipeline');
    this.pipeline = createPipeline(this.config, this.resource(), VERSION, {
      scrub: this.options.scrub,
      rateLimit: this.options.rateLimit,
      classify: this.options.classify,
      beforeSend: this.options.beforeSend,
    });
    return this.pipeline;
  }

  private resource(): Attributes {
    return {
      'service.name': this.config.serviceName,
      ...this.config.resourceAttributes,
      'telemetry.sdk.name': 'faultline',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': VERSION,
      'host.name': hostname(),
      'host.arch': process.arch,
      'os.type': process.platform,
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'process.runtime.version': process.versions.node,
      'process.executable.path': process.execPath,
      // The command line can carry secrets (--token=...): the reporter's scrubber cleans it as an attribute.
      'process.command_args': process.argv.slice(),
    };
  }

  private flushScheduled = false;

  /** One asynchronous flush per event-loop turn, however many errors the turn captured. */
  private scheduleAsyncFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.guard(() => void this.flushAsync());
    }).unref();
  }

  /** Reports what is pending and sends it; resolves once nothing is in flight. */
  private flushAsync(): Promise<void> {
    this.processPending(false);
    this.sendBuffered(false);
    return this.deliveryInstance?.idle() ?? Promise.resolve();
  }

  /** Hands what the export buffers hold to delivery. */
  private sendBuffered(durable: boolean): void {
    const bodies = this.pipeline?.drain() ?? {};
    if (bodies.traces) this.delivery().send('traces', bodies.traces, durable);
    if (bodies.logs) this.delivery().send('logs', bodies.logs, durable);
  }

  /** The exit path: reports what is pending and delivers it, with what is in flight, before the process is
   * gone; what is not acknowledged by then waits in the spool. */
  private flushSync(): void {
    if (!this.hasWork() && !this.deliveryInstance?.busy) return;
    this.processPending(true);
    const bodies = this.pipeline?.drain() ?? {};
    const fresh: { signal: 'traces' | 'logs'; body: Uint8Array }[] = [];
    if (bodies.traces) fresh.push({ signal: 'traces', body: bodies.traces });
    if (bodies.logs) fresh.push({ signal: 'logs', body: bodies.logs });
    this.delivery().flushSync(fresh);
  }

  private delivery(): Delivery {
    if (this.deliveryInstance) return this.deliveryInstance;
    // Loaded synchronously on first use (the exit path cannot await), and never at start-up.
    const { Delivery } = require('./delivery.cjs') as typeof import('./delivery');
    const host: DeliveryHost = {
      config: this.config,
      log: (level, message) => this.log(level, message),
      lost: (kind) => {
        this.losses[kind]++;
      },
      guard: (fn) => this.guard(fn),
    };
    this.deliveryInstance = new Delivery(host);
    return this.deliveryInstance;
  }

  private lossesReported(losses: Record<string, number>): void {
    for (const [key, n] of Object.entries(losses)) this.losses[key as keyof typeof this.losses] -= n;
  }

  /** The non-zero loss counts, or undefined when nothing was lost. */
  private unreportedLosses(): Record<string, number> | undefined {
    let out: Record<string, number> | undefined;
    for (const [key, n] of Object.entries(this.losses)) {
      if (n <= 0) continue;
      out ??= {};
      out[key] = n;
    }
    return out;
  }

  // ---- never hurt the host ----

  private guard(fn: () => unknown): void {
    if (this.disabled) return;
    try {
      outsideDomain(fn);
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    if (this.disabled) return;
    this.disabled = true;
    this.config.disabled = true;
    try {
      process.stderr.write(`faultline: disabled after an internal error: ${(err as Error)?.message ?? String(err)}\n`);
    } catch {
      // stderr closed
    }
  }

  /** Runtime messages appear only at OTEL_LOG_LEVEL=info or more verbose: the agent is silent otherwise. */
  private log(level: Level, message: string): void {
    const configured = LEVEL_RANK[this.config.logLevel] ?? 2;
    if (configured >= Math.max(LEVEL_RANK[level] ?? 2, LEVEL_RANK.info ?? 3)) process.stderr.write(`${message}\n`);
  }
}

/**
 * True when an uncaught error ends this process: only then may the agent block. A domain or a capture
 * callback takes the error (a domain is a capture callback), or an `uncaughtException` listener does.
 */
function nothingWillSave(): boolean {
  return !process.hasUncaughtExceptionCaptureCallback() && process.listenerCount('uncaughtException') === 0;
}

/** The framework hooks, loaded when a framework first needs them (a server's first request, a Fastify
 * instance), never at start-up. */
function frameworkHooks(): typeof import('./frameworks/hooks') {
  return require('./frameworks.cjs');
}

/**
 * Runs `fn` with no domain active, so that the timers, requests and promises it creates are not bound to
 * the app's domain (they would enter and leave it when they fire). The domain module is only touched when
 * the app loaded it and is inside a domain right now.
 */
function outsideDomain(fn: () => unknown): void {
  const proc = process as unknown as { domain: unknown };
  const active = proc.domain;
  if (active === null || active === undefined) {
    fn();
    return;
  }
  const domains = require('node:domain') as { active: unknown };
  const moduleActive = domains.active;
  proc.domain = null;
  domains.active = null;
  try {
    fn();
  } finally {
    proc.domain = active;
    domains.active = moduleActive;
  }
}

/**
 * The process is about to die of an error thrown by a listener that Node's fatal-exception handler called
 * through the emit wrapper, and will print that error's stack, not yet formatted. Formatting leaves the
 * wrapper's frames out. Only for a dying process: nothing else reads Error.prepareStackTrace any more.
 */
function hideOwnFrames(): void {
  const file = ownFile();
  const format = Error.prepareStackTrace;
  if (!file || typeof format !== 'function') return;
  Error.prepareStackTrace = (error, frames) =>
    format(
      error,
      frames.filter((frame) => frame.getFileName() !== file),
    );
}

/** Where @opentelemetry/api registers itself globally (looked up once: this runs for every error). */
const OTEL_API_GLOBAL = Symbol.for('opentelemetry.js.api.1');

/** This file, as V8 names it in stack frames (the process.emit wrapper's frames point here). Found only
 * when a process is dying of an error, never at start-up. */
function ownFile(): string | undefined {
  return /\((.*):\d+:\d+\)/.exec(new Error().stack?.split('\n')[1] ?? '')?.[1];
}

/**
 * An error thrown by a listener that process.emit dispatched (an `exit` handler, say) has the emit
 * wrapper's frame in its stack. The process is dying of it: take that one frame out, so that Node prints
 * exactly the stack plain node prints. Only a data `stack` or V8's own accessor is read.
 */
function stripOwnEmitFrame(err: unknown): void {
  if (typeof err !== 'object' || err === null) return;
  try {
    const file = ownFile();
    if (!file) return;
    const desc = Object.getOwnPropertyDescriptor(err, 'stack');
    if (!desc) return;
    const nativeGetter = desc.get && Function.prototype.toString.call(desc.get).endsWith('{ [native code] }');
    if (!('value' in desc) && !nativeGetter) return;
    const stack = (err as { stack?: unknown }).stack;
    const marker = `at process.emit (${file}:`;
    if (typeof stack !== 'string' || !stack.includes(marker)) return;
    (err as { stack: string }).stack = stack
      .split('\n')
      .filter((line) => !line.includes(marker))
      .join('\n');
  } catch {
    // a frozen or exotic error: printed as it is
  }
}

let otelApi: typeof import('@opentelemetry/api') | undefined;
/** The OpenTelemetry API, loaded once and only when something in the process registered it. */
function api(): typeof import('@opentelemetry/api') {
  otelApi ??= require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  return otelApi;
}

/** The span active right now, when the app uses OpenTelemetry (its API is registered globally). */
function activeSpan(): unknown {
  // No context manager registered (the API's global has no `context`): nothing can be active, and the
  // lookups below would only cost time on every capture.
  const registered = (globalThis as Record<symbol, { context?: unknown } | undefined>)[OTEL_API_GLOBAL];
  if (!registered?.context) return undefined;
  const { context, trace } = api();
  return trace.getSpan(context.active());
}

function withSpan(span: unknown, fn: () => void): void {
  if (!span) {
    fn();
    return;
  }
  const { context, trace } = api();
  context.with(trace.setSpan(context.active(), span as import('@opentelemetry/api').Span), fn);
}

const AGENT = Symbol.for('faultline.node.agent');

/** Marks the sender Worker (sync-send.ts), so that faultline's preload, inherited by Workers, stays out of
 * it. Here rather than in sync-send.ts: the preload needs it at start-up, the sender only at exit. */
export const SENDER_MARKER = '__faultlineSender';

/** The one agent of this process (shared by the --require/--import preload and `import '@faultline/node'`). */
export function getAgent(): NodeAgent {
  const g = globalThis as Record<symbol, NodeAgent | undefined>;
  let agent = g[AGENT];
  if (!agent) {
    agent = new NodeAgent(readConfig(process.env, { spoolDir: join(tmpdir(), `faultline-spool-${safeUid()}`) }));
    g[AGENT] = agent;
  }
  return agent;
}

function safeUid(): string {
  try {
    return String(process.getuid?.() ?? 'user');
  } catch {
    return 'user';
  }
}
