// Delivery when the network or the collector is not there, for both builds: OTLP/JSON request bodies.
// - A batch that could not be sent, or that came while the browser is offline, is kept in localStorage
//   (bounded) and sent later, oldest first, each stored batch removed only once the collector accepted it:
//   nothing twice.
// - A circuit breaker stops retry storms: after a failed export the circuit opens for a cool-down that
//   doubles with each further failure (with jitter, at least any Retry-After the collector gave); while it is
//   open nothing touches the network and everything goes to storage. When it ends, one stored batch is sent
//   as a probe: accepted, the circuit closes and the rest follows; refused, it opens again for longer.
import { createCircuitBreaker } from '@faultline/core';
import { postOtlp } from './otlp-post';

const KEY = 'faultline.spool';
/** Stored batches at most; the oldest go first when full (counted in `dropped`). */
export const MAX_SPOOLED_BATCHES = 50;
/** Characters of stored JSON at most (localStorage quotas are a few MB per origin). */
const MAX_SPOOL_CHARS = 512 * 1024;

interface Stored {
  body: string;
  time: number;
}

export interface OfflineSpool {
  /** Batches (or spans) given up so far: storage full or blocked, refused by the collector as malformed,
   * or past a queue's bound. */
  dropped: number;
  /** True while nothing may go on the network now: offline, or the circuit is open. */
  held(): boolean;
  /** Keeps a request body for later (the oldest go when the bounds are reached, counted). */
  store(body: string): void;
  /** Sends stored batches, oldest first, removing each once the collector took it. */
  drain(force?: boolean): Promise<void>;
  /** The collector took a batch: close the circuit and send what is stored. */
  succeeded(): void;
  /** A batch could not be sent: opens the circuit for the next cool-down and plans the probe that ends it. */
  failed(retryAfter?: number): void;
}

export function createOfflineSpool(url: string): OfflineSpool {
  let draining = false;
  const breaker = createCircuitBreaker();
  let timer: ReturnType<typeof setTimeout> | undefined;

  /** The stored batches. Entries that are not batches (corrupted, or written by something else) are
   * removed and counted as dropped: whatever they held cannot be sent. */
  const load = (): Stored[] => {
    const raw = read();
    const valid = raw.filter(
      (s): s is Stored =>
        typeof s === 'object' &&
        s !== null &&
        typeof (s as Stored).body === 'string' &&
        typeof (s as Stored).time === 'number',
    );
    if (valid.length < raw.length) {
      spool.dropped += raw.length - valid.length;
      write(valid);
    }
    return valid;
  };
  const remove = (batch: Stored, dropped: boolean): void => {
    write(load().filter((s) => s.body !== batch.body || s.time !== batch.time));
    if (dropped) spool.dropped++;
  };

  const spool: OfflineSpool = {
    dropped: 0,
    held: () => (typeof navigator !== 'undefined' && navigator.onLine === false) || breaker.open,
    store(body) {
      const stored = load();
      stored.push({ body, time: Date.now() });
      let chars = stored.reduce((n, s) => n + s.body.length, 0);
      while (stored.length > MAX_SPOOLED_BATCHES || (chars > MAX_SPOOL_CHARS && stored.length > 0)) {
        chars -= (stored.shift() as Stored).body.length;
        spool.dropped++;
      }
      if (!write(stored)) spool.dropped++;
    },
    async drain(force = false) {
      if (draining || (breaker.open && !force)) return;
      draining = true;
      try {
        for (let stored = load(); stored.length > 0; stored = load()) {
          const first = stored[0] as Stored;
          const res = await postOtlp(url, first.body);
          if (res.status === 0) return spool.failed(); // network error: still offline, or no collector there
          if (res.status >= 300) {
            // 4xx other than 429 will not get better by waiting: drop the batch, counted.
            if (res.status < 500 && res.status !== 429) remove(first, true);
            else return spool.failed(res.retryAfter);
          } else {
            breaker.succeeded();
            remove(first, false);
          }
        }
      } finally {
        draining = false;
      }
    },
    succeeded() {
      breaker.succeeded();
      void spool.drain();
    },
    failed(retryAfter = 0) {
      const wait = breaker.failed(retryAfter);
      clearTimeout(timer);
      timer = setTimeout(() => void spool.drain(), wait + 10);
    },
  };
  try {
    // Back online: a strong sign the collector can be reached again, circuit or not.
    addEventListener('online', () => void spool.drain(true));
  } catch {
    // not a window
  }
  return spool;
}

function read(): unknown[] {
  let raw: string | null;
  try {
    raw = localStorage.getItem(KEY);
  } catch {
    return []; // storage blocked: nothing stored
  }
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return [raw]; // not JSON: one unreadable entry, counted and removed by load()
  }
}

/** False when storage is full or blocked: what could not be kept is lost, and counted by the caller. */
function write(stored: Stored[]): boolean {
  try {
    if (stored.length === 0) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify(stored));
    return true;
  } catch {
    return false;
  }
}
