// Issue alerts to webhooks: a generic JSON body, or Slack's incoming-webhook body ({ text, blocks }), which
// Mattermost, Rocket.Chat and Discord's /slack endpoint also take. Each alert is retried with exponential
// backoff; what still fails is counted and shown on the page. The queue is bounded. What is not delivered
// yet is kept in the state file, so a restart sends it again instead of losing it.

export type AlertKind = 'new' | 'regressed' | 'spike';

export interface AlertIssue {
  id: string;
  title: string;
  culprit?: string;
  service: string;
  events: number;
  users: number;
  firstSeen: string;
  lastSeen: string;
  status: string;
  /** The top in-app frames of the latest event, `fn (file:line)`. */
  frames: string[];
}

export interface Alert {
  kind: AlertKind;
  issue: AlertIssue;
  /** The issue page. */
  url: string;
  /** Spike: the rule that fired. */
  spike?: { events: number; minutes: number };
}

export interface Webhook {
  url: string;
  format: 'json' | 'slack';
}

export interface AlertStats {
  sent: number;
  /** Gave up after every retry, or refused for good (4xx). */
  failed: number;
  /** Dropped because the queue was full. */
  dropped: number;
  pending: number;
  lastFailure?: string;
}

const MAX_QUEUE = 1000;
const MAX_ATTEMPTS = 6;
const BASE_DELAY_MS = 1000;
const MAX_DELAY_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

interface Delivery {
  webhook: Webhook;
  body: string;
  attempts: number;
}

/** A delivery not settled yet, as the state file keeps it: a restart sends it again. */
export interface UndeliveredAlert {
  url: string;
  format: Webhook['format'];
  body: string;
}

export class AlertSender {
  private readonly webhooks: Webhook[];
  private readonly baseDelayMs: number;
  private readonly queue: Delivery[] = [];
  /** Queued, in flight or waiting for a retry. */
  private readonly unsettled = new Set<Delivery>();
  /** Called when a delivery settled (sent, or given up on), so the undelivered ones can be kept. */
  onSettled: (() => void) | undefined;
  private active = 0;
  private waiters: (() => void)[] = [];
  readonly stats: AlertStats = { sent: 0, failed: 0, dropped: 0, pending: 0 };

  constructor(webhooks: Webhook[], options: { baseDelayMs?: number } = {}) {
    this.webhooks = webhooks;
    this.baseDelayMs = options.baseDelayMs ?? BASE_DELAY_MS;
  }

  get enabled(): boolean {
    return this.webhooks.length > 0;
  }

  send(alert: Alert): void {
    for (const webhook of this.webhooks) {
      if (this.stats.pending >= MAX_QUEUE) {
        this.stats.dropped++;
        continue;
      }
      const body = JSON.stringify(webhook.format === 'slack' ? slackBody(alert) : jsonBody(alert));
      this.enqueue({ webhook, body, attempts: 0 });
    }
    this.pump();
  }

  /** What is not delivered yet. */
  undelivered(): UndeliveredAlert[] {
    return [...this.unsettled].map((d) => ({ url: d.webhook.url, format: d.webhook.format, body: d.body }));
  }

  /** Sends again what a previous run left undelivered, to the webhooks still configured. */
  resume(saved: UndeliveredAlert[]): void {
    for (const item of saved) {
      const webhook = this.webhooks.find((w) => w.url === item.url && w.format === item.format);
      if (webhook && this.stats.pending < MAX_QUEUE) this.enqueue({ webhook, body: item.body, attempts: 0 });
    }
    this.pump();
  }

  private enqueue(delivery: Delivery): void {
    this.queue.push(delivery);
    this.unsettled.add(delivery);
    this.stats.pending++;
  }

  /** Resolves once nothing is queued or in flight (tests, shutdown). */
  idle(): Promise<void> {
    if (this.stats.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private pump(): void {
    while (this.active < 2 && this.queue.length > 0) {
      const delivery = this.queue.shift()!;
      this.active++;
      void this.attempt(delivery).finally(() => {
        this.active--;
        this.pump();
      });
    }
  }

  private async attempt(delivery: Delivery): Promise<void> {
    delivery.attempts++;
    let retry: boolean;
    let why: string;
    try {
      const res = await fetch(delivery.webhook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'faultline-view' },
        body: delivery.body,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return this.settle(delivery, true);
      retry = res.status === 408 || res.status === 429 || res.status >= 500;
      why = `HTTP ${res.status}`;
    } catch (err) {
      retry = true;
      why = (err as Error)?.message ?? String(err);
    }
    if (retry && delivery.attempts < MAX_ATTEMPTS) {
      const delay = Math.min(MAX_DELAY_MS, this.baseDelayMs * 2 ** (delivery.attempts - 1));
      setTimeout(
        () => {
          this.queue.push(delivery);
          this.pump();
        },
        delay * (0.8 + Math.random() * 0.4),
      ).unref();
      return;
    }
    this.stats.lastFailure = `${redactUrl(delivery.webhook.url)}: ${why}`;
    this.settle(delivery, false);
  }

  private settle(delivery: Delivery, ok: boolean): void {
    if (ok) this.stats.sent++;
    else this.stats.failed++;
    this.stats.pending--;
    this.unsettled.delete(delivery);
    this.onSettled?.();
    if (this.stats.pending === 0) for (const wake of this.waiters.splice(0)) wake();
  }
}

const HEADLINES: Record<AlertKind, string> = {
  new: 'New issue',
  regressed: 'Regressed',
  spike: 'Spike',
};

function headline(alert: Alert): string {
  const spike = alert.spike ? ` (${alert.spike.events}+ events in ${alert.spike.minutes} min)` : '';
  return `${HEADLINES[alert.kind]}${spike} in ${alert.issue.service}: ${alert.issue.title}`;
}

export function jsonBody(alert: Alert): Record<string, unknown> {
  return { event: `issue.${alert.kind}`, text: headline(alert), ...alert };
}

/** Slack's mrkdwn treats `&`, `<` and `>` as markup: escaped, so an error message cannot forge a link. */
function mrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function slackBody(alert: Alert): Record<string, unknown> {
  const { issue } = alert;
  const lines = [
    `*<${alert.url}|${mrkdwn(headline(alert))}>*`,
    issue.culprit ? `\`${mrkdwn(issue.culprit)}\`` : '',
    `${issue.events} events · ${issue.users} users · first seen ${issue.firstSeen} · last seen ${issue.lastSeen}`,
  ].filter(Boolean);
  const frames = issue.frames.length > 0 ? `\`\`\`${mrkdwn(issue.frames.join('\n'))}\`\`\`` : '';
  return {
    text: mrkdwn(headline(alert)),
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: lines.join('\n') } },
      ...(frames ? [{ type: 'section', text: { type: 'mrkdwn', text: frames } }] : []),
    ],
  };
}

/** Webhook URLs carry their secret in the path: only the origin goes into messages. */
function redactUrl(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'webhook';
  }
}
