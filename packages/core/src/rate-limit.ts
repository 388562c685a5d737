// Error storms: the same error thrown in a loop, or a thousand different ones at once, must not flood the
// network, the collector or the host's memory. Two mechanisms, both counted so nothing vanishes:
// - dedupe: an error whose fingerprint was reported less than `dedupeWindowMs` ago is not reported again;
//   its repeats are counted *for that fingerprint*, and ride on its next report (`faultline.duplicates`),
//   so that a group's count is the reports plus their duplicates;
// - a token bucket: at most `burst` reports at once, refilled at `refillPerSecond`; what it drops is
//   counted globally (`faultline.dropped` on the next report that goes out).
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

/** Counts carried by a report: repeats of the same error since its previous report, drops of any error. */
export interface Withheld {
  duplicates: number;
  dropped: number;
}

/** What is still pending: the totals, and the duplicates of each fingerprint (those forgotten to make room
 * for newer ones are in the total only). */
export interface Drained extends Withheld {
  byFingerprint: { fingerprint: string; count: number }[];
}

/** The decision for one error: report it (with the counts withheld before it), or why not. */
export type Admission = { report: true; withheld: Withheld } | { report: false; reason: 'duplicate' | 'dropped' };

export interface RateLimiter {
  admit(fingerprint: string): Admission;
  /** Takes the counts withheld and not reported yet (e.g. to send them on shutdown). */
  drain(): Drained;
}

interface Tracked {
  reportedAt: number;
  /** Repeats since that report. */
  duplicates: number;
}

export function createRateLimiter(options: RateLimitOptions = {}): RateLimiter {
  const windowMs = positive(options.dedupeWindowMs, 10_000);
  // Below one, no report could ever be afforded: at least one.
  const burst = Math.max(1, positive(options.burst, 25));
  const refillPerMs = positive(options.refillPerSecond, 1) / 1000;
  const maxTracked = Math.max(1, positive(options.maxTracked, 500));
  const now = typeof options.now === 'function' ? options.now : Date.now;

  const tracked = new Map<string, Tracked>(); // insertion order = age, for cheap eviction
  let tokens = burst;
  let refilledAt = now();
  let dropped = 0;
  /** Duplicates of fingerprints forgotten before their next report. */
  let unattributed = 0;

  return {
    admit(fingerprint) {
      const t = now();
      const entry = tracked.get(fingerprint);
      if (entry !== undefined && t - entry.reportedAt < windowMs) {
        entry.duplicates++;
        return { report: false, reason: 'duplicate' };
      }
      tokens = Math.min(burst, tokens + (t - refilledAt) * refillPerMs);
      refilledAt = t;
      if (tokens < 1) {
        dropped++;
        return { report: false, reason: 'dropped' };
      }
      tokens -= 1;
      const withheld = { duplicates: entry?.duplicates ?? 0, dropped };
      dropped = 0;
      tracked.delete(fingerprint);
      tracked.set(fingerprint, { reportedAt: t, duplicates: 0 });
      if (tracked.size > maxTracked) {
        const [oldest, forgotten] = tracked.entries().next().value as [string, Tracked];
        unattributed += forgotten.duplicates;
        tracked.delete(oldest);
      }
      return { report: true, withheld };
    },
    drain() {
      const byFingerprint: Drained['byFingerprint'] = [];
      let duplicates = unattributed;
      for (const [fingerprint, entry] of tracked) {
        if (entry.duplicates === 0) continue;
        byFingerprint.push({ fingerprint, count: entry.duplicates });
        duplicates += entry.duplicates;
        entry.duplicates = 0;
      }
      const drained = { duplicates, dropped, byFingerprint };
      dropped = 0;
      unattributed = 0;
      return drained;
    },
  };
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback;
}
