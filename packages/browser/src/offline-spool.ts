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

export class OfflineSpool {
  /** Batches (or spans) given up so far: storage full or blocked, refused by the collector as malformed,
   * or past a queue's bound. */
  dropped = 0;
  private draining = false;
  private readonly breaker = createCircuitBreaker();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly url: string) {
    try {
      // Back online: a strong sign the collector can be reached again, circuit or not.
      addEventListener('online', () => void this.drain(true));
    } catch {
      // not a window
    }
  }

  /** True while nothing may go on the network now: offline, or the circuit is open. */
  get held(): boolean {
    return (typeof navigator !== 'undefined' && navigator.onLine === false) || this.breaker.open;
  }

  /** The collector took a batch: close the circuit and send what is stored. */
  succeeded(): void {
    this.breaker.succeeded();
    void this.drain();
  }

  /** Opens the circuit for the next cool-down and plans the probe that ends it. */
  failed(retryAfter = 0): void {
    const wait = this.breaker.failed(retryAfter);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.drain(), wait + 10);
  }

  /** Sends stored batches, oldest first, removing each once the collector took it. */
  async drain(force = false): Promise<void> {
    if (this.draining || (this.breaker.open && !force)) return;
    this.draining = true;
    try {
      for (let stored = this.load(); stored.length > 0; stored = this.load()) {
        const first = stored[0] as Stored;
        const res = await postOtlp(this.url, first.body);
        if (res.status === 0) return this.failed(); // network error: still offline, or no collector there
        if (res.status >= 300) {
          // 4xx other than 429 will not get better by waiting: drop the batch, counted.
          if (res.status < 500 && res.status !== 429) this.remove(first, true);
          else return this.failed(res.retryAfter);
        } else {
          this.breaker.succeeded();
          this.remove(first, false);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  /** Keeps a request body for later (the oldest go when the bounds are reached, counted). */
  store(body: string): void {
    const stored = this.load();
    stored.push({ body, time: Date.now() });
    let chars = stored.reduce((n, s) => n + s.body.length, 0);
    while (stored.length > MAX_SPOOLED_BATCHES || (chars > MAX_SPOOL_CHARS && stored.length > 0)) {
      chars -= (stored.shift() as Stored).body.length;
      this.dropped++;
    }
    if (!write(stored)) this.dropped++;
  }

  /** The stored batches. Entries that are not batches (corrupted, or written by something else) are
   * removed and counted as dropped: whatever they held cannot be sent. */
  private load(): Stored[] {
    const raw = read();
    const valid = raw.filter(
      (s): s is Stored =>
        typeof s === 'object' &&
        s !== null &&
        typeof (s as Stored).body === 'string' &&
        typeof (s as Stored).time === 'number',
    );
    if (valid.length < raw.length) {
      this.dropped += raw.length - valid.length;
      write(valid);
    }
    return valid;
  }

  private remove(batch: Stored, dropped: boolean): void {
    write(this.load().filter((s) => s.body !== batch.body || s.time !== batch.time));
    if (dropped) this.dropped++;
  }
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
