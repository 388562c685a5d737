// One OTLP/HTTP JSON request, with `keepalive` so that it outlives a closing page, within the browser's
// keepalive budget: 64 KiB of bodies in flight in total and (Chromium) 9 requests per renderer
// (https://fetch.spec.whatwg.org/#http-network-or-cache-fetch, https://github.com/whatwg/fetch/issues/679).
// Past the budget the request goes out without keepalive rather than being refused. The response body is
// read to its end: Chromium gives a request's share of the budget back only then
// (https://issues.chromium.org/issues/546438373), and an unread body would leak it for the page's life.
import { retryAfterMs } from '@faultline/core';

/** 60 KB of the 64 KiB budget: headroom for headers. */
const KEEPALIVE_BYTES = 61_440;
const KEEPALIVE_REQUESTS = 9;
/** The OTLP exporter's timeout for one export, retries included. */
const EXPORT_TIMEOUT_MS = 10_000;
/** Retries of a retryable failure (429, 502, 503, 504, a network error), the OTLP exporter's schedule:
 * 1 s growing 1.5x per attempt up to 5 s, ±20 % jitter, or what Retry-After says. */
const MAX_RETRIES = 5;

export interface PostResult {
  /** The HTTP status; 0 for a network error (or no fetch at all). */
  status: number;
  /** Retry-After, in milliseconds (0 when the collector gave none). */
  retryAfter: number;
}

let pendingBytes = 0;
let pendingRequests = 0;

/** POSTs `body` once. Never rejects. */
export async function postOtlp(url: string, body: string, timeout = EXPORT_TIMEOUT_MS): Promise<PostResult> {
  const size = body.length * 3; // UTF-16 units to at most 3 UTF-8 bytes each: never over the budget
  const keepalive = pendingBytes + size <= KEEPALIVE_BYTES && pendingRequests < KEEPALIVE_REQUESTS;
  if (keepalive) {
    pendingBytes += size;
    pendingRequests++;
  }
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeout);
  try {
    // window.fetch as the page last set it: a hook installed later sees the agent's requests too, as it
    // sees the OTLP exporter's in the ESM build.
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      keepalive,
      signal: abort.signal,
    });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status, retryAfter: retryAfterMs(res.headers.get('retry-after')) };
  } catch {
    return { status: 0, retryAfter: 0 };
  } finally {
    clearTimeout(timer);
    if (keepalive) {
      pendingBytes -= size;
      pendingRequests--;
    }
  }
}

/** POSTs `body`, retrying what may go through later within the export timeout. Never rejects. */
export async function postWithRetries(url: string, body: string): Promise<PostResult> {
  const deadline = Date.now() + EXPORT_TIMEOUT_MS;
  let backoff = 1000;
  let result = await postOtlp(url, body);
  for (let retries = 0; retries < MAX_RETRIES && retryable(result.status); retries++) {
    const wait = result.retryAfter || Math.min(backoff * (0.8 + 0.4 * Math.random()), 5000);
    backoff *= 1.5;
    const left = deadline - Date.now();
    if (wait > left) break;
    await new Promise((r) => setTimeout(r, wait));
    result = await postOtlp(url, body, left - wait);
  }
  return result;
}

function retryable(status: number): boolean {
  return status === 0 || status === 429 || status === 502 || status === 503 || status === 504;
}
