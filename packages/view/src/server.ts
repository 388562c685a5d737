// The HTTP side: the page's files and the JSON API, on node:http. Security, in order: the Host header must
// name this server (DNS rebinding), the token when one is set (header, cookie, or once in the page URL),
// and for state changes a same-origin request with a JSON body. Every answer carries a strict
// Content-Security-Policy; the page builds its DOM from text, never from HTML strings.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorsOfTrace } from './error-events';
import { eventDetail } from './event-view';
import { type IssueTracker, type ListQuery, SORTS } from './issue-tracker';
import type { JaegerPoller } from './jaeger-poller';
import { isLoopback } from './options';
import { parseStatusRequest, STATUSES } from './status-rules';

const MAX_BODY_BYTES = 16 * 1024;
const TOKEN_COOKIE = 'faultline_view_token';

export const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

export interface PageAssets {
  html: Buffer;
  files: Map<string, { type: string; body: Buffer }>;
}

export interface ServerContext {
  tracker: IssueTracker;
  poller: JaegerPoller;
  assets: PageAssets;
  host: string;
  token?: string;
  jaegerUi: string;
  /** What the page shows about the view itself (poll, alerts). */
  status: () => Record<string, unknown>;
}

/**
 * An issue id is its fingerprint, which comes from the data (any SDK's, through the collector): any text,
 * percent-encoded in the path, up to a length no fingerprint needs.
 */
const MAX_ID_LENGTH = 512;
const ISSUE_PATH = /^\/api\/issues\/([^/]+)$/;
const ISSUE_STATUS_PATH = /^\/api\/issues\/([^/]+)\/status$/;
const ISSUE_MERGE_PATH = /^\/api\/issues\/([^/]+)\/merge$/;

function withId(res: ServerResponse, m: RegExpExecArray, handle: (id: string) => Promise<void> | void) {
  const id = safeDecode(m[1]!);
  if (!id || id.length > MAX_ID_LENGTH) return json(res, 404, { error: 'no such issue' });
  return handle(id);
}

type Handler = (req: IncomingMessage, res: ServerResponse, match: RegExpExecArray, url: URL) => Promise<void> | void;

export function createHandler(ctx: ServerContext): (req: IncomingMessage, res: ServerResponse) => void {
  const routes: [method: string, path: RegExp, handler: Handler][] = [
    ['GET', /^\/api\/issues$/, (_req, res, _m, url) => listIssues(ctx, res, url)],
    ['GET', ISSUE_PATH, (_req, res, m, url) => withId(res, m, (id) => issueDetail(ctx, res, id, url))],
    ['POST', ISSUE_STATUS_PATH, (req, res, m) => withId(res, m, (id) => changeStatus(ctx, req, res, id))],
    ['POST', ISSUE_MERGE_PATH, (req, res, m) => withId(res, m, (id) => mergeIssue(ctx, req, res, id))],
    [
      'GET',
      /^\/api\/events\/([0-9a-fA-F]{1,32})\/([0-9a-fA-F]{1,16})$/,
      (_req, res, m) => event(ctx, res, m[1]!, m[2]!),
    ],
    ['GET', /^\/api\/status$/, (_req, res) => json(res, 200, ctx.status())],
    ['GET', /^\/traces\/([0-9a-fA-F]{1,32})$/, (_req, res, m) => traceErrors(ctx, res, m[1]!)],
    ['GET', /^\/(?:issues\/[^/]+(?:\/events\/[^/]+\/[^/]+)?)?$/, (_req, res) => page(ctx, res)],
    ['GET', /^\/assets\/([a-z0-9.-]+)$/, (_req, res, m) => asset(ctx, res, m[1]!)],
  ];
  return (req, res) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://view.invalid');
    } catch {
      return json(res, 400, { error: 'bad request' });
    }
    if (!hostAllowed(ctx, req.headers.host)) return json(res, 421, { error: 'unexpected Host header' });
    if (url.pathname === '/healthz') return json(res, 200, { ok: true });
    if (ctx.token && !authorized(ctx.token, req, url)) {
      if (req.method === 'GET' && !url.pathname.startsWith('/api/'))
        return res.writeHead(401, { 'content-type': 'text/plain' }).end('faultline view: open this page with ?token=…');
      return json(res, 401, { error: 'a token is required (Authorization: Bearer …)' });
    }
    if (ctx.token && req.method === 'GET' && url.searchParams.has('token')) {
      // Once: the token moves into an HttpOnly cookie and out of the address bar and history.
      url.searchParams.delete('token');
      res.setHeader(
        'set-cookie',
        `${TOKEN_COOKIE}=${encodeURIComponent(ctx.token)}; HttpOnly; SameSite=Strict; Path=/`,
      );
      return res.writeHead(303, { location: `${url.pathname}${url.search}` }).end();
    }
    const route = routes.find(([method, path]) => method === req.method && path.test(url.pathname));
    if (!route) {
      const known = routes.some(([, path]) => path.test(url.pathname));
      return json(res, known ? 405 : 404, { error: known ? 'method not allowed' : 'not found' });
    }
    if (req.method === 'POST' && !sameOrigin(req)) return json(res, 403, { error: 'cross-origin request refused' });
    Promise.resolve(route[2](req, res, route[1].exec(url.pathname)!, url)).catch((err) => {
      if (!res.headersSent) json(res, 500, { error: 'internal error', detail: String((err as Error)?.message ?? err) });
      else res.destroy();
    });
  };
}

function hostAllowed(ctx: ServerContext, host: string | undefined): boolean {
  if (!host) return false;
  // Bound beyond loopback, the token is the guard; on loopback the Host must be a loopback name, or a page
  // on some other site could reach this one through a DNS name pointed at 127.0.0.1.
  if (!isLoopback(ctx.host)) return true;
  return isLoopback(host.replace(/:\d+$/, ''));
}

function authorized(token: string, req: IncomingMessage, url: URL): boolean {
  const header = req.headers.authorization;
  const cookie = /(?:^|;\s*)faultline_view_token=([^;]*)/.exec(req.headers.cookie ?? '')?.[1];
  const candidates = [
    header?.startsWith('Bearer ') ? header.slice(7) : undefined,
    cookie ? safeDecode(cookie) : undefined,
    req.method === 'GET' ? (url.searchParams.get('token') ?? undefined) : undefined,
  ];
  return candidates.some((c) => c !== undefined && equal(c, token));
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * A state change must come from this page (or a script, which sends no Origin): Origin, when present, must
 * be this server, Sec-Fetch-Site must not say cross-site, and the body must be JSON (a cross-site form cannot
 * send that without a preflight this server never answers).
 */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host}` && origin !== `https://${req.headers.host}`)
    return false;
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  return (req.headers['content-type'] ?? '').split(';')[0]!.trim() === 'application/json';
}

function json(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'cache-control': 'no-store',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function page(ctx: ServerContext, res: ServerResponse) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
  res.end(ctx.assets.html);
}

function asset(ctx: ServerContext, res: ServerResponse, name: string) {
  const file = ctx.assets.files.get(name);
  if (!file) return json(res, 404, { error: 'not found' });
  res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache', 'content-length': file.body.length });
  res.end(file.body);
}

function listIssues(ctx: ServerContext, res: ServerResponse, url: URL) {
  const query: ListQuery = {};
  for (const key of ['service', 'environment', 'release', 'status', 'handled', 'query', 'sort'] as const) {
    const value = url.searchParams.get(key);
    if (value) query[key] = value;
  }
  if (query.sort && !(SORTS as readonly string[]).includes(query.sort))
    return json(res, 400, { error: `sort must be one of ${SORTS.join(', ')}` });
  // `all` is what the page's address says for "any status" (no `status` opens the list on unresolved).
  if (query.status === 'all') delete query.status;
  if (query.status && !(STATUSES as readonly string[]).includes(query.status))
    return json(res, 400, { error: `status must be one of ${STATUSES.join(', ')}, or all` });
  if (query.handled && query.handled !== 'true' && query.handled !== 'false')
    return json(res, 400, { error: 'handled must be true or false' });
  for (const key of ['limit', 'offset'] as const) {
    const value = url.searchParams.get(key);
    if (value === null) continue;
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 0) return json(res, 400, { error: `${key} must be a non-negative integer` });
    query[key] = n;
  }
  const { issues, matched } = ctx.tracker.list(query);
  json(res, 200, {
    issues,
    matched,
    offset: query.offset ?? 0,
    total: ctx.tracker.index.issues.size,
    facets: ctx.tracker.facets(),
    lost: lostTotals(ctx.tracker),
    ...ctx.status(),
  });
}

function lostTotals(tracker: IssueTracker): Record<string, { total: number; services: Record<string, number> }> {
  const out: Record<string, { total: number; services: Record<string, number> }> = {};
  for (const [kind, byService] of tracker.index.lost) {
    const services = Object.fromEntries(byService);
    out[kind] = { total: Object.values(services).reduce((a, b) => a + b, 0), services };
  }
  return out;
}

async function issueDetail(ctx: ServerContext, res: ServerResponse, id: string, url: URL) {
  const detail = ctx.tracker.detail(id);
  if (!detail) {
    const primary = ctx.tracker.primaryOf(id);
    if (primary !== id) return json(res, 200, { mergedInto: primary });
    return json(res, 404, { error: 'no such issue' });
  }
  const body: Record<string, unknown> = {
    ...detail,
    events: detail.events.map((r) => ({ ...r, time: new Date(r.time).toISOString() })),
    ...(detail.oldest ? { oldest: { ...detail.oldest, time: new Date(detail.oldest.time).toISOString() } } : {}),
  };
  // `?event=latest` or `?event=<traceId>:<spanId>`: the event comes along, and the page needs one request.
  const wanted = url.searchParams.get('event');
  const ref = wanted === 'latest' ? detail.events[0] : /^([0-9a-f]{1,32}):([0-9a-f]{1,16})$/i.exec(wanted ?? '');
  if (ref) {
    const [traceId, spanId] = Array.isArray(ref) ? [ref[1]!, ref[2]!] : [ref.traceId, ref.spanId];
    const event = await eventBody(ctx, traceId, spanId);
    body.event = event.status === 200 ? event.body : { error: (event.body as { error: string }).error };
  }
  json(res, 200, body);
}

async function event(ctx: ServerContext, res: ServerResponse, traceId: string, spanId: string) {
  const { status, body } = await eventBody(ctx, traceId, spanId);
  json(res, status, body);
}

async function eventBody(
  ctx: ServerContext,
  traceId: string,
  spanId: string,
): Promise<{ status: number; body: unknown }> {
  let trace: Awaited<ReturnType<JaegerPoller['trace']>>;
  try {
    trace = await ctx.poller.trace(traceId);
  } catch (err) {
    return { status: 502, body: { error: `Jaeger did not answer: ${(err as Error).message}` } };
  }
  const detail = trace && eventDetail(trace, spanId);
  if (!detail) return { status: 404, body: { error: 'no such event (Jaeger may have dropped it)' } };
  const issueId = ctx.tracker.primaryOf(detail.fingerprint);
  const issue = ctx.tracker.detail(issueId);
  const refs = issue?.events ?? [];
  const at = refs.findIndex((r) => r.spanId === detail.spanId);
  const ref = (r: { traceId: string; spanId: string } | undefined) =>
    r ? { traceId: r.traceId, spanId: r.spanId } : null;
  return {
    status: 200,
    body: {
      ...detail,
      issueId,
      jaegerUrl: ctx.jaegerUi ? `${ctx.jaegerUi}/trace/${detail.traceId}?uiFind=${detail.spanId}` : null,
      // refs are newest first.
      navigation: {
        newest: ref(refs[0]),
        oldest: ref(issue?.oldest ?? refs.at(-1)),
        newer: at > 0 ? ref(refs[at - 1]) : null,
        older: at >= 0 ? ref(refs[at + 1]) : null,
      },
    },
  };
}

/** The Jaeger UI's trace link (jaeger-ui.json): to the trace's first error, or the list when it has none. */
async function traceErrors(ctx: ServerContext, res: ServerResponse, traceId: string) {
  const trace = await ctx.poller.trace(traceId).catch(() => undefined);
  const error = trace && errorsOfTrace(trace).errors.sort((a, b) => a.time - b.time)[0];
  const location = error
    ? `/issues/${encodeURIComponent(ctx.tracker.primaryOf(error.fingerprint))}/events/${error.traceId}/${error.spanId}`
    : '/';
  res.writeHead(302, { location }).end();
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RangeError('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function bodyOf(req: IncomingMessage, res: ServerResponse): Promise<unknown | undefined> {
  try {
    return await readJson(req);
  } catch (err) {
    json(res, err instanceof RangeError ? 413 : 400, {
      error: err instanceof RangeError ? 'body too large' : 'the body is not JSON',
    });
    return undefined;
  }
}

async function changeStatus(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, id: string) {
  const body = await bodyOf(req, res);
  if (body === undefined) return;
  const request = parseStatusRequest(body);
  if (typeof request === 'string') return json(res, 400, { error: request });
  const result = ctx.tracker.setStatus(id, request);
  if ('error' in result)
    return json(res, result.code, { error: result.error, ...(result.state ? { state: result.state } : {}) });
  json(res, 200, { issue: ctx.tracker.summary(id), state: result.state });
}

async function mergeIssue(ctx: ServerContext, req: IncomingMessage, res: ServerResponse, id: string) {
  const body = (await bodyOf(req, res)) as { into?: unknown } | undefined;
  if (body === undefined) return;
  const into = body && typeof body === 'object' ? body.into : undefined;
  if (into !== null && (typeof into !== 'string' || into.length === 0 || into.length > MAX_ID_LENGTH))
    return json(res, 400, { error: 'into must be an issue id, or null to split it off' });
  const result = ctx.tracker.merge(id, into);
  if ('error' in result) return json(res, result.code, { error: result.error });
  json(res, 200, { state: result.state, issue: ctx.tracker.summary(ctx.tracker.primaryOf(id)) });
}
