// Error storms: the same error thrown in a loop, or a thousand different ones at once, must not flood the
// network, the collector or the host's memory. Two mechanisms, both counted so nothing vanishes:
// - dedupe: an error whose fingerprint was reported less than `dedupeWindowMs` ago is not reported again;
// - a token bucket: at most `burst` reports at once, refilled at `refillPerSecond`.
// What was withheld rides on the next report that goes out (`faultline.duplicates`, `faultline.dropped`);
// `drain()` hands over what is still pending when the process or page goes away.

export interface RateLimitOptions {
  /** Identical fingerprints within this window collapse into the first report. Default 10 s. */
  dedupeWindowMs?: number;
  /** Reports allowed in a burst. Default 25. */
  burst?: number;
  /** Reports regained per second. Default 1. */
  refillPerSecond?: number;
  /** Fingerprints remembered for dedupe; the oldest are forgotten first. Default 500. */
  maxTracked?: number;
  /** Clock, in milliseconds (injectable for tests). */
  now?: () => number;
}

/** Counts withheld since the previous report, carried by the report that is let through. */
export interface Withheld {
  duplicates: number;
  dropped: number;
}

/** The decision for one error: report it (with the counts withheld before it), or why not. */
export type Admission = { report: true; withheld: Withheld } | { report: false; reason: 'duplicate' | 'dropped' };

export interface RateLimiter {
  admit(fingerprint: string): Admission;
  /** Takes the counts withheld since the last report (e.g. to send them on shutdown). */
  drain(): Withheld;
}

export function createRateLimiter(options: RateLimitOptions = {}): RateLimiter {
  const windowMs = positive(options.dedupeWindowMs, 10_000);
  const burst = positive(options.burst, 25);
  const refillPerMs = positive(options.refillPerSecond, 1) / 1000;
  const maxTracked = positive(options.maxTracked, 500);
  const now = options.now ?? Date.now;

  const lastReported = new Map<string, number>(); // insertion order = age, for cheap eviction
  let tokens = burst;
  let refilledAt = now();
  let duplicates = 0;
  let dropped = 0;

  const take = (): Withheld => {
    const counts = { duplicates, dropped };
    duplicates = 0;
    dropped = 0;
    return counts;
  };

  return {
    admit(fingerprint) {
      const t = now();
      const seenAt = lastReported.get(fingerprint);
      if (seenAt !== undefined && t - seenAt < windowMs) {
        duplicates++;
        return { report: false, reason: 'duplicate' };
      }
      tokens = Math.min(burst, tokens + (t - refilledAt) * refillPerMs);
      refilledAt = t;
      if (tokens < 1) {
        dropped++;
        return { report: false, reason: 'dropped' };
      }
      tokens -= 1;
      lastReported.delete(fingerprint);
      lastReported.set(fingerprint, t);
      if (lastReported.size > maxTracked) {
        const oldest = lastReported.keys().next().value;
        if (oldest !== undefined) lastReported.delete(oldest);
      }
      return { report: true, withheld: take() };
    },
    drain: take,
  };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
