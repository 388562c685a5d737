// Delivery when the network or the collector is not there: a span exporter around the OTLP exporter.
// - The OTLP exporter itself retries a failed request (exponential backoff with jitter, honouring
//   Retry-After on 429/502/503/504) within its timeout.
// - When that still fails, or the browser is offline, the batch is kept in localStorage (bounded) and sent
//   later, oldest first, each stored batch removed only once the collector accepted it: nothing twice.
// - A circuit breaker stops retry storms: after a failed export the circuit opens for a cool-down that
//   doubles with each further failure (with jitter, at least any Retry-After the collector gave); while it is
//   open nothing touches the network and everything goes to storage. When it ends, one stored batch is sent
//   as a probe: accepted, the circuit closes and the rest follows; refused, it opens again for longer.
import { createCircuitBreaker, retryAfterMs } from '@faultline/core';
import type { ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

const KEY = 'faultline.spool';
/** Stored batches at most; the oldest go first when full (counted in `dropped`). */
export const MAX_SPOOLED_BATCHES = 50;
/** Characters of stored JSON at most (localStorage quotas are a few MB per origin). */
const MAX_SPOOL_CHARS = 512 * 1024;
const SUCCESS = 0;

interface Stored {
  body: string;
  time: number;
}

export class SpoolingExporter implements SpanExporter {
  /** Batches given up so far: storage full or blocked, or refused by the collector as malformed. */
  dropped = 0;
  private draining = false;
  private readonly breaker = createCircuitBreaker();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly inner: SpanExporter,
    private readonly url: string,
  ) {
    try {
      // Back online: a strong sign the collector can be reached again, circuit or not.
      addEventListener('online', () => void this.drain(true));
    } catch {
      // not a window
    }
  }

  /** True while the circuit breaker keeps requests off the network. */
  get open(): boolean {
    return this.breaker.open;
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if ((typeof navigator !== 'undefined' && navigator.onLine === false) || this.open) {
      this.store(spans);
      done({ code: SUCCESS });
      return;
    }
    this.inner.export(spans, (result) => {
      if (result.code !== SUCCESS) {
        this.store(spans);
        this.failed();
      } else {
        this.breaker.succeeded();
        void this.drain();
      }
      done({ code: SUCCESS }); // kept for later: nothing for the SDK to retry or drop
    });
  }

  /** Sends stored batches, oldest first, removing each once the collector took it. */
  async drain(force = false): Promise<void> {
    if (this.draining || (this.open && !force)) return;
    this.draining = true;
    try {
      for (let stored = this.load(); stored.length > 0; stored = this.load()) {
        const first = stored[0] as Stored;
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: first.body,
          keepalive: true,
        });
        if (!res.ok) {
          // 4xx other than 429 will not get better by waiting: drop the batch, counted.
          if (res.status >= 400 && res.status < 500 && res.status !== 429) this.remove(first, true);
          else return this.failed(retryAfterMs(res.headers.get('retry-after')));
        } else {
          this.breaker.succeeded();
          this.remove(first, false);
        }
      }
    } catch {
      this.failed(); // network error: still offline, or the collector is not there
    } finally {
      this.draining = false;
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    clearTimeout(this.timer);
    return this.inner.shutdown();
  }

  /** Opens the circuit for the next cool-down and plans the probe that ends it. */
  private failed(retryAfter = 0): void {
    const wait = this.breaker.failed(retryAfter);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.drain(), wait + 10);
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

  private store(spans: ReadableSpan[]): void {
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    if (!bytes) return;
    const stored = this.load();
    stored.push({ body: new TextDecoder().decode(bytes), time: Date.now() });
    let chars = stored.reduce((n, s) => n + s.body.length, 0);
    while (stored.length > MAX_SPOOLED_BATCHES || (chars > MAX_SPOOL_CHARS && stored.length > 0)) {
      chars -= (stored.shift() as Stored).body.length;
      this.dropped++;
    }
    if (!write(stored)) this.dropped++;
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
