// Reads errors out of a stock Jaeger through its v1 query API, incrementally, per service.
//
// Traps of Jaeger v2.13 this works around (measured): `/api/traces` ignores `lookback` (the window is 48 h
// unless `start` is given, in µs), `tags={"error":"true"}` finds no error spans, and a `limit` above the
// store's `max_traces` answers 500. So every query names its window, and a window that comes back full is
// split in two until each half fits.
//
// Reports can arrive late with their old timestamps (a Node process's spool is sent by the next process,
// the collector's queue drains after an outage), so besides the incremental poll, wider windows are
// rescanned now and then; the index counts each span once however often it is seen.
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { JaegerTrace } from './jaeger-json';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Which spans of a service hold errors: faultline's own, its withheld counts, other SDKs' marked spans. */
const QUERIES: Record<string, string>[] = [
  { operation: 'exception' },
  { operation: 'faultline.withheld' },
  { tags: JSON.stringify({ 'faultline.exception': 'true' }) },
];

/** Traces per query; a full answer is split, so this bounds one response (about 1.2 MB), not what is read. */
export const QUERY_LIMIT = 200;
/** A full answer's window is cut in at most this many parts. */
const MAX_SPLIT = 64;
/** The incremental poll starts this far before the previous one ended: the collector batches. */
export const POLL_OVERLAP_MS = MINUTE;
/**
 * Wider windows read again now and then, for late arrivals, each at most the backfill window. The last one
 * is the whole backfill window.
 */
export const RESCANS: { everyMs: number; windowMs: number | 'backfill' }[] = [
  { everyMs: MINUTE, windowMs: 15 * MINUTE },
  { everyMs: 15 * MINUTE, windowMs: 6 * HOUR },
  { everyMs: 6 * HOUR, windowMs: 'backfill' },
];
const REQUEST_TIMEOUT_MS = 30_000;
/** Backfills and rescans are read in slices of this much time... */
const SLICE_MS = 24 * HOUR;
/** ...for at most this long per round, after the incremental reads. */
const SLICE_BUDGET_MS = 1000;
/** Slices waiting at most: 14 days of backfill for 700 services. */
const MAX_QUEUED_SLICES = 10_000;
/**
 * Reads of one slice that may fail before it is given up (counted in `skippedSlices`, read again by the next
 * rescan of its width): a window Jaeger always fails on must not hold up the slices behind it for good.
 */
const MAX_SLICE_ATTEMPTS = 5;

export interface PollerOptions {
  jaegerUrl: string;
  /** How far back the first read of a service goes (and the widest rescan). */
  backfillMs: number;
  /** Handed every batch of traces as it is read. */
  onTraces: (traces: JaegerTrace[]) => void;
  limit?: number;
  now?: () => number;
}

export interface PollReport {
  services: number;
  queries: number;
  traces: number;
  ms: number;
  /** Of which the reads since the previous poll (the rest: backfill and rescan slices). */
  incremental: number;
  /** Services whose read failed this round, with why. */
  failures: Record<string, string>;
}

export class JaegerPoller {
  private readonly options: PollerOptions;
  private readonly limit: number;
  private readonly now: () => number;
  /** Per service: the end of the last window read (or queued, for its backfill). */
  private readonly cursors = new Map<string, number>();
  private readonly rescannedAt: number[];
  /** Windows to read after the incremental ones: backfills and rescans. */
  private readonly queue: { service: string; from: number; to: number; failures: number; backfill: boolean }[] = [];
  /** Of the queued slices, those of a service's first backfill (the rest: rescans). */
  private backfillSlices = 0;
  /** Slices the bounded queue had no room for. */
  skippedSlices = 0;
  private running: Promise<PollReport> | undefined;
  last: PollReport | undefined;
  lastSuccess: number | undefined;
  lastError: string | undefined;

  constructor(options: PollerOptions) {
    this.options = options;
    this.limit = options.limit ?? QUERY_LIMIT;
    this.now = options.now ?? Date.now;
    const start = this.now();
    this.rescannedAt = RESCANS.map(() => start);
  }

  /** One round over every service; concurrent calls share the round in progress. */
  poll(): Promise<PollReport> {
    this.running ??= this.round().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async round(): Promise<PollReport> {
    const began = performance.now();
    const now = this.now();
    const report: PollReport = { services: 0, queries: 0, traces: 0, ms: 0, incremental: 0, failures: {} };
    let services: string[];
    try {
      services = await this.services();
    } catch (err) {
      this.lastError = `Jaeger at ${this.options.jaegerUrl}: ${errorText(err)}`;
      report.failures['*'] = this.lastError;
      report.ms = performance.now() - began;
      this.last = report;
      return report;
    }
    // Due rescans queue their windows, in slices, newest first; so does a service seen for the first time
    // (its backfill). Only the windows since the last poll are read at once.
    RESCANS.forEach((rescan, i) => {
      if (now - this.rescannedAt[i]! < rescan.everyMs) return;
      this.rescannedAt[i] = now;
      // Never beyond the backfill window: the index forgets span ids older than it, so a span read there
      // again would count again.
      const window =
        rescan.windowMs === 'backfill' ? this.options.backfillMs : Math.min(rescan.windowMs, this.options.backfillMs);
      for (const service of this.cursors.keys()) this.enqueue(service, now - window, now, false);
    });
    for (const service of services) {
      const cursor = this.cursors.get(service);
      const from =
        cursor !== undefined ? cursor - POLL_OVERLAP_MS : now - Math.min(POLL_OVERLAP_MS, this.options.backfillMs);
      if (cursor === undefined) {
        // Its backfill is queued once; from here on the service is read as if polled up to `from`, so a first
        // read that fails is read again from there, not queued again (and again) with the whole backfill.
        this.enqueue(service, now - this.options.backfillMs, from, true);
        this.cursors.set(service, from + POLL_OVERLAP_MS);
      }
      try {
        for (const query of QUERIES) await this.read(service, query, from * 1000, now * 1000, report);
        this.cursors.set(service, now);
        report.services++;
      } catch (err) {
        report.failures[service] = errorText(err);
      }
    }
    report.incremental = performance.now() - began;
    // Then queued slices, for a bounded time: a wide rescan never holds up the next poll for long.
    const budgetEnd = performance.now() + SLICE_BUDGET_MS;
    while (this.queue.length > 0 && performance.now() < budgetEnd) {
      const slice = this.queue[0]!;
      try {
        for (const query of QUERIES) await this.read(slice.service, query, slice.from * 1000, slice.to * 1000, report);
        this.queue.shift();
        if (slice.backfill) this.backfillSlices--;
      } catch (err) {
        report.failures[slice.service] = errorText(err);
        // To the back of the queue: the others are read first next time. A Jaeger that is down fails them all
        // one round at a time, so an outage of a few rounds gives up nothing.
        this.queue.shift();
        if (++slice.failures < MAX_SLICE_ATTEMPTS) this.queue.push(slice);
        else {
          this.skippedSlices++;
          if (slice.backfill) this.backfillSlices--;
        }
        break;
      }
    }
    report.ms = performance.now() - began;
    this.last = report;
    if (Object.keys(report.failures).length === 0) {
      this.lastSuccess = now;
      this.lastError = undefined;
    } else {
      this.lastError = Object.entries(report.failures)
        .map(([s, e]) => `${s}: ${e}`)
        .join('; ');
    }
    return report;
  }

  /** Windows still to read (backfill and rescans). */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Windows of first backfills still to read: until they are, what Jaeger already holds is not all known
   * (a rescan only looks for late arrivals).
   */
  get backfillPending(): number {
    return this.backfillSlices;
  }

  /**
   * Queues [from, to] of a service in slices of at most a day, newest first. The queue is bounded: a slice
   * that does not fit, or that failed MAX_SLICE_ATTEMPTS times, is counted (`skippedSlices`), and the next
   * rescan of that width tries again.
   */
  private enqueue(service: string, from: number, to: number, backfill: boolean): void {
    for (let end = to; end > from; end -= SLICE_MS) {
      if (this.queue.length >= MAX_QUEUED_SLICES) {
        this.skippedSlices++;
        continue;
      }
      this.queue.push({ service, from: Math.max(from, end - SLICE_MS), to: end, failures: 0, backfill });
      if (backfill) this.backfillSlices++;
    }
  }

  async services(): Promise<string[]> {
    const body = await this.get('/api/services');
    const data = (body as { data?: unknown }).data;
    return Array.isArray(data) ? data.filter((s): s is string => typeof s === 'string') : [];
  }

  /** Reads one query's window [startUs, endUs], halving it while Jaeger's answer is full. */
  private async read(
    service: string,
    query: Record<string, string>,
    startUs: number,
    endUs: number,
    report: PollReport,
  ): Promise<void> {
    const params = new URLSearchParams({
      service,
      ...query,
      start: String(Math.floor(startUs)),
      end: String(Math.ceil(endUs)),
      limit: String(this.limit),
    });
    report.queries++;
    const body = await this.get(`/api/traces?${params}`);
    const traces = (body as { data?: unknown }).data;
    const list = Array.isArray(traces) ? (traces as JaegerTrace[]) : [];
    report.traces += list.length;
    // A full answer is still used (the index counts a span once, however often it is read); what it may have
    // left out is read again in smaller windows. Which traces a full answer holds depends on the store
    // (Badger: the newest by start time; memory: the newest by arrival), so nothing else is assumed.
    if (list.length > 0) this.options.onTraces(list);
    if (list.length >= this.limit && endUs - startUs > 1000) {
      const parts = splitFor(list, startUs, endUs, this.limit);
      const step = (endUs - startUs) / parts;
      for (let i = 0; i < parts; i++)
        await this.read(service, query, startUs + i * step, startUs + (i + 1) * step, report);
    }
  }

  /** One trace, or undefined when Jaeger does not have it. */
  async trace(traceId: string): Promise<JaegerTrace | undefined> {
    if (!/^[0-9a-f]{1,32}$/i.test(traceId)) return undefined;
    let body: unknown;
    try {
      body = await this.get(`/api/traces/${traceId}`);
    } catch (err) {
      if ((err as { status?: number }).status === 404) return undefined;
      throw err;
    }
    const data = (body as { data?: unknown }).data;
    return Array.isArray(data) ? (data[0] as JaegerTrace | undefined) : undefined;
  }

  /** GET and parse JSON. node:http rather than fetch: the view then never loads undici (tens of MB). */
  private get(path: string): Promise<unknown> {
    const url = `${this.options.jaegerUrl}${path}`;
    return new Promise((resolve, reject) => {
      const req = (url.startsWith('https:') ? httpsGet : httpGet)(url, { timeout: REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode !== 200)
            return reject(
              Object.assign(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`), { status: res.statusCode }),
            );
          try {
            resolve(JSON.parse(text));
          } catch {
            reject(new Error('Jaeger answered with something that is not JSON'));
          }
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
      req.on('error', reject);
    });
  }
}

/**
 * How many parts a window needs for each to come back about half full: the traces of the full answer give
 * the density where they lie, assumed to hold over the window. A store scans the whole window whatever the
 * limit, so parts that are just small enough cost the least.
 */
export function splitFor(traces: JaegerTrace[], startUs: number, endUs: number, limit: number): number {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const trace of traces) {
    for (const span of trace.spans ?? []) {
      const t = span.startTime;
      if (typeof t !== 'number' || t < startUs || t > endUs) continue;
      if (t < lo) lo = t;
      if (t > hi) hi = t;
    }
  }
  const seen = hi > lo ? hi - lo : (endUs - startUs) / MAX_SPLIT;
  const expected = (traces.length / seen) * (endUs - startUs);
  return Math.max(2, Math.min(MAX_SPLIT, Math.ceil((2 * expected) / limit)));
}

function errorText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
