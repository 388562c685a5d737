// The page: a list of issues and an issue with its events, routed on the path, refreshed while visible.
import { banners } from './banners';
import { h, mount } from './dom';
import { issuePage } from './issue-page';
import { listPage } from './list-page';

export interface PageContext {
  /** Renders into the page body; returns a cleanup run before the next page. */
  main: HTMLElement;
  navigate(path: string, replace?: boolean): void;
  showBanners(body: Parameters<typeof banners>[0]): void;
}

const app = document.getElementById('app')!;
const bannerArea = h('div', { class: 'banners' });
const main = h('main');
mount(
  app,
  h(
    'header',
    { class: 'top' },
    h('a', { href: '/', class: 'brand' }, 'faultline'),
    h('span', { class: 'sub' }, 'issues'),
  ),
  bannerArea,
  main,
);

let cleanup: (() => void) | undefined;

const context: PageContext = {
  main,
  navigate(path, replace = false) {
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    route();
  },
  showBanners(body) {
    mount(bannerArea, banners(body));
  },
};

function route(): void {
  cleanup?.();
  cleanup = undefined;
  const m = /^\/issues\/([^/]+)(?:\/events\/([0-9a-fA-F]+)\/([0-9a-fA-F]+))?\/?$/.exec(location.pathname);
  if (m) {
    const event = m[2] && m[3] ? { traceId: m[2], spanId: m[3] } : undefined;
    cleanup = issuePage(context, decoded(m[1]!), event);
  } else {
    cleanup = listPage(context, new URLSearchParams(location.search));
  }
}

/** A path segment decoded, or as it is when it is not valid percent-encoding (a hand-made link). */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

// Links inside the page navigate without a reload.
document.addEventListener('click', (event) => {
  const a = (event.target as Element | null)?.closest?.('a');
  if (!a || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const href = a.getAttribute('href');
  if (!href?.startsWith('/') || a.target) return;
  event.preventDefault();
  context.navigate(href);
});
window.addEventListener('popstate', route);
route();
