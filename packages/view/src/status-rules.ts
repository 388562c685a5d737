// What a person decided about an issue, and how new events change it. Pure functions of the state, the
// request and the events: the state file stores the result, the alerts fire on the transitions.
//
//   unresolved ──resolve──▶ resolved ──an event after it──▶ regressed
//        ▲                  resolved in the next release ──an event from a newer release──▶ regressed
//        └──────── ignored ──N more events / the date──┘   (and "unresolve" from any status)

export type Status = 'unresolved' | 'resolved' | 'ignored' | 'regressed';
export const STATUSES: readonly Status[] = ['unresolved', 'resolved', 'ignored', 'regressed'];

export interface IssueState {
  status: Status;
  /** Bumped on every change: a request that names an older revision is refused (two tabs, one issue). */
  revision: number;
  changedAt: number;
  resolvedAt?: number;
  /** Resolved in the next release: the release that was the latest when it was resolved. */
  inNextRelease?: string;
  /** Ignored until this many events in total (the count at the time plus N)... */
  ignoreUntilEvents?: number;
  /** ...or until this time. */
  ignoreUntil?: number;
  /** Merged into another issue (its id): its events count there. */
  mergedInto?: string;
}

export const INITIAL_STATE: Readonly<IssueState> = Object.freeze({ status: 'unresolved', revision: 0, changedAt: 0 });

/** A status change as the API takes it. */
export interface StatusRequest {
  status: 'resolved' | 'ignored' | 'unresolved';
  /** resolved: only events of a release newer than the latest one regress it. */
  inNextRelease?: boolean;
  /** ignored: until N more events. */
  untilEvents?: number;
  /** ignored: until this time (ms since the epoch). */
  until?: number;
  /** The revision the person saw; omitted: no check. */
  revision?: number;
}

/** Reads an untrusted request body. Returns the request or a message saying what is wrong. */
export function parseStatusRequest(body: unknown): StatusRequest | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the body must be a JSON object';
  const b = body as Record<string, unknown>;
  if (b.status !== 'resolved' && b.status !== 'ignored' && b.status !== 'unresolved')
    return 'status must be "resolved", "ignored" or "unresolved"';
  const request: StatusRequest = { status: b.status };
  if (b.revision !== undefined) {
    if (!Number.isSafeInteger(b.revision) || (b.revision as number) < 0)
      return 'revision must be a non-negative integer';
    request.revision = b.revision as number;
  }
  if (b.status === 'resolved' && b.inNextRelease !== undefined) {
    if (typeof b.inNextRelease !== 'boolean') return 'inNextRelease must be true or false';
    request.inNextRelease = b.inNextRelease;
  }
  if (b.status === 'ignored') {
    if (b.untilEvents !== undefined) {
      if (!Number.isSafeInteger(b.untilEvents) || (b.untilEvents as number) < 1)
        return 'untilEvents must be a positive integer';
      request.untilEvents = b.untilEvents as number;
    }
    if (b.until !== undefined) {
      const until = typeof b.until === 'string' ? Date.parse(b.until) : Number.NaN;
      if (!Number.isFinite(until)) return 'until must be an ISO 8601 date';
      request.until = until;
    }
  }
  return request;
}

export interface IssueFacts {
  events: number;
  lastRelease?: string;
}

/** The state after a person's request. */
export function applyRequest(state: IssueState, request: StatusRequest, issue: IssueFacts, now: number): IssueState {
  const next: IssueState = { status: request.status, revision: state.revision + 1, changedAt: now };
  if (state.mergedInto) next.mergedInto = state.mergedInto;
  if (request.status === 'resolved') {
    next.resolvedAt = now;
    if (request.inNextRelease && issue.lastRelease) next.inNextRelease = issue.lastRelease;
  }
  if (request.status === 'ignored') {
    if (request.untilEvents !== undefined) next.ignoreUntilEvents = issue.events + request.untilEvents;
    if (request.until !== undefined) next.ignoreUntil = request.until;
  }
  return next;
}

/** The state after new events of the issue arrived (`events` is its total with them), or undefined. */
export function afterArrival(
  state: IssueState,
  arrival: { time: number; release?: string },
  events: number,
  now: number,
): IssueState | undefined {
  if (state.status === 'resolved') {
    // Only an event that happened after the resolution: a late report from before does not count, nor do
    // the events a restart reads again (a newer release's among them, when an older one reported last).
    const regressed =
      arrival.time > (state.resolvedAt ?? 0) &&
      (state.inNextRelease === undefined ||
        (arrival.release !== undefined && compareReleases(arrival.release, state.inNextRelease) > 0));
    if (regressed) return { status: 'regressed', revision: state.revision + 1, changedAt: now, ...merged(state) };
  }
  if (state.status === 'ignored' && state.ignoreUntilEvents !== undefined && events >= state.ignoreUntilEvents)
    return { status: 'unresolved', revision: state.revision + 1, changedAt: now, ...merged(state) };
  return undefined;
}

/** The state once time has passed (an ignore that ran out), or undefined. */
export function afterTime(state: IssueState, now: number): IssueState | undefined {
  if (state.status === 'ignored' && state.ignoreUntil !== undefined && now >= state.ignoreUntil)
    return { status: 'unresolved', revision: state.revision + 1, changedAt: now, ...merged(state) };
  return undefined;
}

function merged(state: IssueState): Partial<IssueState> {
  return state.mergedInto ? { mergedInto: state.mergedInto } : {};
}

/**
 * Orders releases: numeric parts as numbers (`1.10.0` > `1.9.2`), a pre-release below its release
 * (`2.0.0-rc.1` < `2.0.0`), anything else as text. Returns <0, 0 or >0.
 */
export function compareReleases(a: string, b: string): number {
  if (a === b) return 0;
  const [coreA = '', preA] = splitPre(a);
  const [coreB = '', preB] = splitPre(b);
  const byCore = coreA.localeCompare(coreB, 'en', { numeric: true });
  if (byCore !== 0) return byCore;
  if (preA === undefined) return preB === undefined ? 0 : 1;
  if (preB === undefined) return -1;
  return preA.localeCompare(preB, 'en', { numeric: true });
}

function splitPre(release: string): [string, string | undefined] {
  const plain = release.replace(/^v(?=\d)/, '').replace(/\+.*$/, '');
  const dash = plain.indexOf('-');
  return dash < 0 ? [plain, undefined] : [plain.slice(0, dash), plain.slice(dash + 1)];
}
