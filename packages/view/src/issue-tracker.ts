// Ties the index, the state file and the alerts together, and answers the API's questions. An issue's id is
// its primary fingerprint; fingerprints merged into it count there.
import { parseStack, type StackFrame } from '@faultline/core';
import type { Alert, AlertIssue, AlertKind, AlertSender } from './alerts';
import type { IssueSummary } from './api-types';
import { errorsOfTrace, rootStack, SPREAD_TAGS } from './error-events';
import {
  type EventRef,
  type IndexChange,
  type IssueIndex,
  type IssueStats,
  MAX_DISTINCT,
  OTHER,
  recentEvents,
  series,
} from './issue-index';
import type { JaegerTrace } from './jaeger-json';
import type { StateFile } from './state-file';
import {
  afterArrival,
  afterTime,
  applyRequest,
  compareReleases,
  type IssueState,
  type Status,
  type StatusRequest,
} from './status-rules';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** More alerts of one kind in one round than this go out as one digest: a bad deploy is one message. */
const MAX_ALERTS_PER_ROUND = 5;
const MAX_MERGE_DEPTH = 8;
/** Issues per page of the list, by default and at most. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

export interface SpikeRule {
  events: number;
  minutes: number;
}

export interface ListQuery {
  limit?: number;
  offset?: number;
  service?: string;
  environment?: string;
  release?: string;
  status?: string;
  handled?: string;
  query?: string;
  sort?: string;
}

export const SORTS = ['lastSeen', 'firstSeen', 'events', 'users', 'trend'] as const;

export interface TrackerOptions {
  index: IssueIndex;
  state: StateFile;
  alerts: AlertSender;
  spike: SpikeRule;
  pageUrl?: string;
  now?: () => number;
}

export class IssueTracker {
  readonly index: IssueIndex;
  readonly state: StateFile;
  private readonly alerts: AlertSender;
  private readonly spike: SpikeRule;
  /** Where the page is, for links in alerts (known once the server listens). */
  pageUrl: string;
  private readonly now: () => number;
  private pending: IndexChange[] = [];
  /** Fingerprints first seen since the last complete read: new-issue alert candidates. */
  private readonly fresh = new Set<string>();

  constructor(options: TrackerOptions) {
    this.index = options.index;
    this.state = options.state;
    this.alerts = options.alerts;
    this.spike = options.spike;
    this.pageUrl = (options.pageUrl ?? '').replace(/\/$/, '');
    this.now = options.now ?? Date.now;
    // An alert is marked sent in the state before it is delivered: what a previous run had not delivered yet
    // is sent now, and every settled delivery updates what is kept.
    this.alerts.onSettled = () => {
      this.state.outbox = this.alerts.undelivered();
      this.state.save();
    };
    this.alerts.resume(this.state.outbox);
  }

  /** Takes a batch of traces from the poller. */
  ingest(traces: JaegerTrace[]): void {
    for (const trace of traces) {
      const changes = this.index.add(errorsOfTrace(trace));
      if (changes.length > 0) this.pending.push(...changes);
    }
  }

  /**
   * After a poll round: moves states on (regressions, ignores that ran out), sends the alerts that are due,
   * and writes the state once. `complete`: nothing older is still queued to be read.
   */
  settle(complete = true): void {
    const now = this.now();
    const changes = this.pending;
    this.pending = [];
    let dirty = false;
    const due: Record<AlertKind, string[]> = { new: [], regressed: [], spike: [] };
    const touched = new Set<string>();
    for (const change of changes) {
      const id = this.primaryOf(change.fingerprint);
      touched.add(id);
      if (change.created) this.fresh.add(change.fingerprint);
      const events = this.members(id).reduce((n, s) => n + s.events, 0);
      for (const arrival of change.arrivals) {
        const next = afterArrival(this.state.get(id), arrival, events, now);
        if (!next) continue;
        this.state.set(id, next);
        dirty = true;
        if (next.status === 'regressed' && this.state.alerts(id).regressed !== next.revision) {
          this.state.markAlert(id, { regressed: next.revision });
          due.regressed.push(id);
        }
      }
    }
    // Whether an issue is new is known once older windows are read (a backfill reads newest first).
    if (complete) {
      for (const fingerprint of this.fresh) {
        const stats = this.index.issues.get(fingerprint);
        if (this.primaryOf(fingerprint) !== fingerprint || !stats) continue;
        if (stats.firstSeen >= this.state.watchingSince && this.state.alerts(fingerprint).new === undefined) {
          this.state.markAlert(fingerprint, { new: now });
          due.new.push(fingerprint);
          dirty = true;
        }
      }
      this.fresh.clear();
    }
    for (const id of touched) {
      const stats = this.members(id);
      const inWindow = stats.reduce((n, s) => n + recentEvents(s, now, this.spike.minutes), 0);
      const last = this.state.alerts(id).spike;
      if (inWindow >= this.spike.events && (last === undefined || now - last >= this.spike.minutes * 60_000)) {
        this.state.markAlert(id, { spike: now });
        due.spike.push(id);
        dirty = true;
      }
    }
    for (const [id, state] of this.state.entries()) {
      const next = afterTime(state, now);
      if (next) {
        this.state.set(id, next);
        dirty = true;
      }
    }
    if (this.alerts.enabled)
      for (const kind of ['new', 'regressed', 'spike'] as const) this.sendAlerts(kind, due[kind]);
    // The marks and the deliveries they stand for are written together: a restart neither repeats nor loses one.
    if (this.alerts.enabled && (due.new.length > 0 || due.regressed.length > 0 || due.spike.length > 0)) {
      this.state.outbox = this.alerts.undelivered();
      dirty = true;
    }
    if (dirty) this.state.save();
  }

  private sendAlerts(kind: AlertKind, ids: string[]): void {
    if (ids.length === 0) return;
    const spike = kind === 'spike' ? { ...this.spike } : undefined;
    if (ids.length <= MAX_ALERTS_PER_ROUND) {
      for (const id of ids) {
        const summary = this.summary(id);
        if (summary) this.alerts.send(this.alertOf(kind, summary, spike));
      }
      return;
    }
    // One digest: the busiest issue leads, the title says how many.
    const summaries = ids
      .map((id) => this.summary(id))
      .filter((s): s is IssueSummary => s !== undefined)
      .sort((a, b) => b.events - a.events);
    const lead = summaries[0];
    if (!lead) return;
    const alert = this.alertOf(kind, lead, spike);
    alert.issue.title = `${summaries.length} issues, the busiest: ${lead.title}`;
    alert.issue.frames = summaries.slice(0, 10).map((s) => `${s.title} (${s.events} events)`);
    alert.url = `${this.pageUrl}/`;
    this.alerts.send(alert);
  }

  private alertOf(kind: AlertKind, s: IssueSummary, spike?: SpikeRule): Alert {
    const issue: AlertIssue = {
      id: s.id,
      title: s.title,
      service: s.service,
      events: s.events,
      users: s.users,
      firstSeen: s.firstSeen,
      lastSeen: s.lastSeen,
      status: s.status,
      frames: this.topFrames(s.id),
    };
    if (s.culprit) issue.culprit = s.culprit;
    return { kind, issue, url: `${this.pageUrl}/issues/${encodeURIComponent(s.id)}`, ...(spike ? { spike } : {}) };
  }

  /** The top in-app frames of the issue's newest report. */
  private topFrames(id: string): string[] {
    return this.index.issues.get(id)?.frames ?? [];
  }

  // ---- merges ----

  /** The issue a fingerprint counts in. */
  primaryOf(fingerprint: string): string {
    let id = fingerprint;
    for (let i = 0; i < MAX_MERGE_DEPTH; i++) {
      const into = this.state.get(id).mergedInto;
      if (!into || into === id) break;
      id = into;
    }
    return id;
  }

  /** The stats of every fingerprint that counts in issue `id` (its own first). */
  members(id: string): IssueStats[] {
    const out: IssueStats[] = [];
    const own = this.index.issues.get(id);
    if (own) out.push(own);
    for (const [fingerprint, state] of this.state.entries()) {
      if (state.mergedInto && fingerprint !== id && this.primaryOf(fingerprint) === id) {
        const stats = this.index.issues.get(fingerprint);
        if (stats) out.push(stats);
      }
    }
    return out;
  }

  // ---- queries ----

  summary(id: string): IssueSummary | undefined {
    if (this.primaryOf(id) !== id) return undefined;
    return this.summarize(id, this.members(id), this.now());
  }

  private summarize(id: string, members: IssueStats[], now: number): IssueSummary | undefined {
    if (members.length === 0) return undefined;
    const described =
      members.filter((m) => m.described).sort((a, b) => b.describedAt - a.describedAt)[0] ?? members[0]!;
    const services = new Map<string, number>();
    const users = new Set<string>();
    const sessions = new Set<string>();
    const environments = new Set<string>();
    const mechanisms = new Set<string>();
    let events = 0;
    let reports = 0;
    let unhandled = 0;
    let firstSeen = Number.POSITIVE_INFINITY;
    let lastSeen = Number.NEGATIVE_INFINITY;
    let first: [number, string | undefined] = [Number.POSITIVE_INFINITY, undefined];
    let last: [number, string | undefined] = [Number.NEGATIVE_INFINITY, undefined];
    const last24h = new Array<number>(24).fill(0);
    const last14d = new Array<number>(14).fill(0);
    let capped = false;
    for (const m of members) {
      events += m.events;
      reports += m.reports;
      unhandled += m.unhandledEvents;
      for (const [s, n] of m.services) services.set(s, (services.get(s) ?? 0) + n);
      // A merged issue's people are the union; one fingerprint's are its own sets (no copy).
      if (members.length > 1) {
        for (const u of m.users) users.add(u);
        for (const s of m.sessions) sessions.add(s);
      }
      for (const e of m.environments) environments.add(e);
      for (const k of m.spread.get('mechanism')?.keys() ?? []) mechanisms.add(k);
      capped ||= m.users.size >= MAX_DISTINCT || m.sessions.size >= MAX_DISTINCT;
      firstSeen = Math.min(firstSeen, m.firstSeen);
      lastSeen = Math.max(lastSeen, m.lastSeen);
      if (m.firstReleaseAt < first[0]) first = [m.firstReleaseAt, m.firstRelease];
      if (m.lastReleaseAt > last[0]) last = [m.lastReleaseAt, m.lastRelease];
      series(m, now, 24, HOUR).forEach((n, i) => {
        last24h[i]! += n;
      });
      series(m, now, 14, DAY).forEach((n, i) => {
        last14d[i]! += n;
      });
    }
    const state = this.state.get(id);
    const service = [...services].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'unknown';
    return {
      id,
      fingerprint: id,
      fingerprints: members.map((m) => m.fingerprint),
      title: described.described ? titleOf(described.type, described.message) : `(duplicates of ${id})`,
      type: described.type,
      message: described.message,
      culprit: described.culprit ?? null,
      service,
      services: [...services.keys()],
      events,
      reports,
      users: members.length > 1 ? users.size : members[0]!.users.size,
      sessions: members.length > 1 ? sessions.size : members[0]!.sessions.size,
      capped,
      firstSeen: new Date(firstSeen).toISOString(),
      lastSeen: new Date(lastSeen).toISOString(),
      firstRelease: first[1] ?? null,
      lastRelease: last[1] ?? null,
      environments: [...environments],
      status: state.status,
      revision: state.revision,
      handled: unhandled === 0,
      unhandledEvents: unhandled,
      mechanisms: [...mechanisms],
      last24h,
      last14d,
    };
  }

  /**
   * The issues list: filtered and sorted on what the index holds, then one page of it summarized (a summary
   * costs more than a filter, and nobody reads 1,000 rows at once).
   */
  list(query: ListQuery): { issues: IssueSummary[]; matched: number } {
    const now = this.now();
    const byPrimary = new Map<string, IssueStats[]>();
    for (const stats of this.index.issues.values()) {
      const id = this.primaryOf(stats.fingerprint);
      let group = byPrimary.get(id);
      if (!group) {
        group = [];
        byPrimary.set(id, group);
      }
      if (id === stats.fingerprint) group.unshift(stats);
      else group.push(stats);
    }
    const text = query.query?.trim().toLowerCase();
    const sort = query.sort ?? 'lastSeen';
    const rows: { id: string; members: IssueStats[]; key: number }[] = [];
    for (const [id, members] of byPrimary) {
      const { release, service, environment } = query;
      if (release && !members.some((m) => m.spread.get('release')?.has(release))) continue;
      if (service && !members.some((m) => m.services.has(service))) continue;
      if (environment && !members.some((m) => m.environments.has(environment))) continue;
      if (query.status && !statusMatches(this.state.get(id).status, query.status)) continue;
      const events = members.reduce((n, m) => n + m.events, 0);
      // As the summary's `handled` reads: handled when no event of it was unhandled.
      const unhandled = members.reduce((n, m) => n + m.unhandledEvents, 0);
      if (query.handled === 'true' && unhandled > 0) continue;
      if (query.handled === 'false' && unhandled === 0) continue;
      if (text) {
        const haystack = members.map((m) => `${titleOf(m.type, m.message)}\n${m.culprit ?? ''}\n${m.fingerprint}`);
        if (!haystack.join('\n').toLowerCase().includes(text)) continue;
      }
      rows.push({ id, members, key: sortKey(sort, members, events, now) });
    }
    rows.sort((a, b) => b.key - a.key || (a.id < b.id ? -1 : 1));
    const offset = Math.max(0, query.offset ?? 0);
    const page = rows.slice(offset, offset + Math.min(MAX_PAGE, Math.max(1, query.limit ?? DEFAULT_PAGE)));
    const issues = page
      .map((r) => this.summarize(r.id, r.members, now))
      .filter((s): s is IssueSummary => s !== undefined);
    return { issues, matched: rows.length };
  }

  /** The values the list's filters can take, over every issue. */
  facets(): { services: string[]; environments: string[]; releases: string[] } {
    const services = new Set<string>();
    const environments = new Set<string>();
    const releases = new Set<string>();
    for (const stats of this.index.issues.values()) {
      for (const s of stats.services.keys()) services.add(s);
      for (const e of stats.environments) environments.add(e);
      for (const r of stats.spread.get('release')?.keys() ?? []) if (r !== OTHER) releases.add(r);
    }
    return {
      services: [...services].sort(),
      environments: [...environments].sort(),
      releases: [...releases].sort((a, b) => compareReleases(b, a)),
    };
  }

  /** One issue with its tag spread and event references (newest first). */
  detail(id: string):
    | {
        issue: IssueSummary;
        tags: Record<string, { value: string; count: number }[]>;
        events: EventRef[];
        oldest?: EventRef;
      }
    | undefined {
    const issue = this.summary(id);
    if (!issue) return undefined;
    const members = this.members(id);
    const tags: Record<string, { value: string; count: number }[]> = {};
    for (const key of SPREAD_TAGS) {
      const values = new Map<string, number>();
      for (const m of members) for (const [v, n] of m.spread.get(key) ?? []) values.set(v, (values.get(v) ?? 0) + n);
      if (values.size > 0)
        tags[key] = [...values].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
    }
    const refs = members.flatMap((m) => m.refs).sort((a, b) => b.time - a.time);
    const oldest = members
      .map((m) => m.oldest)
      .filter((r): r is EventRef => r !== undefined)
      .sort((a, b) => a.time - b.time)[0];
    return { issue, tags, events: refs, ...(oldest ? { oldest } : {}) };
  }

  /** A person's status change. Returns the new state, or why not (HTTP status and message). */
  setStatus(
    id: string,
    request: StatusRequest,
  ): { state: IssueState } | { code: number; error: string; state?: IssueState } {
    const summary = this.summary(id);
    if (!summary) return { code: 404, error: 'no such issue' };
    const current = this.state.get(id);
    if (request.revision !== undefined && request.revision !== current.revision)
      return { code: 409, error: 'the issue changed since you loaded it', state: current };
    const next = applyRequest(
      current,
      request,
      { events: summary.events, lastRelease: summary.lastRelease ?? undefined },
      this.now(),
    );
    this.state.set(id, next);
    this.state.save();
    return { state: next };
  }

  /** Merges issue `id` into `into`; `into: null` splits it off again. */
  merge(id: string, into: string | null): { state: IssueState } | { code: number; error: string } {
    if (!this.index.issues.has(id)) return { code: 404, error: 'no such issue' };
    const current = this.state.get(id);
    if (into === null) {
      const { mergedInto: _, ...rest } = current;
      const next = { ...rest, revision: current.revision + 1, changedAt: this.now() };
      this.state.set(id, next);
      this.state.save();
      return { state: next };
    }
    if (!this.index.issues.has(into)) return { code: 404, error: 'no issue to merge into' };
    const target = this.primaryOf(into);
    if (target === id) return { code: 400, error: 'an issue cannot be merged into itself' };
    const next = { ...current, mergedInto: target, revision: current.revision + 1, changedAt: this.now() };
    this.state.set(id, next);
    // Whatever was merged into `id` follows it.
    for (const [fingerprint, state] of this.state.entries()) {
      if (state.mergedInto === id) this.state.set(fingerprint, { ...state, mergedInto: target });
    }
    this.state.save();
    return { state: next };
  }
}

export function titleOf(type: string, message: string): string {
  const first = message.split('\n', 1)[0] ?? '';
  return first ? `${type}: ${first}` : type;
}

function statusMatches(status: Status, wanted: string): boolean {
  // "unresolved" is what needs a look: a regression does too.
  if (wanted === 'unresolved') return status === 'unresolved' || status === 'regressed';
  return status === wanted;
}

/** The value a list sorts on, from the index alone. */
function sortKey(sort: string, members: IssueStats[], events: number, now: number): number {
  if (sort === 'events') return events;
  if (sort === 'firstSeen') return Math.min(...members.map((m) => m.firstSeen));
  if (sort === 'users')
    return members.length === 1 ? members[0]!.users.size : new Set(members.flatMap((m) => [...m.users])).size;
  if (sort === 'trend') {
    // Events in the last 24 hours minus those in the 24 hours before.
    let trend = 0;
    for (const m of members) {
      const [dayBefore = 0, lastDay = 0] = series(m, now, 2, DAY);
      trend += lastDay - dayBefore;
    }
    return trend;
  }
  return Math.max(...members.map((m) => m.lastSeen));
}

/** The stack of an event, as the page shows it: the root's frames and each cause's, parsed by core. */
export function framesOf(stacktrace: string): { header: string; frames: StackFrame[] }[] {
  const sections: { header: string; frames: StackFrame[] }[] = [];
  const root = rootStack(stacktrace);
  sections.push({ header: root.split('\n', 1)[0] ?? '', frames: parseStack(root) });
  let rest = stacktrace.slice(root.length);
  while (rest.length > 0) {
    const body = rest.replace(/^\n/, '');
    const next = body.slice(1).search(/\nCaused by(?: \([^)]*\))?: /);
    const section = next < 0 ? body : body.slice(0, next + 1);
    sections.push({
      header: section.split('\n', 1)[0] ?? '',
      frames: parseStack(section.replace(/^Caused by(?: \([^)]*\))?: /, '')),
    });
    rest = next < 0 ? '' : body.slice(next + 1);
  }
  return sections;
}
