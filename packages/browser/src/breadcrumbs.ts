// Breadcrumbs: what the user and the page did just before an error. Clicks, navigation (history API,
// back/forward, hash changes), console errors, and failed fetch/XHR requests. Each hook hands the page's
// own call through untouched (same arguments, same return value, same exceptions) and records on the side;
// the sink is guarded by the agent, so a failing breadcrumb never reaches the page.

type Attrs = Record<string, string | number | boolean>;
export type Crumb = (name: string, attributes: Attrs) => void;

/** Characters of a breadcrumb message kept. */
export const MAX_BREADCRUMB_TEXT = 200;

export interface BreadcrumbOptions {
  /** Requests to this URL are the agent's own deliveries: never breadcrumbs. */
  ownEndpoint: string;
}

export function installBreadcrumbs(crumb: Crumb, options: BreadcrumbOptions): void {
  addEventListener(
    'click',
    (event) => {
      const el = event.target as Element | null;
      if (el && 'tagName' in el) crumb('breadcrumb.click', { 'ui.element': describeElement(el) });
    },
    { capture: true, passive: true },
  );
  const own = absoluteUrl(options.ownEndpoint);
  const isOwn = (url: string) => url === own;
  // Each hook on its own: a page that froze `fetch` or `history` loses that breadcrumb, not the agent.
  for (const install of [
    () => installNavigation(crumb),
    () => wrapConsoleError(crumb),
    () => wrapFetch(crumb, isOwn),
    () => wrapXhr(crumb, isOwn),
  ]) {
    try {
      install();
    } catch {
      // not writable here
    }
  }
}

function installNavigation(crumb: Crumb): void {
  let last = location.href;
  const moved = () => {
    const to = location.href;
    if (to === last) return;
    crumb('breadcrumb.navigation', { 'navigation.from': last, 'url.full': to });
    last = to;
  };
  addEventListener('popstate', moved);
  addEventListener('hashchange', moved);
  // Single-page apps navigate with pushState/replaceState, which fire no event.
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    if (typeof original !== 'function') continue;
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      moved();
      return result;
    };
  }
}

function wrapConsoleError(crumb: Crumb): void {
  const original = console.error;
  console.error = function error(...args: unknown[]) {
    let message: string;
    try {
      message = args
        .map((a) => (typeof a === 'string' ? a : a instanceof Error ? String(a.message) : typeof a))
        .join(' ')
        .slice(0, MAX_BREADCRUMB_TEXT);
    } catch {
      message = 'unreadable arguments'; // a revoked proxy, a throwing message getter: console.error must not throw
    }
    crumb('breadcrumb.console', { 'log.level': 'error', message });
    return original.apply(this, args);
  };
}

/** A request that failed: a network error, or an HTTP status of 400 or more. */
function failedRequest(crumb: Crumb, kind: 'fetch' | 'xhr', method: string, url: string, status: number) {
  crumb('breadcrumb.http', {
    'http.request.method': method.toUpperCase(),
    'url.full': url,
    'faultline.request.kind': kind,
    ...(status > 0 ? { 'http.response.status_code': status } : { 'error.type': 'network_error' }),
  });
}

function wrapFetch(crumb: Crumb, isOwn: (url: string) => boolean): void {
  const original = window.fetch;
  if (typeof original !== 'function') return;
  const wrapped = function fetch(this: unknown, ...args: Parameters<typeof window.fetch>) {
    const result: Promise<Response> = original.apply(this, args);
    try {
      const [input, init] = args;
      const url = absoluteUrl(input instanceof Request ? input.url : String(input));
      if (!isOwn(url)) {
        const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
        // A side branch: the page's promise is returned as it is and keeps its own rejection.
        result.then(
          (res) => res.status >= 400 && failedRequest(crumb, 'fetch', method, url, res.status),
          () => failedRequest(crumb, 'fetch', method, url, 0),
        );
      }
    } catch {
      // an input we cannot read: no breadcrumb
    }
    return result;
  };
  // The OTLP exporter looks for `__original` to send its own requests around instrumentation.
  window.fetch = Object.assign(wrapped, { __original: original }) as typeof window.fetch;
}

function wrapXhr(crumb: Crumb, isOwn: (url: string) => boolean): void {
  const proto = typeof XMLHttpRequest === 'function' ? XMLHttpRequest.prototype : undefined;
  if (!proto) return;
  const requests = new WeakMap<XMLHttpRequest, { method: string; url: string }>();
  const open = proto.open;
  proto.open = function (this: XMLHttpRequest, ...args: Parameters<XMLHttpRequest['open']>) {
    const [method, url] = args;
    try {
      requests.set(this, { method: String(method), url: absoluteUrl(String(url)) });
    } catch {
      // no breadcrumb for this one
    }
    return open.apply(this, args);
  } as XMLHttpRequest['open'];
  const send = proto.send;
  proto.send = function (this: XMLHttpRequest, body?: Document | XMLHttpRequestBodyInit | null) {
    const request = requests.get(this);
    if (request && !isOwn(request.url)) {
      this.addEventListener('loadend', () => {
        if (this.status === 0 || this.status >= 400)
          failedRequest(crumb, 'xhr', request.method, request.url, this.status);
      });
    }
    return send.call(this, body);
  };
}

function absoluteUrl(url: string): string {
  try {
    return new URL(url, location.href).href;
  } catch {
    return url;
  }
}

/** `button#buy.primary "Buy now"`: enough to recognise what was clicked, never an input's value. */
export function describeElement(el: Element): string {
  const id = el.id ? `#${el.id}` : '';
  const cls =
    typeof el.className === 'string' && el.className
      ? `.${el.className.trim().split(/\s+/).slice(0, 2).join('.')}`
      : '';
  const text =
    el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement
      ? ''
      : (el.textContent ?? '').trim().slice(0, 40);
  return `${el.tagName.toLowerCase()}${id}${cls}${text ? ` "${text}"` : ''}`;
}
