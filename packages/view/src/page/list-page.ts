// The issues list: filters in the address (so a view can be shared and survives a reload), one row per issue.
import type { IssueListBody, IssueSummary } from '../api-types';
import { get } from './api';
import { h, mount } from './dom';
import { ago, short } from './format';
import type { PageContext } from './main';
import { sparkline } from './sparkline';

const REFRESH_MS = 5000;
const FILTERS = ['service', 'environment', 'release', 'status', 'handled', 'query', 'sort', 'offset'] as const;
const PAGE = 100;
const TYPING_PAUSE_MS = 150;
/** The list opens on what needs a look. */
const DEFAULT_STATUS = 'unresolved';

export function listPage(ctx: PageContext, params: URLSearchParams): () => void {
  const filters: Record<string, string> = {};
  for (const key of FILTERS) filters[key] = params.get(key) ?? '';
  if (!params.has('status')) filters.status = DEFAULT_STATUS;
  if (filters.status === 'all') filters.status = ''; // the address's word for "any status"; the select's is ''
  const table = h('div', { class: 'list', 'aria-busy': 'true' });
  let facets: IssueListBody['facets'] | undefined;
  const form = h('form', { class: 'filters', role: 'search' });
  let typing: number | undefined;
  mount(ctx.main, form, table);

  const apply = () => {
    const q = new URLSearchParams();
    for (const key of FILTERS)
      if (filters[key] && !(key === 'status' && filters[key] === DEFAULT_STATUS)) q.set(key, filters[key]!);
    if (filters.status === '') q.set('status', 'all');
    const path = `/${q.size > 0 ? `?${q}` : ''}`;
    history.replaceState(null, '', path);
    void load();
  };

  const select = (key: string, label: string, options: [string, string][]) =>
    h(
      'label',
      null,
      label,
      h(
        'select',
        {
          name: key,
          onchange: (e: Event) => {
            filters[key] = (e.target as HTMLSelectElement).value;
            filters.offset = '';
            apply();
          },
        },
        options.map(([value, text]) => h('option', { value, selected: filters[key] === value }, text)),
      ),
    );

  const renderForm = () => {
    const any = (values: string[] | undefined, what: string): [string, string][] => [
      ['', `all ${what}`],
      ...(values ?? []).map((v): [string, string] => [v, v]),
    ];
    mount(
      form,
      h('input', {
        type: 'search',
        name: 'query',
        placeholder: 'Search titles, frames, fingerprints',
        value: filters.query,
        'aria-label': 'search',
        oninput: (e: Event) => {
          filters.query = (e.target as HTMLInputElement).value;
          filters.offset = '';
          // One request when typing pauses, not one per key.
          clearTimeout(typing);
          typing = window.setTimeout(apply, TYPING_PAUSE_MS);
        },
      }),
      select('status', 'Status', [
        ['unresolved', 'unresolved'],
        ['regressed', 'regressed'],
        ['resolved', 'resolved'],
        ['ignored', 'ignored'],
        ['', 'any status'],
      ]),
      select('service', 'Service', any(facets?.services, 'services')),
      select('environment', 'Environment', any(facets?.environments, 'environments')),
      select('release', 'Release', any(facets?.releases, 'releases')),
      select('handled', 'Handled', [
        ['', 'handled or not'],
        ['false', 'unhandled'],
        ['true', 'handled'],
      ]),
      select('sort', 'Sort', [
        ['', 'last seen'],
        ['firstSeen', 'first seen'],
        ['events', 'events'],
        ['users', 'users'],
        ['trend', 'trend'],
      ]),
    );
  };
  renderForm();
  form.addEventListener('submit', (e) => e.preventDefault());

  let stopped = false;
  let timer: number | undefined;
  /** Loads overlap while someone types: only the latest one's answer is shown, whatever order they come in. */
  let latest = 0;
  const load = async () => {
    clearTimeout(timer);
    const mine = ++latest;
    const q = new URLSearchParams();
    for (const key of FILTERS) if (filters[key]) q.set(key, filters[key]!);
    try {
      const body = await get<IssueListBody>(`/api/issues?${q}`);
      if (stopped || mine !== latest) return;
      ctx.showBanners(body);
      // The filters' choices follow the data (a service that reports for the first time), drawn again only
      // when they changed, with the search box keeping its focus.
      const changed = JSON.stringify(body.facets) !== JSON.stringify(facets);
      facets = body.facets;
      if (changed) {
        const search = form.querySelector('input');
        const caret = search && document.activeElement === search ? search.selectionStart : null;
        renderForm();
        if (caret !== null) {
          const input = form.querySelector('input') as HTMLInputElement;
          input.focus();
          input.setSelectionRange(caret, caret);
        }
      }
      mount(table, body.issues.length > 0 ? [rows(body.issues), pager(body)] : empty(body, filters));
      table.setAttribute('aria-busy', 'false');
    } catch (err) {
      if (stopped || mine !== latest) return;
      mount(table, h('p', { class: 'banner error' }, `Cannot load issues: ${(err as Error).message}`));
    }
    if (!stopped) timer = window.setTimeout(() => (document.hidden ? schedule() : load()), REFRESH_MS);
  };
  const schedule = () => {
    timer = window.setTimeout(() => (document.hidden ? schedule() : load()), REFRESH_MS);
  };
  const pager = (body: IssueListBody) => {
    const to = (offset: number) => () => {
      filters.offset = offset > 0 ? String(offset) : '';
      apply();
    };
    const from = body.offset + 1;
    const last = body.offset + body.issues.length;
    return h(
      'div',
      { class: 'pager' },
      `${from}–${last} of ${body.matched}`,
      body.offset > 0 ? h('button', { type: 'button', onclick: to(body.offset - PAGE) }, '← Previous') : null,
      last < body.matched ? h('button', { type: 'button', onclick: to(last) }, 'Next →') : null,
    );
  };
  void load();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

function rows(issues: IssueSummary[]): HTMLElement {
  return h(
    'table',
    { class: 'issues' },
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        h('th', null, 'Issue'),
        h('th', { class: 'num' }, 'Events'),
        h('th', { class: 'num' }, 'Users'),
        h('th', null, '24 h'),
        h('th', null, '14 d'),
        h('th', null, 'Seen'),
        h('th', null, 'Releases'),
      ),
    ),
    h('tbody', null, issues.map(row)),
  );
}

function row(issue: IssueSummary): HTMLElement {
  return h(
    'tr',
    { 'data-issue': issue.id, class: `status-${issue.status}` },
    h(
      'td',
      { class: 'title' },
      h(
        'a',
        { href: `/issues/${encodeURIComponent(issue.id)}`, class: 'issue-link' },
        h('b', null, issue.type),
        issue.message ? `: ${firstLine(issue.message)}` : '',
      ),
      h(
        'div',
        { class: 'meta' },
        issue.culprit ? h('code', { class: 'culprit' }, issue.culprit) : null,
        h('span', { class: `badge ${issue.status}` }, issue.status),
        h(
          'span',
          { class: `badge ${issue.handled ? 'handled' : 'unhandled'}` },
          issue.handled ? 'handled' : 'unhandled',
        ),
        issue.mechanisms.slice(0, 2).map((m) => h('span', { class: 'badge mech' }, m)),
        h('span', { class: 'service' }, issue.services.join(', ')),
        issue.environments.length > 0 ? h('span', { class: 'env' }, issue.environments.join(', ')) : null,
      ),
    ),
    h('td', { class: 'num', 'data-col': 'events' }, short(issue.events)),
    h('td', { class: 'num', 'data-col': 'users' }, `${short(issue.users)}${issue.capped ? '+' : ''}`),
    h('td', null, sparkline(issue.last24h, { label: 'events per hour, last 24 hours' })),
    h('td', null, sparkline(issue.last14d, { width: 70, label: 'events per day, last 14 days' })),
    h(
      'td',
      { class: 'seen' },
      h('div', { title: issue.lastSeen }, ago(issue.lastSeen)),
      h('div', { class: 'muted', title: issue.firstSeen }, `first ${ago(issue.firstSeen)}`),
    ),
    h(
      'td',
      { class: 'releases' },
      issue.firstRelease === issue.lastRelease
        ? (issue.lastRelease ?? '–')
        : `${issue.firstRelease ?? '?'} → ${issue.lastRelease ?? '?'}`,
    ),
  );
}

function firstLine(text: string): string {
  const line = text.split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/** No issues: with filters, say so; with none at all, show how to send the first error. */
function empty(body: IssueListBody, filters: Record<string, string>): HTMLElement {
  const filtered = Object.entries(filters).some(
    ([k, v]) => v && k !== 'sort' && !(k === 'status' && v === DEFAULT_STATUS),
  );
  if (body.total > 0 || filtered)
    return h(
      'div',
      { class: 'empty' },
      h('h2', null, 'No issues match'),
      h('p', null, `${body.total} issues in all; change the filters to see them.`),
    );
  return h(
    'div',
    { class: 'empty', 'data-testid': 'first-error' },
    h('h2', null, 'No errors yet'),
    h('p', null, `This page reads ${body.jaeger.url}. Send the first error and it shows up here within seconds.`),
    h('h3', null, 'Node'),
    h(
      'pre',
      null,
      'OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 \\\n  node --require @faultline/node/register app.js',
    ),
    h('h3', null, 'Browser'),
    h(
      'pre',
      null,
      '<script src="/faultline.min.js"\n  data-endpoint="http://127.0.0.1:4318/v1/traces"\n  data-service-name="my-web-app"></script>',
    ),
    h('p', null, 'Any OpenTelemetry SDK that records exceptions works too, through faultline’s collector.'),
  );
}
