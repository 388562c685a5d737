// Page context on every report, with existing semantic conventions where they exist.
const SESSION_KEY = 'faultline.session';

/** One id per browser session (tab lifetime), kept in sessionStorage when it is available. */
export function sessionId(): string {
  try {
    const existing = sessionStorage.getItem(SESSION_KEY);
    if (existing) return existing;
    const id = crypto.randomUUID();
    sessionStorage.setItem(SESSION_KEY, id);
    return id;
  } catch {
    return crypto.randomUUID(); // storage blocked: a session per page
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

export function pageAttributes(): Record<string, string | boolean | string[]> {
  if (!fixed) {
    fixed = { 'user_agent.original': navigator.userAgent, 'browser.language': navigator.language };
    // User-Agent Client Hints, where the browser has them (Chromium, secure contexts): the browser.* conventions.
    const hints = (navigator as { userAgentData?: UserAgentData }).userAgentData;
    if (hints) {
      fixed['browser.platform'] = hints.platform;
      fixed['browser.mobile'] = hints.mobile;
      fixed['browser.brands'] = hints.brands.map((b) => `${b.brand} ${b.version}`);
    }
    if (document.referrer) fixed['http.request.header.referer'] = document.referrer;
    const measure = () => {
      viewport = `${window.innerWidth}x${window.innerHeight}`;
    };
    measure();
    addEventListener('resize', measure, { passive: true });
  }
  return { ...fixed, 'url.full': location.href, 'url.path': location.pathname, 'faultline.viewport': viewport };
}
