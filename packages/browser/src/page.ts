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

export function pageAttributes(): Record<string, string | number> {
  const attrs: Record<string, string | number> = {
    'url.full': location.href,
    'url.path': location.pathname,
    'user_agent.original': navigator.userAgent,
    'browser.language': navigator.language,
    'faultline.viewport': `${window.innerWidth}x${window.innerHeight}`,
  };
  if (document.referrer) attrs['http.request.header.referer'] = document.referrer;
  return attrs;
}
