// The JSON the API answers with: what the page reads and what scripts can rely on. Times are ISO 8601.
import type { StackFrame } from '@faultline/core';
import type { Status } from './status-rules';

export interface IssueSummary {
  id: string;
  fingerprint: string;
  fingerprints: string[];
  title: string;
  type: string;
  message: string;
  culprit: string | null;
  service: string;
  services: string[];
  events: number;
  reports: number;
  users: number;
  sessions: number;
  /** True when users or sessions reached the per-issue cap: the counts are lower bounds. */
  capped: boolean;
  firstSeen: string;
  lastSeen: string;
  firstRelease: string | null;
  lastRelease: string | null;
  environments: string[];
  status: Status;
  revision: number;
  /** False when any event of it was unhandled. */
  handled: boolean;
  unhandledEvents: number;
  mechanisms: string[];
  /** Events per hour over the last 24 h, and per day over the last 14 days, oldest first. */
  last24h: number[];
  last14d: number[];
}

export interface Breadcrumb {
  name: string;
  time: string;
  /** Milliseconds before (negative) the error. */
  offsetMs: number;
  attributes: Record<string, unknown>;
}

export interface EventDetail {
  traceId: string;
  spanId: string;
  time: string;
  service: string;
  fingerprint: string;
  type: string;
  message: string;
  handled: boolean;
  mechanism: string;
  stacktrace: string;
  /** The root error first, then each `Caused by:` section. */
  exceptions: { header: string; frames: StackFrame[] }[];
  causes: { relation: string; type: string; message: string }[];
  breadcrumbs: Breadcrumb[];
  /** Grouped context: user, session, page, browser, process, host, and what is left under `other`. */
  context: Record<string, Record<string, unknown>>;
  resource: Record<string, unknown>;
  /** The span as Jaeger returned it. */
  raw: unknown;
}

export interface EventRefBody {
  traceId: string;
  spanId: string;
  time: string;
}

export type Losses = Record<string, { total: number; services: Record<string, number> }>;

export interface ViewStatus {
  jaeger: {
    url: string;
    backfilled: boolean;
    lastSuccess: string | null;
    error: string | null;
    lastPollMs: number | null;
  };
  alerts: { webhooks: number; sent: number; failed: number; dropped: number; pending: number; lastFailure?: string };
  /** The view's own size: issues, span ids it remembers, its memory. */
  index: { issues: number; spans: number; rssMb: number; heapMb: number };
  startedAt: string;
}

/** GET /api/issues */
export interface IssueListBody extends ViewStatus {
  /** One page: `limit` (100, at most 1,000) from `offset`, of the `matched` issues. */
  issues: IssueSummary[];
  matched: number;
  offset: number;
  /** Issues in the index, whatever the filters. */
  total: number;
  /** The values the filters can take. */
  facets: { services: string[]; environments: string[]; releases: string[] };
  lost: Losses;
}

/** GET /api/issues/:id */
export interface IssueDetailBody {
  issue: IssueSummary;
  tags: Record<string, { value: string; count: number }[]>;
  /** Newest first. */
  events: EventRefBody[];
  oldest?: EventRefBody;
}

type Ref = { traceId: string; spanId: string } | null;

/** GET /api/events/:traceId/:spanId */
export interface EventBody extends EventDetail {
  issueId: string;
  jaegerUrl: string | null;
  navigation: { newest: Ref; oldest: Ref; newer: Ref; older: Ref };
}
