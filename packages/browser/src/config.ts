// Configuration: from init() in bundled apps, or from the script tag's data-* attributes and a global
// `window.faultlineConfig`. A missing or malformed setting gets one console warning and a safe default.
import type { ClassificationRule, ExceptionReport, RateLimitOptions } from '@faultline/core';

export interface BrowserConfig {
  /** Full OTLP/HTTP traces URL, e.g. https://collector.example/v1/traces. */
  endpoint: string;
  serviceName: string;
  release?: string;
  environment?: string;
  /** Report failed loads of img/script/link elements. */
  captureResourceErrors: boolean;
  /** Last look at a report: return it (changed or not), or null to drop it. */
  beforeSend?: (report: ExceptionReport) => ExceptionReport | null;
  /** As OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN: `logs` sends log records instead of span events, `logs/dup`
   * both; anything else keeps span events (the default). */
  exceptionSignal?: string;
  /** OTLP/HTTP logs URL; by default the traces endpoint with /v1/traces replaced by /v1/logs. */
  logsEndpoint: string;
  /** Storm control: dedupe window and token bucket (core's defaults: 10 s, burst 25, 1 per second). */
  rateLimit?: Pick<RateLimitOptions, 'dedupeWindowMs' | 'burst' | 'refillPerSecond'>;
  /** Classification rules tried before faultline's own table; a bad one is named in a warning and skipped. */
  classify?: ClassificationRule[];
}

export type BrowserOptions = Partial<BrowserConfig>;

const DEFAULT_ENDPOINT = '/v1/traces';

/** `given` may be anything a page wrote; a setting it leaves undefined is taken from `base` (the tag's data-*). */
export function resolveConfig(
  given: BrowserOptions | undefined,
  warn: (message: string) => void,
  base: BrowserOptions = {},
): BrowserConfig {
  const options = readOptions(given, base, warn);
  let endpoint = options.endpoint;
  if (typeof endpoint !== 'string' || endpoint.trim() === '' || !isUrl(endpoint)) {
    warn(
      `faultline: ${endpoint === undefined ? 'no endpoint given' : `endpoint ${show(endpoint)} is not a URL`}; sending to ${DEFAULT_ENDPOINT} on this origin`,
    );
    endpoint = DEFAULT_ENDPOINT;
  }
  let serviceName = options.serviceName;
  if (typeof serviceName !== 'string' || serviceName.trim() === '') {
    if (serviceName !== undefined)
      warn(`faultline: service name ${show(serviceName)} is not a name; using unknown_service:browser`);
    serviceName = 'unknown_service:browser';
  }
  return {
    endpoint,
    serviceName,
    release: stringOrUndefined(options.release),
    environment: stringOrUndefined(options.environment),
    captureResourceErrors:
      options.captureResourceErrors === true || (options.captureResourceErrors as unknown) === 'true',
    beforeSend: typeof options.beforeSend === 'function' ? options.beforeSend : undefined,
    rateLimit: rateLimitOptions(options.rateLimit, warn),
    // Checked rule by rule where core compiles them (createExceptionReporter's warn).
    classify: options.classify,
    exceptionSignal: exceptionSignal(options.exceptionSignal, warn),
    logsEndpoint: logsEndpoint(options.logsEndpoint, endpoint, warn),
  };
}

/** data-endpoint, data-service-name, data-release, data-environment, data-capture-resource-errors,
 * data-exception-signal, data-logs-endpoint. */
export function optionsFromScriptTag(script: HTMLScriptElement | null): BrowserOptions {
  const d = script?.dataset ?? {};
  return {
    endpoint: d.endpoint,
    serviceName: d.serviceName,
    release: d.release,
    environment: d.environment,
    captureResourceErrors: d.captureResourceErrors === 'true',
    exceptionSignal: d.exceptionSignal,
    logsEndpoint: d.logsEndpoint,
  };
}

const SIGNALS = ['', 'default', 'logs', 'logs/dup'];

function exceptionSignal(value: unknown, warn: (message: string) => void): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string' && SIGNALS.includes(value.trim().toLowerCase())) return value.trim().toLowerCase();
  warn(`faultline: exceptionSignal ${show(value)} is not one of "logs", "logs/dup"; using span events`);
  return undefined;
}

function logsEndpoint(value: unknown, traces: string, warn: (message: string) => void): string {
  if (typeof value === 'string' && value.trim() !== '' && isUrl(value)) return value;
  if (value !== undefined) warn(`faultline: logsEndpoint ${show(value)} is not a URL; deriving it from the endpoint`);
  return traces.replace(/\/v1\/traces\/?$/, '/v1/logs');
}

function rateLimitOptions(value: unknown, warn: (message: string) => void): BrowserConfig['rateLimit'] {
  if (value === undefined) return undefined;
  const out: NonNullable<BrowserConfig['rateLimit']> = {};
  if (typeof value !== 'object' || value === null) {
    warn(`faultline: rateLimit ${show(value)} is not an object; using the defaults`);
    return out;
  }
  for (const key of ['dedupeWindowMs', 'burst', 'refillPerSecond'] as const) {
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[key];
    } catch {
      v = null; // a throwing getter: as bad as any other non-number
    }
    if (v === undefined) continue;
    // As core's rate limiter takes them: finite and above zero.
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) out[key] = v;
    else warn(`faultline: rateLimit.${key} ${show(v)} is not a positive number; using the default`);
  }
  return out;
}

/** The settings as plain values: a page may pass anything, even an object whose getters throw. */
function readOptions(given: unknown, base: BrowserOptions, warn: (message: string) => void): BrowserOptions {
  let source = given as Record<string, unknown>;
  if (given === undefined || given === null) source = {};
  else if (typeof given !== 'object') {
    warn(`faultline: the configuration ${show(given)} is not an object; ignoring it`);
    source = {};
  }
  const out: Record<string, unknown> = {};
  for (const key of OPTION_KEYS) {
    try {
      out[key] = source[key];
    } catch {
      warn(`faultline: could not read the ${key} setting; ignoring it`);
    }
    if (out[key] === undefined) out[key] = base[key];
  }
  return out as BrowserOptions;
}

/** Every setting, as `init()` and window.faultlineConfig take them. */
export const OPTION_KEYS = [
  'endpoint',
  'serviceName',
  'release',
  'environment',
  'captureResourceErrors',
  'beforeSend',
  'exceptionSignal',
  'logsEndpoint',
  'rateLimit',
  'classify',
] as const;

/** A value as a warning shows it: JSON where it can be, never a throw (BigInt, cycles, a throwing toJSON). */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = typeof value;
  }
  return text.slice(0, 100);
}

function isUrl(value: string): boolean {
  try {
    new URL(value, location.href);
    return true;
  } catch {
    return false;
  }
}

function stringOrUndefined(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
