// Configuration from the standard OpenTelemetry variables plus faultline's own, read once at start-up.
// A bad value never crashes the host: one warning naming the variable, then a safe default.
// https://opentelemetry.io/docs/specs/otel/configuration/sdk-environment-variables/
import type {
  ClassificationRule,
  ExceptionReport,
  ExceptionSignals,
  RateLimitOptions,
  ScrubOptions,
} from '@faultline/core';
import type { ShouldReport } from './should-report';

export type LogLevel = 'none' | 'error' | 'warn' | 'info' | 'debug' | 'verbose' | 'all';

export interface NodeAgentConfig {
  disabled: boolean;
  serviceName: string;
  /** Full URL of the OTLP/HTTP traces endpoint. */
  tracesEndpoint: string;
  /** Full URL of the OTLP/HTTP logs endpoint (exceptions as log records). */
  logsEndpoint: string;
  headers: Record<string, string>;
  compression: 'gzip' | 'none';
  resourceAttributes: Record<string, string>;
  logLevel: LogLevel;
  /** Where reports that could not be sent wait for the next process. */
  spoolDir: string;
  /** How long a dying process may wait for its report to be delivered. */
  flushTimeoutMs: number;
  signals: ExceptionSignals;
  /** Whether uncaught errors and rejections carry the request in flight (request-context.ts); `auto`: where
   * AsyncLocalStorage is cheap (on AsyncContextFrame: Node 24, or 22 with --experimental-async-context-frame). */
  requestContext: boolean | 'auto';
}

/** Default deadline for delivering the report of a crash (the 2 s). */
export const DEFAULT_FLUSH_TIMEOUT_MS = 2000;
const MAX_FLUSH_TIMEOUT_MS = 30_000;
const LOG_LEVELS: LogLevel[] = ['none', 'error', 'warn', 'info', 'debug', 'verbose', 'all'];

export interface ConfigResult {
  config: NodeAgentConfig;
  /** One line per invalid setting, each naming its variable. */
  warnings: string[];
}

export function readConfig(env: NodeJS.ProcessEnv, defaults: { spoolDir: string }): ConfigResult {
  const warnings: string[] = [];
  const warn = (name: string, value: string, fallback: string) =>
    warnings.push(`faultline: ignoring ${name}=${JSON.stringify(value)}: ${fallback}`);

  const disabledRaw = (env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase();
  if (disabledRaw !== '' && disabledRaw !== 'true' && disabledRaw !== 'false') {
    warn('OTEL_SDK_DISABLED', disabledRaw, 'expected true or false, using false');
  }

  // Before AsyncContextFrame (Node 20, and 22 without its flag) the in-flight request's context costs every
  // promise an async hook: `auto` keeps it for where it is cheap, `true` asks for it everywhere. A value it
  // cannot read (`off`, `0`) falls back to `false`, what its writer most likely meant, and the cheap choice.
  const requestContextRaw = (env.FAULTLINE_REQUEST_CONTEXT ?? '').trim().toLowerCase();
  let requestContext: boolean | 'auto' = 'auto';
  if (requestContextRaw === 'true') requestContext = true;
  else if (requestContextRaw === 'false') requestContext = false;
  else if (requestContextRaw !== '' && requestContextRaw !== 'auto') {
    requestContext = false;
    warn('FAULTLINE_REQUEST_CONTEXT', requestContextRaw, 'expected true, false or auto, using false');
  }

  const base = (env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim();
  let baseUrl = 'http://localhost:4318';
  if (base !== '') {
    if (isHttpUrl(base)) baseUrl = base.replace(/\/+$/, '');
    else warn('OTEL_EXPORTER_OTLP_ENDPOINT', base, `not an http(s) URL, using ${baseUrl}`);
  }
  const signalUrl = (name: string, path: string) => {
    const raw = (env[name] ?? '').trim();
    if (raw === '') return `${baseUrl}${path}`;
    if (isHttpUrl(raw)) return raw;
    warn(name, raw, `not an http(s) URL, using ${baseUrl}${path}`);
    return `${baseUrl}${path}`;
  };

  const compressionRaw = (env.OTEL_EXPORTER_OTLP_TRACES_COMPRESSION ?? env.OTEL_EXPORTER_OTLP_COMPRESSION ?? '')
    .trim()
    .toLowerCase();
  let compression: 'gzip' | 'none' = 'none';
  if (compressionRaw === 'gzip') compression = 'gzip';
  else if (compressionRaw !== '' && compressionRaw !== 'none')
    warn('OTEL_EXPORTER_OTLP_COMPRESSION', compressionRaw, 'expected gzip or none, using none');

  const logLevelRaw = (env.OTEL_LOG_LEVEL ?? '').trim().toLowerCase();
  let logLevel: LogLevel = 'warn';
  if (LOG_LEVELS.includes(logLevelRaw as LogLevel)) logLevel = logLevelRaw as LogLevel;
  else if (logLevelRaw !== '')
    warn('OTEL_LOG_LEVEL', logLevelRaw, `expected one of ${LOG_LEVELS.join(', ')}, using warn`);

  const timeoutRaw = (env.FAULTLINE_FLUSH_TIMEOUT_MS ?? '').trim();
  let flushTimeoutMs = DEFAULT_FLUSH_TIMEOUT_MS;
  if (timeoutRaw !== '') {
    const n = Number(timeoutRaw);
    if (Number.isFinite(n) && n >= 0 && n <= MAX_FLUSH_TIMEOUT_MS) flushTimeoutMs = n;
    else
      warn(
        'FAULTLINE_FLUSH_TIMEOUT_MS',
        timeoutRaw,
        `expected milliseconds from 0 to ${MAX_FLUSH_TIMEOUT_MS}, using ${DEFAULT_FLUSH_TIMEOUT_MS}`,
      );
  }

  const resourceAttributes = parsePairs(env.OTEL_RESOURCE_ATTRIBUTES, 'OTEL_RESOURCE_ATTRIBUTES', warnings);
  const serviceName =
    (env.OTEL_SERVICE_NAME ?? '').trim() || resourceAttributes['service.name'] || 'unknown_service:node';

  const optIn = (env.OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN ?? '').trim();
  const signals = { spans: true, logs: false };
  if (optIn !== '') {
    const values = optIn.split(',').map((v) => v.trim().toLowerCase());
    if (values.includes('logs/dup')) signals.logs = true;
    else if (values.includes('logs')) {
      signals.spans = false;
      signals.logs = true;
    } else
      warn('OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN', optIn, 'expected logs or logs/dup, exceptions stay span events');
  }

  return {
    config: {
      disabled: disabledRaw === 'true',
      serviceName,
      tracesEndpoint: signalUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', '/v1/traces'),
      logsEndpoint: signalUrl('OTEL_EXPORTER_OTLP_LOGS_ENDPOINT', '/v1/logs'),
      headers: {
        ...validHeaders(env.OTEL_EXPORTER_OTLP_HEADERS, 'OTEL_EXPORTER_OTLP_HEADERS', warnings),
        ...validHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS, 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', warnings),
      },
      compression,
      resourceAttributes,
      logLevel,
      spoolDir: (env.FAULTLINE_SPOOL_DIR ?? '').trim() || defaults.spoolDir,
      flushTimeoutMs,
      signals,
      requestContext,
    },
    warnings,
  };
}

/** `key1=value1,key2=value2`, values percent-decoded (W3C Baggage style, as the spec asks). */
function parsePairs(raw: string | undefined, name: string, warnings: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw || raw.trim() === '') return out;
  for (const part of raw.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = eq > 0 ? part.slice(0, eq).trim() : '';
    if (key === '') {
      warnings.push(`faultline: ignoring an entry of ${name} without key=value: ${JSON.stringify(part.trim())}`);
      continue;
    }
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      warnings.push(`faultline: ${name}: ${JSON.stringify(key)} is not valid percent-encoding, kept as written`);
    }
    out[key] = value;
  }
  return out;
}

/** Header pairs that fetch accepts: one it would refuse would fail every send, so it is dropped here, named. */
function validHeaders(raw: string | undefined, name: string, warnings: string[]): Record<string, string> {
  const out = parsePairs(raw, name, warnings);
  for (const [key, value] of Object.entries(out)) {
    if (isValidHeader(key, value)) continue;
    warnings.push(`faultline: ignoring the header ${JSON.stringify(key)} of ${name}: not a valid HTTP header`);
    delete out[key];
  }
  return out;
}

/** What fetch accepts as a header: it is the one that would refuse it. */
function isValidHeader(name: string, value: string): boolean {
  try {
    new Headers([[name, value]]);
    return true;
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

export interface InitOptions {
  serviceName?: string;
  /** OTLP/HTTP base URL (as OTEL_EXPORTER_OTLP_ENDPOINT) or full traces URL (ending in /v1/traces). */
  endpoint?: string;
  headers?: Record<string, string>;
  resourceAttributes?: Record<string, string>;
  spoolDir?: string;
  flushTimeoutMs?: number;
  scrub?: ScrubOptions;
  /** Dedupe window and token bucket for error storms (see @faultline/core createRateLimiter). */
  rateLimit?: RateLimitOptions;
  /** Classification rules tried before faultline's own table (see @faultline/core classify). */
  classify?: ClassificationRule[];
  beforeSend?: (report: ExceptionReport) => ExceptionReport | null | undefined;
  /**
   * Whether to report an error a framework answered (Express, Connect, Fastify, Koa, hapi, NestJS):
   * `(error, req, res, { framework, status }) => boolean`. Without it, what is answered with a 5xx (hapi: a
   * 500). One that throws or answers anything but a boolean leaves that default, counted in
   * `faultline.should_report.failed`.
   */
  shouldReport?: ShouldReport;
}

type Check = (value: unknown, drop: (why: string) => undefined) => unknown;

const nonEmptyString: Check = (v, drop) =>
  typeof v === 'string' && v.trim() !== '' ? v : drop('expected a non-empty string');
const object = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const patternList =
  (name: string): Check =>
  (v, drop) => {
    if (!Array.isArray(v)) return drop(`expected ${name} to be an array`);
    const kept = v.filter((p) => typeof p === 'string' || p instanceof RegExp);
    if (kept.length < v.length) drop(`kept only the strings and regular expressions of ${name}`);
    return kept;
  };

const INIT_CHECKS: Record<keyof InitOptions, Check> = {
  serviceName: nonEmptyString,
  endpoint: (v, drop) => (typeof v === 'string' && isHttpUrl(v.trim()) ? v.trim() : drop('not an http(s) URL')),
  headers: (v, drop) => {
    if (!object(v)) return drop('expected an object of header names to values');
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(v)) {
      if (typeof value === 'string' && isValidHeader(key, value)) out[key] = value;
      else drop(`dropped the header ${JSON.stringify(key)}: not a valid HTTP header with a string value`);
    }
    return out;
  },
  resourceAttributes: (v, drop) => {
    if (!object(v)) return drop('expected an object of attribute names to strings');
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(v)) {
      if (typeof value === 'string') out[key] = value;
      else drop(`dropped the attribute ${JSON.stringify(key)}: not a string`);
    }
    return out;
  },
  spoolDir: nonEmptyString,
  flushTimeoutMs: (v, drop) =>
    typeof v === 'number' && v >= 0 && v <= MAX_FLUSH_TIMEOUT_MS
      ? v
      : drop(`expected milliseconds from 0 to ${MAX_FLUSH_TIMEOUT_MS}`),
  scrub: (v, drop) => {
    if (!object(v)) return drop('expected an object');
    const out: ScrubOptions = {};
    if (v.patterns !== undefined) out.patterns = patternList('patterns')(v.patterns, drop) as ScrubOptions['patterns'];
    if (v.denyKeys !== undefined) out.denyKeys = patternList('denyKeys')(v.denyKeys, drop) as ScrubOptions['denyKeys'];
    return out;
  },
  // Copied as plain numbers: core's rate limiter then never touches the app's object.
  rateLimit: (v, drop) => {
    if (!object(v)) return drop('expected an object');
    const out: RateLimitOptions = {};
    for (const key of ['dedupeWindowMs', 'burst', 'refillPerSecond', 'maxTracked'] as const) {
      const n = v[key];
      if (typeof n === 'number' && Number.isFinite(n) && n > 0) out[key] = n;
      else if (n !== undefined) drop(`${key}: expected a positive number`);
    }
    return out;
  },
  // Checked now, so that a bad rule is named at init(), not while a crash is being printed. The small
  // classify entry of core is loaded for it only when rules are given.
  classify: (v, drop) => {
    const { compileRules } = require('@faultline/core/classify') as typeof import('@faultline/core/classify');
    for (const error of compileRules(v).errors) drop(error);
    return Array.isArray(v) ? v : undefined;
  },
  beforeSend: (v, drop) => (typeof v === 'function' ? v : drop('expected a function')),
  shouldReport: (v, drop) =>
    typeof v === 'function'
      ? v
      : drop('expected a function (error, req, res, { framework, status }) => boolean; reporting 5xx as by default'),
};

/**
 * The options of init(), whatever the app passed: each setting that is not what it should be is left out
 * (the environment or the default holds) and named in one warning.
 */
export function checkInitOptions(given: unknown): { options: InitOptions; warnings: string[] } {
  const warnings: string[] = [];
  const options: Record<string, unknown> = {};
  if (given === undefined || given === null) return { options, warnings };
  if (typeof given !== 'object') {
    warnings.push(`faultline: init() takes an object of options, not ${typeof given}; ignoring it`);
    return { options, warnings };
  }
  for (const [key, check] of Object.entries(INIT_CHECKS)) {
    let value: unknown;
    try {
      value = (given as Record<string, unknown>)[key];
      if (value === undefined) continue;
      // A check returns what it keeps (undefined: nothing) and names what it drops.
      const kept = check(value, (why) => {
        warnings.push(`faultline: init() option ${key}: ${why}`);
        return undefined;
      });
      if (kept !== undefined) options[key] = kept;
    } catch {
      warnings.push(`faultline: init() option ${key} could not be read; ignoring it`);
    }
  }
  return { options: options as InitOptions, warnings };
}
