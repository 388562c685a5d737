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
import type { JaegerTrace } from './jaeger-json';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Which spans of a service hold errors: faultline's own, its withheld counts, other SDKs' marked spans. */
const QUERIES: Record<string, string>[] = [
  { operation: 'exception' },
  { operation: 'faultline.withheld' },
  { tags: JSON.stringify({ 'faultline.exception': 'true' }) },
];

/** Traces per query; a full answer is split, so this bounds one response, not what is read. */
export const QUERY_LIMIT = 1000;
/** The incremental poll starts this far before the previous one ended: the collector batches. */
export const POLL_OVERLAP_MS = MINUTE;
/** Wider windows read again now and then, for late arrivals. The last one is the whole backfill window. */
export const RESCANS: { everyMs: number; windowMs: number | 'backfill' }[] = [
  { everyMs: MINUTE, windowMs: 15 * MINUTE },
  { everyMs: 15 * MINUTE, windowMs: 6 * HOUR },
  { everyMs: 6 * HOUR, windowMs: 'backfill' },
];
const REQUEST_TIMEOUT_MS = 30_000;

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
  /** Services whose read failed this round, with why. */
  failures: Record<string, string>;
}

export class JaegerPoller {
  private readonly options: PollerOptions;
  private readonly limit: number;
  private readonly now: () => number;
  /** Per service: the end of the last window read. */
  private readonly cursors = new Map<string, number>();
  private readonly rescannedAt: number[];
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
    const report: PollReport = { services: 0, queries: 0, traces: 0, ms: 0, failures: {} };
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
    // The widest due rescan decides how far back this round reads.
    let rescanFrom = Number.POSITIVE_INFINITY;
    RESCANS.forEach((rescan, i) => {
      if (now - this.rescannedAt[i]! < rescan.everyMs) return;
      this.rescannedAt[i] = now;
      const window = rescan.windowMs === 'backfill' ? this.options.backfillMs : rescan.windowMs;
      rescanFrom = Math.min(rescanFrom, now - window);
    });
    for (const service of services) {
      const cursor = this.cursors.get(service);
      const from = Math.min(
        cursor === undefined ? now - this.options.backfillMs : cursor - POLL_OVERLAP_MS,
        rescanFrom,
      );
      try {
        for (const query of QUERIES) await this.read(service, query, from * 1000, now * 1000, report);
        this.cursors.set(service, now);
        report.services++;
      } catch (err) {
        report.failures[service] = errorText(err);
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
    if (list.length >= this.limit && endUs - startUs > 1000) {
      const mid = Math.floor((startUs + endUs) / 2);
      await this.read(service, query, startUs, mid, report);
      await this.read(service, query, mid, endUs, report);
      return;
    }
    report.traces += list.length;
    if (list.length > 0) this.options.onTraces(list);
  }

  /** One trace, or undefined when Jaeger does not have it. */
  async trace(traceId: string): Promise<JaegerTrace | undefined> {
    if (!/^[0-9a-f]{1,32}$/i.test(traceId)) return undefined;
    const res = await fetch(`${this.options.jaegerUrl}/api/traces/${traceId}`, {
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const data = ((await res.json()) as { data?: unknown }).data;
    return Array.isArray(data) ? (data[0] as JaegerTrace | undefined) : undefined;
  }

  private async get(path: string): Promise<unknown> {
    const res = await fetch(`${this.options.jaegerUrl}${path}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`);
    return res.json();
  }
}

function errorText(err: unknown): string {
  const e = err as { message?: string; cause?: { code?: string; message?: string } };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
