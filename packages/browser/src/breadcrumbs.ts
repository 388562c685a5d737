// Breadcrumbs: what the user and the page did just before an error. Clicks, navigation (history API,
// back/forward, hash changes), console errors, and failed fetch/XHR requests. The page cannot tell a hooked
// function from its own (see hook.ts): each hook hands the call through untouched (same arguments, same
// return value, same exceptions), reads the arguments without running page code (no getter, toString or
// valueOf of the page's objects is called) and records on the side; the sink is guarded by the agent, so a
// failing breadcrumb never reaches the page.
import { hook } from './hook';

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
  // Single-page apps navigate with pushState/replaceState, which fire no event. Hooked on the prototype,
  // where they live: an own property on `history` would be one more thing the page could see.
  for (const method of ['pushState', 'replaceState'])
    hook(History.prototype, method, (original, self, args) => {
      const result = Reflect.apply(original, self, args);
      moved();
      return result;
    });
}

function wrapConsoleError(crumb: Crumb): void {
  hook(console, 'error', (original, self, args: unknown[]) => {
    let message: string;
    try {
      message = args.map(consoleText).join(' ').slice(0, MAX_BREADCRUMB_TEXT);
    } catch {
      message = 'unreadable arguments'; // a revoked proxy: console.error must not throw
    }
    crumb('breadcrumb.console', { 'log.level': 'error', message });
    return Reflect.apply(original, self, args);
  });
}

/** A string as it is, an error's message when it is a plain value (a getter is not called), else the type. */
function consoleText(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (!(arg instanceof Error)) return typeof arg;
  const message = ownValue(arg, 'message');
  return typeof message === 'string' ? message : 'unreadable arguments';
}

/** An own data property's value; undefined for a getter (page code) or anything else. */
function ownValue(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null ? Object.getOwnPropertyDescriptor(obj, key)?.value : undefined;
}

/** The URL a fetch or XHR was given, when it is one the agent can read without running page code. */
function urlOf(input: unknown): string | undefined {
  if (typeof input === 'string') return absoluteUrl(input);
  if (input instanceof URL) return input.href;
  if (typeof Request === 'function' && input instanceof Request) return input.url;
  return undefined; // an object with its own toString: no breadcrumb rather than a second call of it
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

// The fetch promise the page gets is one the agent makes, settled by the real one: attaching any reaction
// to the real one marks it handled, so a failed fetch the page does not catch would no longer fire
// `unhandledrejection`. The page's promise settles with the same response or the same reason (the same
// object) and is unhandled unless the page handles it, so `unhandledrejection` and `rejectionhandled` name
// the promise the page holds. It settles one microtask after the real one, except on abort: the signal's
// `abort` event rejects it at once, as `controller.abort()` rejects a fetch, so that the page's handler still
// runs before the microtasks queued after `abort()`.
const NativePromise = Promise;
const promiseThen = Promise.prototype.then;

function wrapFetch(crumb: Crumb, isOwn: (url: string) => boolean): void {
  const listen = EventTarget.prototype.addEventListener;
  const unlisten = EventTarget.prototype.removeEventListener;
  hook(window, 'fetch', (original: typeof fetch, self, args) => {
    const result = Reflect.apply(original, self, args);
    let method = 'GET';
    let url: string | undefined;
    let signal: unknown;
    try {
      const [input, init] = args;
      url = urlOf(input);
      if (input instanceof Request) {
        method = input.method;
        signal = input.signal;
      }
      const own = ownValue(init, 'method');
      if (typeof own === 'string') method = own;
      signal = ownValue(init, 'signal') ?? signal;
    } catch {
      // an input we cannot read: no breadcrumb
    }
    if (url === undefined || isOwn(url) || !(result instanceof NativePromise)) return result;
    const failed = (status: number) => failedRequest(crumb, 'fetch', method, url as string, status);
    return new NativePromise<Response>((resolve, reject) => {
      const watched = signal instanceof AbortSignal ? signal : undefined;
      const aborted = () => reject(watched?.reason);
      if (watched?.aborted) aborted();
      else if (watched) listen.call(watched, 'abort', aborted);
      promiseThen.call(
        result,
        (res: Response) => {
          if (watched) unlisten.call(watched, 'abort', aborted);
          if (res.status >= 400) failed(res.status);
          resolve(res);
        },
        (reason: unknown) => {
          if (watched) unlisten.call(watched, 'abort', aborted);
          failed(0);
          reject(reason);
        },
      );
    });
  });
}

function wrapXhr(crumb: Crumb, isOwn: (url: string) => boolean): void {
  const proto = typeof XMLHttpRequest === 'function' ? XMLHttpRequest.prototype : undefined;
  if (!proto) return;
  const requests = new WeakMap<XMLHttpRequest, { method: string; url: string }>();
  // The page's own addEventListener may be patched: the agent's listener must not go through it.
  const listen = EventTarget.prototype.addEventListener;
  hook(proto, 'open', (original, self, args: unknown[]) => {
    const [method, input] = args;
    try {
      const url = urlOf(input);
      if (typeof method === 'string' && url !== undefined) requests.set(self as XMLHttpRequest, { method, url });
    } catch {
      // no breadcrumb for this one
    }
    return Reflect.apply(original, self, args);
  });
  hook(proto, 'send', (original, self, args) => {
    const xhr = self as XMLHttpRequest;
    const request = requests.get(xhr);
    if (request && !isOwn(request.url)) {
      listen.call(xhr, 'loadend', () => {
        if (xhr.status === 0 || xhr.status >= 400) failedRequest(crumb, 'xhr', request.method, request.url, xhr.status);
      });
    }
    return Reflect.apply(original, self, args);
  });
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
