// One issue: what it is, what to do about it, and one of its events in full (stack, breadcrumbs, context).
import type { StackFrame } from '@faultline/core';
import type { EventBody, IssueDetailBody, IssueSummary } from '../api-types';
import { ApiError, get, post } from './api';
import { h, mount } from './dom';
import { ago, localTime, offset, short } from './format';
import type { PageContext } from './main';
import { sparkline } from './sparkline';

type StackMode = 'app' | 'full' | 'raw';
const TAG_NAMES: Record<string, string> = {
  browser: 'Browser',
  os: 'OS',
  url: 'URL path',
  release: 'Release',
  environment: 'Environment',
  mechanism: 'Mechanism',
  runtime: 'Runtime',
};
const REFRESH_MS = 10_000;

export function issuePage(ctx: PageContext, id: string, chosen?: { traceId: string; spanId: string }): () => void {
  const head = h('section', { class: 'issue-head' });
  const side = h('aside', { class: 'side' });
  const eventArea = h('section', { class: 'event' }, h('p', { class: 'muted' }, 'Loading…'));
  mount(
    ctx.main,
    h('p', null, h('a', { href: '/' }, '← All issues')),
    head,
    h('div', { class: 'columns' }, eventArea, side),
  );
  let stopped = false;
  let mode: StackMode = 'app';
  let event: EventBody | undefined;
  /** What is typed in the merge box: the head is drawn again at every refresh, and must not wipe it. */
  let mergeDraft = '';

  /** With `withEvent`, the chosen (or newest) event comes in the same answer. */
  const loadIssue = async (withEvent = false): Promise<boolean> => {
    try {
      const query = withEvent ? `?event=${chosen ? `${chosen.traceId}:${chosen.spanId}` : 'latest'}` : '';
      const body = await get<IssueDetailBody & { mergedInto?: string; event?: EventBody | { error: string } }>(
        `/api/issues/${encodeURIComponent(id)}${query}`,
      );
      if (stopped) return false;
      if (body.mergedInto) {
        ctx.navigate(`/issues/${encodeURIComponent(body.mergedInto)}`, true);
        return false;
      }
      const typing = head.querySelector<HTMLInputElement>('form.merge input');
      const caret = typing && document.activeElement === typing ? typing.selectionStart : null;
      renderHead(body.issue);
      if (caret !== null) {
        const input = head.querySelector<HTMLInputElement>('form.merge input');
        input?.focus();
        input?.setSelectionRange(caret, caret);
      }
      renderSide(body);
      if (body.event && 'error' in body.event)
        mount(eventArea, h('p', { class: 'banner error' }, `Cannot load the event: ${body.event.error}`));
      else if (body.event) {
        event = body.event;
        renderEvent();
      } else if (withEvent)
        mount(eventArea, h('p', { class: 'muted' }, 'No event of this issue is kept (only counts of duplicates).'));
      return true;
    } catch (err) {
      if (!stopped) mount(head, h('p', { class: 'banner error' }, `Cannot load this issue: ${(err as Error).message}`));
      return false;
    }
  };

  const renderHead = (issue: IssueSummary) => {
    const act = (label: string, body: Record<string, unknown>, primary = false) =>
      h(
        'button',
        {
          type: 'button',
          class: primary ? 'primary' : '',
          'data-action': String(body.status) + (body.inNextRelease ? '-next' : body.untilEvents ? '-events' : ''),
          onclick: async () => {
            try {
              await post(`/api/issues/${encodeURIComponent(id)}/status`, { ...body, revision: issue.revision });
            } catch (err) {
              if (err instanceof ApiError && err.status === 409)
                alert('Someone changed this issue meanwhile; it is shown as it is now.');
              else alert(`Could not change the status: ${(err as Error).message}`);
            }
            await loadIssue();
          },
        },
        label,
      );
    const resolved = issue.status === 'resolved' || issue.status === 'ignored';
    mount(
      head,
      h(
        'h1',
        { class: 'issue-title' },
        h('span', { class: 'type' }, issue.type),
        issue.message ? `: ${issue.message.split('\n', 1)[0]}` : '',
      ),
      h(
        'div',
        { class: 'meta' },
        issue.culprit ? h('code', { class: 'culprit' }, issue.culprit) : null,
        h('span', { class: `badge ${issue.status}`, 'data-testid': 'status' }, issue.status),
        h(
          'span',
          { class: `badge ${issue.handled ? 'handled' : 'unhandled'}` },
          issue.handled ? 'handled' : 'unhandled',
        ),
        issue.mechanisms.map((m) => h('span', { class: 'badge mech' }, m)),
      ),
      h(
        'div',
        { class: 'actions' },
        resolved
          ? act('Unresolve', { status: 'unresolved' }, true)
          : [
              act('Resolve', { status: 'resolved' }, true),
              issue.lastRelease ? act('Resolve in next release', { status: 'resolved', inNextRelease: true }) : null,
              act('Ignore until 100 more', { status: 'ignored', untilEvents: 100 }),
              act('Ignore 24 h', { status: 'ignored', until: new Date(Date.now() + 86_400_000).toISOString() }),
            ],
        mergeControl(issue),
      ),
      h(
        'dl',
        { class: 'stats' },
        stat('Events', short(issue.events), 'events'),
        stat('Users', `${short(issue.users)}${issue.capped ? '+' : ''}`, 'users'),
        stat('Sessions', short(issue.sessions)),
        stat('First seen', ago(issue.firstSeen), undefined, localTime(issue.firstSeen)),
        stat('Last seen', ago(issue.lastSeen), undefined, localTime(issue.lastSeen)),
        stat(
          'Releases',
          issue.firstRelease === issue.lastRelease
            ? (issue.lastRelease ?? '–')
            : `${issue.firstRelease ?? '?'} → ${issue.lastRelease ?? '?'}`,
        ),
        stat('Services', issue.services.join(', ')),
      ),
    );
  };

  const mergeControl = (issue: IssueSummary) => {
    const input = h('input', {
      type: 'text',
      placeholder: 'issue id',
      'aria-label': 'merge into issue',
      size: 18,
      value: mergeDraft,
      oninput: () => {
        mergeDraft = input.value;
      },
    }) as HTMLInputElement;
    return h(
      'form',
      {
        class: 'merge',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          const into = input.value.trim();
          if (!into) return;
          try {
            await post(`/api/issues/${encodeURIComponent(issue.id)}/merge`, { into });
            ctx.navigate(`/issues/${encodeURIComponent(into)}`);
          } catch (err) {
            alert(`Could not merge: ${(err as Error).message}`);
          }
        },
      },
      input,
      h('button', { type: 'submit' }, 'Merge into'),
    );
  };

  const renderSide = (body: IssueDetailBody) => {
    mount(
      side,
      h('h3', null, 'Last 24 hours'),
      sparkline(body.issue.last24h, { width: 240, height: 40, label: 'events per hour, last 24 hours' }),
      h('h3', null, 'Last 14 days'),
      sparkline(body.issue.last14d, { width: 240, height: 40, label: 'events per day, last 14 days' }),
      h('h3', null, 'Tags'),
      Object.entries(body.tags).map(([key, values]) => spread(TAG_NAMES[key] ?? key, values)),
      h('h3', null, 'Fingerprints'),
      h(
        'ul',
        { class: 'fingerprints' },
        body.issue.fingerprints.map((f) => h('li', null, h('code', null, f))),
      ),
    );
  };

  const renderEvent = () => {
    if (!event) return;
    const e = event;
    const nav = (label: string, ref: { traceId: string; spanId: string } | null) =>
      ref && !(ref.spanId === e.spanId)
        ? h('a', { href: eventPath(id, ref), class: 'nav', 'data-nav': label.toLowerCase() }, label)
        : h('span', { class: 'nav disabled' }, label);
    mount(
      eventArea,
      h(
        'div',
        { class: 'event-bar' },
        h('span', null, 'Event ', h('code', null, e.spanId), ' · ', localTime(e.time)),
        h(
          'span',
          { class: 'navs' },
          nav('Newest', e.navigation.newest),
          nav('Newer', e.navigation.newer),
          nav('Older', e.navigation.older),
          nav('Oldest', e.navigation.oldest),
          e.jaegerUrl
            ? h(
                'a',
                { href: e.jaegerUrl, class: 'nav', target: '_blank', rel: 'noopener noreferrer' },
                'Trace in Jaeger ↗',
              )
            : null,
        ),
      ),
      h('h2', null, 'Stack trace'),
      h(
        'div',
        { class: 'modes', role: 'tablist' },
        (['app', 'full', 'raw'] as StackMode[]).map((m) =>
          h(
            'button',
            {
              type: 'button',
              role: 'tab',
              'aria-selected': String(m === mode),
              class: m === mode ? 'on' : '',
              onclick: () => {
                mode = m;
                renderEvent();
              },
            },
            m === 'app' ? 'App' : m === 'full' ? 'Full' : 'Raw',
          ),
        ),
      ),
      stack(e, mode),
      h('h2', null, 'Breadcrumbs'),
      e.breadcrumbs.length > 0
        ? h(
            'ol',
            { class: 'crumbs', 'data-testid': 'breadcrumbs' },
            e.breadcrumbs.map((b) =>
              h(
                'li',
                null,
                h('span', { class: 'when' }, offset(b.offsetMs)),
                h('span', { class: 'crumb-name' }, b.name.replace(/^breadcrumb\./, '')),
                h(
                  'span',
                  { class: 'crumb-data' },
                  Object.entries(b.attributes)
                    .map(([k, v]) => `${k}=${String(v)}`)
                    .join('  '),
                ),
              ),
            ),
            h(
              'li',
              { class: 'the-error' },
              h('span', { class: 'when' }, '0'),
              h('span', { class: 'crumb-name' }, 'error'),
              h('span', { class: 'crumb-data' }, `${e.type}: ${e.message}`),
            ),
          )
        : h('p', { class: 'muted' }, 'No breadcrumbs on this event.'),
      h('h2', null, 'Context'),
      Object.entries(e.context).map(([group, values]) => table(group, values)),
      Object.keys(e.resource).length > 0 ? table('resource', e.resource) : null,
      h(
        'details',
        { class: 'raw' },
        h('summary', null, 'Raw event (as Jaeger stores it)'),
        h('pre', null, JSON.stringify(e.raw, null, 2)),
      ),
    );
  };

  void loadIssue(true);
  const timer = window.setInterval(() => {
    if (!document.hidden) void loadIssue();
  }, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

function eventPath(id: string, ref: { traceId: string; spanId: string }): string {
  return `/issues/${encodeURIComponent(id)}/events/${ref.traceId}/${ref.spanId}`;
}

function stat(label: string, value: string, testid?: string, title?: string): HTMLElement[] {
  return [
    h('dt', null, label),
    h('dd', { ...(testid ? { 'data-testid': testid } : {}), ...(title ? { title } : {}) }, value),
  ];
}

function stack(e: EventBody, mode: StackMode): HTMLElement {
  if (mode === 'raw') return h('pre', { class: 'raw-stack' }, e.stacktrace);
  return h(
    'div',
    { class: 'stack' },
    e.exceptions.map((section, i) => {
      const own = section.frames.filter((f) => f.inApp);
      const frames = mode === 'app' && own.length > 0 ? own : section.frames;
      return h(
        'div',
        { class: 'exception' },
        h('div', { class: 'exc-header' }, i === 0 ? h('b', null, section.header) : section.header),
        mode === 'app' && own.length === 0
          ? h('p', { class: 'muted' }, 'No frame of the app’s own code: all frames shown.')
          : null,
        h('ol', { class: 'frames' }, frames.map(frame)),
        mode === 'app' && own.length > 0 && own.length < section.frames.length
          ? h(
              'p',
              { class: 'muted' },
              `${section.frames.length - own.length} frames of libraries and the runtime hidden (Full shows them)`,
            )
          : null,
      );
    }),
  );
}

function frame(f: StackFrame): HTMLElement {
  const where = [f.file, f.line, f.column].filter((x) => x !== undefined).join(':');
  return h(
    'li',
    { class: f.inApp ? 'frame in-app' : 'frame' },
    h('span', { class: 'fn' }, f.async ? 'async ' : '', f.function ?? '<anonymous>'),
    ' ',
    h('span', { class: 'loc' }, where || (f.native ? 'native' : '')),
  );
}

/** A tag's values as shares of the events that carry it (duplicates the agent withheld carry none). */
function spread(name: string, values: { value: string; count: number }[]): HTMLElement {
  const total = values.reduce((n, v) => n + v.count, 0);
  return h(
    'div',
    { class: 'tag' },
    h('div', { class: 'tag-name' }, name),
    values.slice(0, 5).map((v) => {
      const pct = total > 0 ? Math.round((v.count / total) * 100) : 0;
      return h(
        'div',
        { class: 'tag-value' },
        h('meter', { min: 0, max: 100, value: pct }),
        h('span', { class: 'v' }, v.value),
        h('span', { class: 'pct' }, `${pct}%`),
      );
    }),
  );
}

function table(group: string, values: Record<string, unknown>): HTMLElement {
  return h(
    'table',
    { class: 'context' },
    h('caption', null, group),
    h(
      'tbody',
      null,
      Object.entries(values).map(([k, v]) =>
        h('tr', null, h('th', null, k), h('td', null, typeof v === 'string' ? v : JSON.stringify(v))),
      ),
    ),
  );
}
