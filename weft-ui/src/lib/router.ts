import { h, type ComponentChildren } from 'preact';
import { store } from './store';

/** The current location: path and query parameters. The server answers index.html for every UI path. */
export interface Location {
  path: string;
  query: URLSearchParams;
}

function current(): Location {
  return { path: window.location.pathname, query: new URLSearchParams(window.location.search) };
}

export const location = store<Location>(current());

window.addEventListener('popstate', () => location.set(current()));

export function navigate(url: string, replace = false) {
  const target = new URL(url, window.location.href);
  if (target.origin !== window.location.origin) return;
  const same = target.pathname + target.search === window.location.pathname + window.location.search;
  if (replace || same) history.replaceState(null, '', target.pathname + target.search + target.hash);
  else history.pushState(null, '', target.pathname + target.search + target.hash);
  location.set(current());
  if (!replace && !same) window.scrollTo(0, 0);
}

/** An in-app link: a real <a href> (open in new tab works), handled without a page load on a plain click. */
export function Link(props: {
  href: string;
  class?: string;
  title?: string;
  children?: ComponentChildren;
  onClick?: (e: MouseEvent) => void;
  'data-testid'?: string;
}) {
  const { href, children, onClick, ...rest } = props;
  return h(
    'a',
    {
      ...rest,
      href,
      onClick: (e: MouseEvent) => {
        onClick?.(e);
        if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        navigate(href);
      },
    },
    children,
  );
}

/** Matches '/trace/:id' style patterns; returns the decoded parameters or null. */
export function match(pattern: string, path: string): Record<string, string> | null {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return null;
  const out: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    if (p[i].startsWith(':')) {
      try {
        out[p[i].slice(1)] = decodeURIComponent(s[i]);
      } catch {
        return null;
      }
    } else if (p[i] !== s[i]) return null;
  }
  return out;
}

export function searchUrl(q: string): string {
  return `/search?q=${encodeURIComponent(q)}`;
}

export function traceUrl(id: string, node?: string): string {
  return `/trace/${encodeURIComponent(id)}${node ? `?node=${encodeURIComponent(node)}` : ''}`;
}

export function dashboardUrl(scope: string): string {
  return `/dashboards/${encodeURIComponent(scope)}`;
}
