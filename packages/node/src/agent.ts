// The Node agent: process hooks that observe every crash without changing it, and the delivery of reports
// (asynchronously while the process lives, synchronously with a deadline when it dies, to the disk spool when
// the collector cannot be reached).
//
// Node's crash behaviour is kept exactly, which shapes every hook here (measured on Node 20, 22 and 24):
// - `uncaughtExceptionMonitor` observes an uncaught exception without handling it; a listener of
//   `uncaughtException` would keep the process alive, so none is added. A throwing monitor turns exit 1 into
//   7: every hook is wrapped.
// - An `unhandledRejection` listener would turn exit 1 into 0 under the default mode, so rejections are
//   observed by wrapping `process.emit` instead, which changes nothing. Reading `reason.stack` there changes
//   the source line Node prints, so the reason is only stored, and read later.
// - The report of a crash is built and sent synchronously from the monitor (and, for process.exit() and
//   the like, from the `exit` event), before Node prints the error; no asynchronous I/O can finish there,
//   so the request runs in a Worker while this thread waits (sync-send.ts).
// - A Worker `error` listener would suppress the parent's crash: Worker errors are observed with
//   `events.errorMonitor` on each Worker, found through diagnostics_channel.
// - No signal handlers: a SIGTERM listener would keep servers from exiting.
import { subscribe } from 'node:diagnostics_channel';
import { errorMonitor } from 'node:events';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Attributes } from '@faultline/core';
import {
  type ContextAttributes,
  primitiveEntries,
  setContextAttributes,
  tagValue,
  userAttributes,
} from '@faultline/core/context';
import { type ConfigResult, checkInitOptions, type InitOptions, type NodeAgentConfig, readConfig } from './config';
import type { Pipeline } from './pipeline';
import { claimSpool, writeSpool } from './spool';
import { postSync } from './sync-send';
import { VERSION } from './version';

export type { InitOptions } from './config';

/** Captured values waiting to be normalized and exported; beyond this they are counted, not kept. */
const MAX_PENDING = 200;
/** Delay before the spool left by earlier processes is sent: after start-up, never during it. */
const SPOOL_RESEND_DELAY_MS = 1000;

export interface CaptureContext {
  /** Extra attributes for this report (tags). */
  attributes?: Attributes;
  /** Mechanism name; `manual` by default. */
  mechanism?: string;
}

interface Pending {
  value: unknown;
  mechanism: string;
  handled: boolean;
  attributes?: Attributes;
  /** The span active where the error happened (when the app uses OpenTelemetry). */
  span?: unknown;
}

type Level = 'error' | 'warn' | 'info' | 'debug';
const LEVEL_RANK: Record<string, number> = { none: 0, error: 1, warn: 2, info: 3, debug: 4, verbose: 5, all: 6 };

export class NodeAgent {
  readonly config: NodeAgentConfig;
  private options: InitOptions = {};
  private installed = false;
  private disabled = false;
  private pending: Pending[] = [];
  /** Set when a natural exit sent the withheld span; a new error starts a new round. */
  private withheldReportedAtExit = false;
  /** What was lost and not yet counted on a report: it rides on the next one that goes out. */
  private losses = {
    'faultline.queue.dropped': 0,
    'faultline.buffer.dropped': 0,
    'faultline.spool.dropped': 0,
    /** Refused by the collector for good (a 4xx that retrying cannot cure). */
    'faultline.refused': 0,
  };
  private pipeline?: Pipeline;
  private sending?: Promise<void>;
  private user: ContextAttributes = {};
  private context: ContextAttributes = {};
  private tags: ContextAttributes = {};
  /** Set by the rejection observer, read by the monitor in the same tick: one rejection, one report. */
  private rejectionJustSeen = false;
  private lastFatalRejection: unknown = undefined;
  /** Errors reported as Worker errors; the same object then crashes the parent as an uncaught exception. */
  private workerErrors = new WeakSet<object>();

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

  /** Installs the process hooks (main thread only). Cheap: listeners and one wrapped function, nothing loaded. */
  install(): void {
    if (this.installed || this.config.disabled) return;
    this.installed = true;
    process.on('uncaughtExceptionMonitor', (err, origin) => this.guard(() => this.onUncaught(err, origin)));
    this.wrapProcessEmit();
    process.on('exit', () => this.guard(() => this.flushSync()));
    process.on('beforeExit', () =>
      this.guard(() => {
        // What dedupe, rate limiting and the agent's losses still hold goes out before a natural exit,
        // counted. Once per round of errors: a withheld span that itself cannot be delivered or spooled is
        // a new loss, and reporting that again would keep the process from ever exiting.
        if (!this.withheldReportedAtExit) {
          this.withheldReportedAtExit = true;
          this.reportWithheld();
        }
        if (this.hasWork()) void this.flushAsync();
      }),
    );
    subscribe('worker_threads', (message) => this.guard(() => this.onWorker((message as { worker?: unknown }).worker)));
    setTimeout(() => this.guard(() => void this.resendSpool()), SPOOL_RESEND_DELAY_MS).unref();
    this.log('info', `faultline: reporting to ${this.config.tracesEndpoint} as ${this.config.serviceName}`);
  }

  // ---- public API ----

  // The API below takes whatever the app passes: a value it cannot use is left out (never thrown back, and
  // never the reason the agent turns itself off, as an internal error is).

  captureException(value: unknown, context?: CaptureContext): void {
    const { mechanism, attributes } = readCaptureContext(context);
    this.guard(() => {
      if (this.config.disabled) return;
      this.enqueue({ value, mechanism, handled: true, attributes });
      // Handled errors are reported now: nothing is printing them, and the stack is safe to read.
      this.processPending(false);
      this.scheduleAsyncFlush();
    });
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

  private originalEmit?: typeof process.emit;

  /** Observes `unhandledRejection` emits by wrapping process.emit (a listener would change the exit code). */
  private wrapProcessEmit(): void {
    if (this.originalEmit) return;
    const agent = this;
    const originalEmit = process.emit;
    this.originalEmit = originalEmit;
    // Every event of the process passes here: one look at its name, then Node's own emit with the same
    // arguments (no copy of them).
    process.emit = function emit(this: NodeJS.Process, ...args: unknown[]) {
      if (args[0] !== 'unhandledRejection') return (originalEmit as (...a: unknown[]) => boolean).apply(this, args);
      agent.guard(() => agent.onRejection(args[1]));
      const handled = (originalEmit as (...a: unknown[]) => boolean).apply(this, args);
      if (handled) agent.rejectionJustSeen = false;
      return handled;
    } as typeof process.emit;
  }

  /**
   * Puts Node's own process.emit back for the rest of a fatal exception, so that an `uncaughtException`
   * handler that throws prints exactly the stack plain node prints (no frame of ours in it). Re-wrapped if
   * the app keeps the process alive.
   */
  private unwrapProcessEmit(): void {
    if (!this.originalEmit) return;
    process.emit = this.originalEmit;
    this.originalEmit = undefined;
    setImmediate(() => this.guard(() => this.wrapProcessEmit())).unref();
  }

  private onUncaught(err: unknown, origin: string): void {
    this.unwrapProcessEmit();
    stripOwnEmitFrame(err);
    if (typeof err === 'object' && err !== null && this.workerErrors.has(err)) return; // reported as a Worker error
    if (origin === 'unhandledRejection') {
      if (this.rejectionJustSeen) {
        this.rejectionJustSeen = false; // default mode: the observer has it already; deliver it now
        this.flushSync();
        return;
      }
      this.lastFatalRejection = err; // strict mode: the monitor comes first
    }
    this.enqueue({
      value: err,
      mechanism: origin === 'unhandledRejection' ? 'unhandledRejection' : 'uncaughtException',
      handled: false,
    });
    // Delivered now, synchronously: the process may be gone before any later moment. An app
    // `uncaughtException` handler that throws ends the process with exit code 7 without an `exit` event.
    this.flushSync();
  }

  private onRejection(reason: unknown): void {
    if (reason === this.lastFatalRejection && reason !== undefined) return; // strict mode, second sighting
    this.rejectionJustSeen = true;
    this.enqueue({ value: reason, mechanism: 'unhandledRejection', handled: false });
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
        this.enqueue({
          value: err,
          mechanism: 'worker',
          handled,
          attributes: { 'thread.id': threadId, 'thread.name': `worker ${threadId}` },
        });
        // Unhandled, it is about to crash this process too: deliver it now, as for any crash.
        if (handled) this.scheduleAsyncFlush();
        else this.flushSync();
      }),
    );
  }

  // ---- reports ----

  private enqueue(item: Omit<Pending, 'span'>): void {
    this.withheldReportedAtExit = false; // a new round of errors
    if (this.pending.length >= MAX_PENDING) {
      this.losses['faultline.queue.dropped']++;
      return;
    }
    // Built property by property: on Node 20, `{ ...item, more }` takes V8's slow path (about 0.7 µs).
    this.pending.push({
      value: item.value,
      mechanism: item.mechanism,
      handled: item.handled,
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
  private sendAgain: Promise<void> | undefined;

  /** One asynchronous flush per event-loop turn, however many errors the turn captured. */
  private scheduleAsyncFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.guard(() => void this.flushAsync());
    }).unref();
  }

  private flushAsync(): Promise<void> {
    // A send is under way: go again once it is done, so that what was reported meanwhile goes too.
    if (this.sending) {
      this.sendAgain ??= this.sending.then(() => {
        this.sendAgain = undefined;
        return this.flushAsync();
      });
      return this.sendAgain;
    }
    // Cleared in a `finally` callback, which always runs after this assignment (a send with nothing to do
    // completes synchronously: clearing it inside would leave a finished promise here for good).
    const sending = this.sendPending().finally(() => {
      if (this.sending === sending) this.sending = undefined;
    });
    this.sending = sending;
    return sending;
  }

  private async sendPending(): Promise<void> {
    try {
      this.processPending(false);
      const bodies = this.pipeline?.drain() ?? {};
      if (bodies.traces) await this.sendOrSpool('traces', bodies.traces);
      if (bodies.logs) await this.sendOrSpool('logs', bodies.logs);
    } catch (err) {
      this.fail(err);
    }
  }

  private async sendOrSpool(signal: 'traces' | 'logs', body: Uint8Array): Promise<void> {
    const outcome = await this.post(signal, body);
    if (outcome === 'delivered') return;
    if (outcome.refused) {
      this.losses['faultline.refused']++; // retrying cannot help, so it is not spooled: counted instead
      this.log(outcome.level, `faultline: ${outcome.why}; the report was dropped`);
      return;
    }
    this.log(outcome.level, `faultline: ${outcome.why}; the report waits in ${this.config.spoolDir}`);
    this.spool(signal, body);
  }

  /** One OTLP request while the process lives (10 s at most). */
  private async post(
    signal: 'traces' | 'logs',
    body: Uint8Array,
  ): Promise<'delivered' | { level: Level; why: string; refused?: boolean }> {
    const { url, headers, payload } = this.request(signal, body);
    try {
      const res = await fetch(url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(10_000) });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return 'delivered';
      // A 4xx will not get better by retrying (OTLP/HTTP), except 408 and 429, and 401/403, which a fixed
      // credential cures: those reports wait in the spool for a process with the right headers.
      const refused = res.status >= 400 && res.status < 500 && ![401, 403, 408, 429].includes(res.status);
      return { level: 'warn', why: `the collector answered ${res.status}`, refused };
    } catch (err) {
      return { level: 'info', why: `could not reach ${url} (${(err as Error).message})` };
    }
  }

  /** The exit path: report what is pending and deliver it before the process is gone, or spool it. */
  private flushSync(): void {
    if (!this.hasWork()) return;
    this.processPending(true);
    const bodies = this.pipeline?.drain() ?? {};
    const deadline = Date.now() + this.config.flushTimeoutMs;
    for (const signal of ['traces', 'logs'] as const) {
      const body = bodies[signal];
      if (!body) continue;
      const left = deadline - Date.now();
      const { url, headers, payload } = this.request(signal, body);
      const outcome = left > 0 ? postSync(url, headers, payload, left) : 'timeout';
      if (outcome !== 'delivered') {
        this.log(
          'info',
          `faultline: report not delivered before exit (${outcome}); it waits in ${this.config.spoolDir}`,
        );
        this.spool(signal, body);
      }
    }
  }

  private request(signal: 'traces' | 'logs', body: Uint8Array) {
    const headers: Record<string, string> = { ...this.config.headers, 'content-type': 'application/json' };
    let payload = body;
    if (this.config.compression === 'gzip') {
      payload = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    return { url: signal === 'traces' ? this.config.tracesEndpoint : this.config.logsEndpoint, headers, payload };
  }

  private spool(signal: 'traces' | 'logs', body: Uint8Array): void {
    if (!writeSpool(this.config.spoolDir, { signal, body })) {
      this.losses['faultline.spool.dropped']++;
      this.log('warn', `faultline: the spool ${this.config.spoolDir} is full or not writable; one report was dropped`);
    }
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

  /** Sends what earlier processes left in the spool, each file claimed by exactly one process. */
  private async resendSpool(): Promise<void> {
    for (const entry of claimSpool(this.config.spoolDir)) {
      const outcome = await this.post(entry.signal, entry.body);
      if (outcome === 'delivered') {
        entry.done();
        continue;
      }
      if (outcome.refused) {
        // The collector will never take this one (a corrupt file, a body it rejects): waiting would block
        // every report behind it, so it is removed and counted.
        entry.done();
        this.losses['faultline.refused']++;
        continue;
      }
      entry.release();
      return; // collector still unhappy: the next process tries again
    }
  }

  // ---- never hurt the host ----

  private guard(fn: () => unknown): void {
    if (this.disabled) return;
    try {
      fn();
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

/** captureException's context as plain values: a mechanism name and primitive attributes. */
function readCaptureContext(context: CaptureContext | undefined): { mechanism: string; attributes: Attributes } {
  let mechanism: unknown;
  let attributes: unknown;
  try {
    mechanism = context?.mechanism;
    attributes = context?.attributes;
  } catch {
    // a hostile object: the defaults
  }
  return {
    mechanism: typeof mechanism === 'string' && mechanism !== '' ? mechanism : 'manual',
    attributes: Object.fromEntries(primitiveEntries(attributes)),
  };
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
