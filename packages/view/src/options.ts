// The view's settings, from flags and FAULTLINE_VIEW_* variables (flags win), checked once at start: a bad
// value stops the view with a message naming it, never a half-working server.
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Webhook } from './alerts';
import type { SpikeRule } from './issue-tracker';

export interface ViewOptions {
  host: string;
  port: number;
  /** Jaeger's query API. */
  jaeger: string;
  /** Where people open a trace (the official Jaeger UI); links are left out when it is empty. */
  jaegerUi: string;
  dataDir: string;
  /** Required for the page and the API when set; must be set when the host is not loopback. */
  token?: string;
  pollIntervalMs: number;
  backfillMs: number;
  webhooks: Webhook[];
  spike: SpikeRule;
}

/** name, env, what it takes: the help text and the parser read this one table. */
export const SETTINGS = [
  ['port', 'FAULTLINE_VIEW_PORT', 'port to listen on (8090)'],
  ['host', 'FAULTLINE_VIEW_HOST', 'address to bind (127.0.0.1; anything else needs --token)'],
  ['jaeger', 'FAULTLINE_VIEW_JAEGER', "Jaeger's query URL (http://127.0.0.1:16686)"],
  ['jaeger-ui', 'FAULTLINE_VIEW_JAEGER_UI', 'Jaeger UI for trace links (the --jaeger URL)'],
  ['data', 'FAULTLINE_VIEW_DATA', 'data directory for the state file (~/.local/share/faultline/view)'],
  ['token', 'FAULTLINE_VIEW_TOKEN', 'access token for the page and the API'],
  ['poll-interval', 'FAULTLINE_VIEW_POLL_INTERVAL', 'how often Jaeger is read (5s)'],
  ['backfill', 'FAULTLINE_VIEW_BACKFILL', 'how far back the first read goes (14d)'],
  ['webhook', 'FAULTLINE_VIEW_WEBHOOKS', 'JSON webhook URL(s) for issue alerts, comma-separated'],
  ['slack-webhook', 'FAULTLINE_VIEW_SLACK_WEBHOOKS', 'Slack-compatible webhook URL(s), comma-separated'],
  ['spike', 'FAULTLINE_VIEW_SPIKE', 'spike alert rule, EVENTS/MINUTES (100/5; at most 60 minutes)'],
] as const;

type SettingName = (typeof SETTINGS)[number][0];

export class OptionsError extends Error {}

/** Reads argv (without node and the script) and the environment into options, or throws OptionsError. */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): ViewOptions {
  const given = new Map<SettingName, string[]>();
  for (const [name, variable] of SETTINGS) {
    const value = env[variable];
    // An empty variable is unset, but for --jaeger-ui, where '' is a setting of its own: no trace links.
    if (value !== undefined && (value !== '' || name === 'jaeger-ui')) given.set(name, [value]);
  }
  const fromFlags = new Map<SettingName, string[]>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    const setting = m && SETTINGS.find(([name]) => name === m[1]);
    if (!m || !setting) throw new OptionsError(`unknown argument ${arg} (see --help)`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new OptionsError(`--${m[1]} needs a value`);
    const name = setting[0];
    fromFlags.set(name, [...(fromFlags.get(name) ?? []), value]);
  }
  for (const [name, values] of fromFlags) given.set(name, values);
  const one = (name: SettingName) => given.get(name)?.at(-1);
  const urls = (name: SettingName) =>
    (given.get(name) ?? [])
      .flatMap((v) => v.split(','))
      .map((v) => v.trim())
      .filter(Boolean);

  const host = one('host') ?? '127.0.0.1';
  const token = one('token');
  if (!isLoopback(host) && !token)
    throw new OptionsError(`binding ${host} exposes the page beyond this machine: set --token (FAULTLINE_VIEW_TOKEN)`);
  if (token !== undefined && (token.length < 16 || /[^\x21-\x7e]/.test(token)))
    throw new OptionsError('the token must be at least 16 printable characters without spaces');
  const jaeger = httpUrl('jaeger', one('jaeger') ?? 'http://127.0.0.1:16686');
  const webhooks: Webhook[] = [
    ...urls('webhook').map((url) => ({ url: httpUrl('webhook', url), format: 'json' as const })),
    ...urls('slack-webhook').map((url) => ({ url: httpUrl('slack-webhook', url), format: 'slack' as const })),
  ];
  const pollIntervalMs = duration('poll-interval', one('poll-interval') ?? '5s');
  if (pollIntervalMs < 200) throw new OptionsError('--poll-interval must be at least 200ms');
  return {
    host,
    port: port(one('port') ?? '8090'),
    jaeger,
    jaegerUi: one('jaeger-ui') === '' ? '' : httpUrl('jaeger-ui', one('jaeger-ui') ?? jaeger),
    dataDir:
      one('data') ?? join(env.XDG_DATA_HOME || join(env.HOME || homedir(), '.local', 'share'), 'faultline', 'view'),
    ...(token ? { token } : {}),
    pollIntervalMs,
    backfillMs: duration('backfill', one('backfill') ?? '14d'),
    webhooks,
    spike: spikeRule(one('spike') ?? '100/5'),
  };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new OptionsError(`--port must be 0 to 65535, not ${value}`);
  return n;
}

function httpUrl(name: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OptionsError(`--${name} must be an http(s) URL, not ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OptionsError(`--${name} must be an http(s) URL, not ${value}`);
  return value.replace(/\/+$/, '');
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `5s`, `10m`, `2h`, `14d`. */
export function duration(name: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(value.trim());
  if (!m) throw new OptionsError(`--${name} must be a duration such as 5s, 10m or 14d, not ${value}`);
  return Math.round(Number(m[1]) * UNITS[m[2]!]!);
}

function spikeRule(value: string): SpikeRule {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const events = Number(m?.[1]);
  const minutes = Number(m?.[2]);
  if (!m || events < 1 || minutes < 1 || minutes > 60)
    throw new OptionsError(`--spike must be EVENTS/MINUTES with 1 to 60 minutes, not ${value}`);
  return { events, minutes };
}
