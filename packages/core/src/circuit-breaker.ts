// When to try the collector again after it failed, for both agents: a circuit breaker whose cool-down
// doubles with each failure in a row (with jitter, so that many clients that lost the same collector do not
// come back in step), and is never shorter than a Retry-After the collector gave. While it is open nothing
// touches the network: a dead collector costs nothing. Self-contained (no other core module): the Node
// agent loads it alone, after its first failed delivery.
// https://opentelemetry.io/docs/specs/otlp/#otlphttp-throttling

/** First cool-down, and the longest one (also the cap on a Retry-After). */
export const BREAKER_BASE_MS = 5_000;
export const BREAKER_MAX_MS = 5 * 60_000;
/** Each cool-down is the doubled base times a factor drawn from [1 - JITTER, 1 + JITTER]. */
const JITTER = 0.2;

export interface CircuitBreakerOptions {
  baseMs?: number;
  maxMs?: number;
  now?: () => number;
  random?: () => number;
}

export interface CircuitBreaker {
  /** True while requests must stay off the network. */
  readonly open: boolean;
  /** Failures in a row since the last success. */
  readonly failures: number;
  /** A request failed: opens the circuit and returns how long it stays open (ms). */
  failed(retryAfterMs?: number): number;
  /** A request went through: closes the circuit and starts over from the base cool-down. */
  succeeded(): void;
}

export function createCircuitBreaker(options: CircuitBreakerOptions = {}): CircuitBreaker {
  const baseMs = positive(options.baseMs, BREAKER_BASE_MS);
  const maxMs = Math.max(positive(options.maxMs, BREAKER_MAX_MS), baseMs);
  const now = typeof options.now === 'function' ? options.now : Date.now;
  const random = typeof options.random === 'function' ? options.random : Math.random;
  let failures = 0;
  let openUntil = 0;
  return {
    get open() {
      return now() < openUntil;
    },
    get failures() {
      return failures;
    },
    failed(retryAfterMs = 0) {
      failures++;
      const backoff = Math.min(baseMs * 2 ** Math.min(failures - 1, 30), maxMs);
      const factor = 1 - JITTER + 2 * JITTER * clamp01(random());
      const wait = Math.max(backoff * factor, Math.min(positive(retryAfterMs, 0), maxMs));
      openUntil = now() + wait;
      return wait;
    },
    succeeded() {
      failures = 0;
      openUntil = 0;
    },
  };
}

/** A Retry-After header (seconds, or an HTTP date) in milliseconds from `now`; 0 when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number {
  if (typeof header !== 'string' || header.trim() === '') return 0;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - now;
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, BREAKER_MAX_MS) : 0;
}

function positive(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}

function clamp01(x: unknown): number {
  return typeof x === 'number' && x >= 0 && x <= 1 ? x : 0.5;
}
