// Getting reports to the collector, at least once. Loaded with the first report or the first look at the
// spool (a second after start-up), never during start-up.
// - While the process lives: one POST per body (node:http, a callback, at most MAX_IN_FLIGHT at a time).
//   A request keeps the process alive for the flush deadline at most: a process with nothing else to do
//   then exits, and its exit path (`beforeExit`) sends the report once more, synchronously, or spools it.
//   What is in flight stays in memory until the collector acknowledged it; reports of an error the process
//   may not survive (one a domain or an uncaughtException handler took) are also written to the spool
//   first, so that even a death without an exit path (exit 7, SIGKILL) leaves them for the next process.
// - When the process dies: what is in flight goes again, with the new reports, synchronously with a
//   deadline (sync-send.ts); what is still not acknowledged then waits in the spool. A report the collector
//   had in fact received before the process died can thus arrive twice: a duplicate, never a loss.
// - When the collector fails: the report waits in the spool and a circuit breaker (core) keeps every
//   request off the network for a cool-down that doubles per failure, with jitter and at least any
//   Retry-After. When it ends, the oldest spooled report is sent as a probe; accepted, the circuit closes
//   and the spool drains, oldest first. Any successful send also drains what earlier processes left.
import { gzipSync } from 'node:zlib';
import { createCircuitBreaker, retryAfterMs } from '@faultline/core/circuit-breaker';
import type { NodeAgentConfig } from './config';
import { type PostOutcome, post } from './http-post';
import { type ClaimedEntry, claimNext, type SpoolEntry, writeClaimed, writeSpool } from './spool';
import { postAllSync, type SyncOutcome } from './sync-send';

/** Requests under way at once; beyond that, reports wait in the spool for the next drain. */
export const MAX_IN_FLIGHT = 8;
/** How long one request of a living process may take. */
const REQUEST_TIMEOUT_MS = 10_000;

export type Signal = 'traces' | 'logs';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';

export interface DeliveryHost {
  config: NodeAgentConfig;
  log(level: LogLevel, message: string): void;
  /** A report lost for good, counted on the next report that goes out. */
  lost(kind: 'faultline.refused' | 'faultline.spool.dropped'): void;
  /** Runs a callback of ours from the event loop: errors disable the agent instead of reaching the app. */
  guard(fn: () => void): void;
}

interface Flight extends SpoolEntry {
  /** The spool file of this report, when it has one (write-ahead, or a report taken from the spool). */
  file?: ClaimedEntry;
}

export class Delivery {
  private readonly inFlight = new Set<Flight>();
  private readonly breaker = createCircuitBreaker();
  private probe: ReturnType<typeof setTimeout> | undefined;
  private draining = false;
  /** False once a drain found the spool empty; set again by every write. */
  private spoolMayHold = true;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly host: DeliveryHost) {}

  get busy(): boolean {
    return this.inFlight.size > 0;
  }

  /** Sends a report. `durable`: keep a spool copy until the collector acknowledged it. */
  send(signal: Signal, body: Uint8Array, durable = false): void {
    if (this.breaker.open || this.inFlight.size >= MAX_IN_FLIGHT) {
      this.spool({ signal, body });
      return;
    }
    const file = durable ? writeClaimed(this.host.config.spoolDir, { signal, body }) : undefined;
    this.start({ signal, body, file }, (delivered) => {
      if (delivered) this.drainSpool();
    });
  }

  /** Resolves once nothing is in flight (flush()). */
  idle(): Promise<void> {
    if (!this.busy && !this.draining) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Sends what the spool holds, oldest first, one at a time; stops at the first failure. */
  drainSpool(): void {
    if (this.draining || !this.spoolMayHold || this.breaker.open) return;
    this.draining = true;
    const next = () => {
      const entry = this.breaker.open ? undefined : claimNext(this.host.config.spoolDir);
      if (!entry) {
        if (!this.breaker.open) this.spoolMayHold = false;
        this.draining = false;
        this.settleIdle();
        return;
      }
      this.start({ signal: entry.signal, body: entry.body, file: entry }, (delivered) => {
        if (delivered) next();
        else {
          this.draining = false;
          this.settleIdle();
        }
      });
    };
    next();
  }

  /**
   * The process is dying: what is in flight and `fresh` are sent now, blocking up to the flush deadline;
   * whatever is not acknowledged waits in the spool. Fresh reports go first (the crash report matters most).
   */
  flushSync(fresh: SpoolEntry[]): void {
    const flights: Flight[] = [...fresh, ...this.inFlight];
    this.inFlight.clear(); // their callbacks, if the loop ever runs again, find nothing to settle
    if (flights.length === 0) return;
    const outcomes: SyncOutcome[] = this.breaker.open
      ? flights.map((): SyncOutcome => 'failed') // the collector failed moments ago: straight to the spool
      : postAllSync(
          flights.map((f) => this.request(f)),
          this.host.config.flushTimeoutMs,
        );
    flights.forEach((flight, i) => {
      const outcome = outcomes[i] ?? 'failed';
      const status = typeof outcome === 'number' ? outcome : undefined;
      if (status !== undefined && status >= 200 && status < 300) flight.file?.done();
      else if (status !== undefined && refusedForGood(status)) this.refused(flight, `the collector answered ${status}`);
      else {
        this.host.log(
          'info',
          `faultline: report not delivered before exit (${status ?? outcome}); it waits in the spool`,
        );
        this.keep(flight);
      }
    });
  }

  private start(flight: Flight, then: (delivered: boolean) => void): void {
    this.inFlight.add(flight);
    const { url, headers, body } = this.request(flight);
    const timing = { timeoutMs: REQUEST_TIMEOUT_MS, holdMs: this.host.config.flushTimeoutMs };
    post(url, headers, body, timing, (outcome) =>
      this.host.guard(() => {
        if (!this.inFlight.delete(flight)) return; // the exit path took it over
        const delivered = this.settle(flight, outcome);
        then(delivered);
        this.settleIdle();
      }),
    );
  }

  /** What one answer means for the report and for the breaker; true when delivered. */
  private settle(flight: Flight, outcome: PostOutcome): boolean {
    if (outcome.delivered) {
      flight.file?.done();
      this.breaker.succeeded();
      return true;
    }
    if (outcome.status !== undefined && refusedForGood(outcome.status)) {
      this.refused(flight, outcome.why);
      return true; // the collector is there: nothing to back off from
    }
    const wait = this.breaker.failed(retryAfterMs(outcome.retryAfter));
    this.host.log(
      outcome.status === undefined ? 'info' : 'warn',
      `faultline: ${outcome.why}; the report waits in ${this.host.config.spoolDir}, next try in ${Math.round(wait / 1000)} s`,
    );
    this.keep(flight);
    clearTimeout(this.probe);
    this.probe = setTimeout(() => this.host.guard(() => this.drainSpool()), wait + 10);
    this.probe.unref();
    return false;
  }

  /** Refused for good: retrying cannot help, so it is not kept, and counted instead. */
  private refused(flight: Flight, why: string): void {
    flight.file?.done();
    this.host.lost('faultline.refused');
    this.host.log('warn', `faultline: ${why}; the report was dropped`);
  }

  /** Into the spool (back, if it came from there). */
  private keep(flight: Flight): void {
    if (flight.file) flight.file.release();
    else this.spool(flight);
    this.spoolMayHold = true;
  }

  private spool(entry: SpoolEntry): void {
    this.spoolMayHold = true;
    if (writeSpool(this.host.config.spoolDir, entry)) return;
    this.host.lost('faultline.spool.dropped');
    this.host.log(
      'warn',
      `faultline: the spool ${this.host.config.spoolDir} is full or not writable; one report was dropped`,
    );
  }

  private request(flight: SpoolEntry) {
    const c = this.host.config;
    const headers: Record<string, string> = { ...c.headers, 'content-type': 'application/json' };
    let body = flight.body;
    if (c.compression === 'gzip') {
      body = gzipSync(body);
      headers['content-encoding'] = 'gzip';
    }
    return { url: flight.signal === 'traces' ? c.tracesEndpoint : c.logsEndpoint, headers, body };
  }

  private settleIdle(): void {
    if (this.busy || this.draining || this.idleWaiters.length === 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}

/**
 * A 4xx will not get better by retrying (OTLP/HTTP), except 408 and 429, and 401/403, which a fixed
 * credential cures: those reports wait in the spool for a process with the right headers.
 */
function refusedForGood(status: number): boolean {
  return status >= 400 && status < 500 && ![401, 403, 408, 429].includes(status);
}
