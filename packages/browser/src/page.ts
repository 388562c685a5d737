// Page context on every report, with existing semantic conventions where they exist.
const SESSION_KEY = 'faultline.session';

/** One id per browser session (tab lifetime), kept in sessionStorage when it is available. */
export function sessionId(): string {
  try {
    const existing = sessionStorage.getItem(SESSION_KEY);
    // Only what this agent wrote: anything else under the key (another script, a tampered value) is replaced.
    if (existing && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(existing)) return existing;
    const id = uuid();
    sessionStorage.setItem(SESSION_KEY, id);
    return id;
  } catch {
    return uuid(); // storage blocked: a session per page
  }
}

// What cannot change during a page view is read once; the viewport is re-read on resize only (reading
// innerWidth can force a layout, which an error storm should not pay for each time).
let fixed: Record<string, string | boolean | string[]> | undefined;

interface UserAgentData {
  brands: { brand: string; version: string }[];
  mobile: boolean;
  platform: string;
}
let viewport = '';

/** A random id of `chars` hex digits (a multiple of 8): span, trace and page-view ids. Math.random, as the SDK's
 * RandomIdGenerator: ids need to be unique, not secret (crypto.getRandomValues costs microseconds a call).
 * Never all zeros, which OTLP reads as no id. */
export function randomHex(chars: number): string {
  let id = '';
  for (let i = 0; i < chars; i += 8) id += ((Math.random() * 2 ** 32) >>> 0).toString(16).padStart(8, '0');
  return id === '0'.repeat(chars) ? `${id.slice(1)}1` : id;
}

/** A random (version 4) UUID. `crypto.randomUUID` exists only in secure contexts: plain-http pages too. */
export function uuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const hex = randomHex(32);
  // Version 4, variant 10xx.
  const variant = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export function pageAttributes(): Record<string, string | boolean | string[]> {
  if (!fixed) {
    fixed = { 'user_agent.original': navigator.userAgent, 'browser.language': navigator.language };
    // User-Agent Client Hints, where the browser has them (Chromium, secure contexts): the browser.* conventions.
    try {
      const hints = (navigator as { userAgentData?: UserAgentData }).userAgentData;
      if (hints) {
        fixed['browser.platform'] = String(hints.platform);
        fixed['browser.mobile'] = hints.mobile === true;
        fixed['browser.brands'] = Array.from(hints.brands, (b) => `${b.brand} ${b.version}`);
      }
    } catch {
      // A browser (or an extension) with odd client hints: the report goes out without them.
    }
    if (document.referrer) fixed['http.request.header.referer'] = document.referrer;
    const measure = () => {
      viewport = `${window.innerWidth}x${window.innerHeight}`;
    };
    measure();
    addEventListener('resize', measure, { passive: true });
  }
  // While the head is still being parsed the window may not have its size yet: measure again until it has.
  if (viewport.startsWith('0x')) viewport = `${window.innerWidth}x${window.innerHeight}`;
  return { ...fixed, 'url.full': location.href, 'url.path': location.pathname, 'faultline.viewport': viewport };
}
