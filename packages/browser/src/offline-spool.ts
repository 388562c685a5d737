// Offline and collector-down delivery: a span exporter around the OTLP exporter that keeps what could not be
// sent in localStorage (bounded) and sends it when the browser is back online (or on the next page load),
// each stored batch removed only once the collector accepted it.
import type { ExportResult } from '@opentelemetry/core';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-web';

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
  dropped = 0;
  private draining = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly url: string,
  ) {
    try {
      addEventListener('online', () => void this.drain());
    } catch {
      // not a window
    }
  }

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) {
      this.store(spans);
      done({ code: SUCCESS });
      return;
    }
    this.inner.export(spans, (result) => {
      if (result.code !== SUCCESS) this.store(spans);
      else void this.drain();
      done({ code: SUCCESS }); // kept for later: nothing for the SDK to retry or drop
    });
  }

  /** Sends stored batches, oldest first, removing each once the collector took it. */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let stored = read(); stored.length > 0; stored = read()) {
        const first = stored[0] as Stored;
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: first.body,
          keepalive: true,
        });
        if (!res.ok) return; // collector unhappy: try again on the next online event or page load
        write(read().filter((s) => s.body !== first.body || s.time !== first.time));
      }
    } catch {
      // still offline
    } finally {
      this.draining = false;
    }
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  private store(spans: ReadableSpan[]): void {
    const bytes = JsonTraceSerializer.serializeRequest(spans);
    if (!bytes) return;
    const stored = read();
    stored.push({ body: new TextDecoder().decode(bytes), time: Date.now() });
    let chars = stored.reduce((n, s) => n + s.body.length, 0);
    while (stored.length > MAX_SPOOLED_BATCHES || (chars > MAX_SPOOL_CHARS && stored.length > 0)) {
      chars -= (stored.shift() as Stored).body.length;
      this.dropped++;
    }
    write(stored);
  }
}

function read(): Stored[] {
  try {
    const raw = localStorage.getItem(KEY);
    const parsed = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return []; // storage blocked or corrupt: nothing stored
  }
}

function write(stored: Stored[]): void {
  try {
    if (stored.length === 0) localStorage.removeItem(KEY);
    else localStorage.setItem(KEY, JSON.stringify(stored));
  } catch {
    // storage full or blocked: what could not be kept is lost, and counted by the caller
  }
}
