// What the page must not hide: reports lost on the way, a Jaeger it cannot read, alerts that did not go out.
import type { Losses, ViewStatus } from '../api-types';
import { h } from './dom';

/** What each loss counter means, in words. */
const LOSS_NAMES: Record<string, string> = {
  'faultline.dropped': 'dropped by the agents’ rate limit',
  'faultline.queue.dropped': 'dropped: the agent’s queue was full',
  'faultline.buffer.dropped': 'dropped: the export buffer was full',
  'faultline.spool.dropped': 'dropped: the offline spool was full',
  'faultline.early.dropped': 'dropped before the agent loaded',
  'faultline.logs.dropped': 'log records dropped',
  'faultline.failed': 'lost inside the agent (beforeSend threw, or an internal error)',
  'faultline.refused': 'refused by the collector',
  'faultline.duplicates.unattributed': 'duplicates whose issue the agent had to forget',
};

export function banners(body: Partial<ViewStatus> & { lost?: Losses }): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (body.jaeger?.error)
    out.push(h('div', { class: 'banner error', role: 'alert' }, `Cannot read Jaeger: ${body.jaeger.error}`));
  else if (body.jaeger && !body.jaeger.backfilled)
    out.push(h('div', { class: 'banner info' }, 'Reading what Jaeger already holds…'));
  const lost = Object.entries(body.lost ?? {}).filter(([, v]) => v.total > 0);
  if (lost.length > 0) {
    const total = lost.reduce((n, [, v]) => n + v.total, 0);
    out.push(
      h(
        'details',
        { class: 'banner warn', 'data-testid': 'lost' },
        h('summary', null, `${total} reports never arrived, as the agents counted them`),
        h(
          'ul',
          null,
          lost.map(([kind, v]) =>
            h(
              'li',
              null,
              h('b', null, String(v.total)),
              ` ${LOSS_NAMES[kind] ?? kind} `,
              h('code', null, kind),
              ` (${Object.entries(v.services)
                .map(([s, n]) => `${s}: ${n}`)
                .join(', ')})`,
            ),
          ),
        ),
      ),
    );
  }
  if (body.alerts && (body.alerts.failed > 0 || body.alerts.dropped > 0))
    out.push(
      h(
        'div',
        { class: 'banner warn' },
        `${body.alerts.failed + body.alerts.dropped} alerts could not be delivered`,
        body.alerts.lastFailure ? ` (last: ${body.alerts.lastFailure})` : '',
      ),
    );
  return out;
}
