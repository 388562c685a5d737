// The index of issues: one entry per fingerprint, built from error events in any order, each span counted
// once. It keeps counts, hourly buckets, capped sets and the latest event references, never the events
// themselves: an event is fetched from Jaeger when someone opens it. Memory is bounded per issue.
import { type ErrorEvent, type TraceErrors, topFramesOf, type WithheldReport } from './error-events';

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Hourly buckets cover the 14-day sparkline; older events still count in the totals. */
const HOURLY_BUCKETS = 14 * 24;
/** Minute buckets cover the longest spike window an alert rule may use. */
export const MINUTE_BUCKETS = 60;
/** Distinct users and sessions kept per issue; past that the count reads "at least". */
export const MAX_DISTINCT = 2_000;
/** Distinct values per spread tag; the rest are counted under OTHER. */
export const MAX_TAG_VALUES = 50;
export const OTHER = '(other)';
/** Event references kept per issue (newest), for event navigation; the oldest is kept as well. */
export const MAX_EVENT_REFS = 500;

export interface EventRef {
  traceId: string;
  spanId: string;
  time: number;
}

export interface IssueStats {
  fingerprint: string;
  type: string;
  message: string;
  culprit?: string;
  /** The top in-app frames of the newest report (the culprit first), for alerts. */
  frames: string[];
  /** False until an exception span of it arrived (its duplicates can come first, on a withheld span). */
  described: boolean;
  services: Map<string, number>;
  /** Reports plus the duplicates counted on them and on withheld spans. */
  events: number;
  /** Exception spans. */
  reports: number;
  users: Set<string>;
  sessions: Set<string>;
  firstSeen: number;
  lastSeen: number;
  firstRelease?: string;
  lastRelease?: string;
  /** Release of the first and last event by time, tracked with their times. */
  firstReleaseAt: number;
  lastReleaseAt: number;
  handledEvents: number;
  unhandledEvents: number;
  environments: Set<string>;
  /** Events per hour (hours since the epoch), the last HOURLY_BUCKETS hours of what was seen. */
  hourly: Map<number, number>;
  /** Events per minute, the last MINUTE_BUCKETS minutes: spike alerts. */
  minutely: Map<number, number>;
  spread: Map<string, Map<string, number>>;
  /** Newest last. */
  refs: EventRef[];
  oldest?: EventRef;
  /** Time of the event whose title and culprit are shown (the newest report). */
  describedAt: number;
}

/** What one call to `add` changed, for the state rules and alerts. */
export interface IndexChange {
  fingerprint: string;
  created: boolean;
  /** The new events of it, as (time, release, count). */
  arrivals: { time: number; release?: string; events: number }[];
}

export interface IndexTotals {
  /** Unique exception spans. */
  reports: number;
  /** Their own events plus the duplicates carried on them. */
  reportEvents: number;
  /** Duplicates carried by withheld spans, attributed to a fingerprint. */
  withheldEvents: number;
  /** Duplicates whose fingerprint the agent had to forget. */
  unattributed: number;
}

export class IssueIndex {
  readonly issues = new Map<string, IssueStats>();
  /** Span ids already counted, with their time: a span seen twice (a rescan, a redelivery) counts once. */
  private readonly seen = new Map<string, number>();
  /** Losses by kind and service: what never arrived, as the agents counted it. */
  readonly lost = new Map<string, Map<string, number>>();
  readonly totals: IndexTotals = { reports: 0, reportEvents: 0, withheldEvents: 0, unattributed: 0 };

  /** Adds what a trace holds; returns what changed. Spans already counted are ignored. */
  add(found: TraceErrors): IndexChange[] {
    const changes = new Map<string, IndexChange>();
    const changeOf = (fingerprint: string, created: boolean) => {
      let change = changes.get(fingerprint);
      if (!change) {
        change = { fingerprint, created, arrivals: [] };
        changes.set(fingerprint, change);
      } else if (created) change.created = true;
      return change;
    };
    for (const error of found.errors) {
      if (!this.firstSight(error.spanId, error.time)) continue;
      const { stats, created } = this.issueOf(error.fingerprint, error.time);
      this.addError(stats, error);
      changeOf(error.fingerprint, created).arrivals.push({
        time: error.time,
        release: error.release,
        events: error.events,
      });
      this.totals.reports++;
      this.totals.reportEvents += error.events;
      this.addLosses(error.service, error.losses);
    }
    for (const withheld of found.withheld) {
      if (!this.firstSight(withheld.spanId, withheld.time)) continue;
      this.addWithheld(withheld, changeOf);
    }
    return [...changes.values()];
  }

  /** Spans older than this were forgotten: they are not counted again, whatever brings them back. */
  private horizon = Number.NEGATIVE_INFINITY;

  /**
   * Forgets span ids older than `before` (no rescan reads that far back); a span older than that which still
   * comes by (a whole trace holds spans outside the window read, a slice read late) is not counted again.
   */
  prune(before: number): void {
    this.horizon = Math.max(this.horizon, before);
    for (const [id, time] of this.seen) if (time < before) this.seen.delete(id);
  }

  get spansSeen(): number {
    return this.seen.size;
  }

  private firstSight(spanId: string, time: number): boolean {
    if (time < this.horizon || this.seen.has(spanId)) return false;
    this.seen.set(spanId, time);
    return true;
  }

  private issueOf(fingerprint: string, time: number): { stats: IssueStats; created: boolean } {
    const existing = this.issues.get(fingerprint);
    if (existing) return { stats: existing, created: false };
    const stats: IssueStats = {
      fingerprint,
      type: 'Error',
      message: '',
      described: false,
      frames: [],
      services: new Map(),
      events: 0,
      reports: 0,
      users: new Set(),
      sessions: new Set(),
      firstSeen: time,
      lastSeen: time,
      firstReleaseAt: Number.POSITIVE_INFINITY,
      lastReleaseAt: Number.NEGATIVE_INFINITY,
      handledEvents: 0,
      unhandledEvents: 0,
      environments: new Set(),
      hourly: new Map(),
      minutely: new Map(),
      spread: new Map(),
      refs: [],
      describedAt: Number.NEGATIVE_INFINITY,
    };
    this.issues.set(fingerprint, stats);
    return { stats, created: true };
  }

  private addError(stats: IssueStats, error: ErrorEvent): void {
    const n = error.events;
    stats.reports++;
    this.count(stats, error.time, n, error.service);
    if (error.handled) stats.handledEvents += n;
    else stats.unhandledEvents += n;
    if (error.user && stats.users.size < MAX_DISTINCT) stats.users.add(error.user);
    if (error.session && stats.sessions.size < MAX_DISTINCT) stats.sessions.add(error.session);
    // Capped like a spread tag: environments come from the data, and fill the list's filter.
    if (error.environment && (stats.environments.size < MAX_TAG_VALUES || stats.environments.has(error.environment)))
      stats.environments.add(error.environment);
    if (error.release) {
      if (error.time < stats.firstReleaseAt) {
        stats.firstReleaseAt = error.time;
        stats.firstRelease = error.release;
      }
      if (error.time >= stats.lastReleaseAt) {
        stats.lastReleaseAt = error.time;
        stats.lastRelease = error.release;
      }
    }
    for (const [key, value] of Object.entries(error.tags)) spreadAdd(stats.spread, key, value, n);
    if (!stats.described || error.time >= stats.describedAt) {
      stats.described = true;
      stats.describedAt = error.time;
      stats.type = error.type;
      stats.message = error.message;
      const frames = topFramesOf(error.stacktrace);
      if (frames.length > 0) {
        stats.frames = frames;
        stats.culprit = frames[0];
      }
    }
    addRef(stats, { traceId: error.traceId, spanId: error.spanId, time: error.time });
  }

  private addWithheld(
    withheld: WithheldReport,
    changeOf: (fingerprint: string, created: boolean) => IndexChange,
  ): void {
    for (const [fingerprint, n] of withheld.byFingerprint) {
      const { stats, created } = this.issueOf(fingerprint, withheld.time);
      this.count(stats, withheld.time, n, withheld.service);
      // Duplicates are repeats of a report the agent sent: handled as it was, which the report says.
      if (stats.unhandledEvents > 0 && stats.handledEvents === 0) stats.unhandledEvents += n;
      else stats.handledEvents += n;
      changeOf(fingerprint, created).arrivals.push({ time: withheld.time, events: n });
      this.totals.withheldEvents += n;
    }
    if (withheld.unattributed > 0) {
      this.totals.unattributed += withheld.unattributed;
      this.addLosses(withheld.service, { 'faultline.duplicates.unattributed': withheld.unattributed });
    }
    this.addLosses(withheld.service, withheld.losses);
  }

  private count(stats: IssueStats, time: number, n: number, service: string): void {
    stats.events += n;
    stats.services.set(service, (stats.services.get(service) ?? 0) + n);
    if (time < stats.firstSeen) stats.firstSeen = time;
    if (time > stats.lastSeen) stats.lastSeen = time;
    bucketAdd(stats.hourly, Math.floor(time / HOUR), n, HOURLY_BUCKETS);
    bucketAdd(stats.minutely, Math.floor(time / MINUTE), n, MINUTE_BUCKETS);
  }

  private addLosses(service: string, losses: Record<string, number>): void {
    for (const [kind, n] of Object.entries(losses)) {
      if (!(n > 0)) continue;
      let byService = this.lost.get(kind);
      if (!byService) {
        byService = new Map();
        this.lost.set(kind, byService);
      }
      byService.set(service, (byService.get(service) ?? 0) + n);
    }
  }
}

/** Adds to a time bucket and drops the oldest buckets beyond `keep` of the newest. */
function bucketAdd(buckets: Map<number, number>, key: number, n: number, keep: number): void {
  buckets.set(key, (buckets.get(key) ?? 0) + n);
  if (buckets.size > keep) {
    let newest = Number.NEGATIVE_INFINITY;
    for (const k of buckets.keys()) if (k > newest) newest = k;
    for (const k of buckets.keys()) if (k <= newest - keep) buckets.delete(k);
  }
}

function spreadAdd(spread: Map<string, Map<string, number>>, key: string, value: string, n: number): void {
  let values = spread.get(key);
  if (!values) {
    values = new Map();
    spread.set(key, values);
  }
  const slot = values.has(value) || values.size < MAX_TAG_VALUES ? value : OTHER;
  values.set(slot, (values.get(slot) ?? 0) + n);
}

/** Keeps the newest MAX_EVENT_REFS references in time order, and the oldest one. */
function addRef(stats: IssueStats, ref: EventRef): void {
  if (!stats.oldest || ref.time < stats.oldest.time) stats.oldest = ref;
  const refs = stats.refs;
  if (refs.length >= MAX_EVENT_REFS && ref.time < refs[0]!.time) return;
  let i = refs.length;
  while (i > 0 && refs[i - 1]!.time > ref.time) i--;
  refs.splice(i, 0, ref);
  if (refs.length > MAX_EVENT_REFS) refs.shift();
}

/** Events per bucket for the last `buckets` buckets of `size` ms ending at `now`, oldest first. */
export function series(stats: IssueStats, now: number, buckets: number, size: number): number[] {
  const out = new Array<number>(buckets).fill(0);
  const endHour = Math.floor(now / HOUR);
  const hoursPerBucket = size / HOUR;
  for (const [hour, n] of stats.hourly) {
    const age = Math.floor((endHour - hour) / hoursPerBucket);
    if (age >= 0 && age < buckets) out[buckets - 1 - age]! += n;
  }
  return out;
}

/** Events in the last `minutes` minutes before `now` (minute resolution). */
export function recentEvents(stats: IssueStats, now: number, minutes: number): number {
  const end = Math.floor(now / MINUTE);
  let n = 0;
  for (const [minute, c] of stats.minutely) if (minute > end - minutes && minute <= end) n += c;
  return n;
}
