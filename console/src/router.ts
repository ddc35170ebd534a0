import { useEffect, useState } from 'preact/hooks';

/**
 * Routes of the console, under /console/ (the API answers index.html for any of them):
 *   /console/                      work queue
 *   /console/recordings/:id        recording view (annotate; `?review=1` review mode; `?t=` a position)
 *   /console/coordinator           study coordinator view (admin)
 *   /console/sign-in               sign-in
 */
export const BASE = '/console/';

export type Route =
  | { name: 'queue' }
  | { name: 'recording'; id: string; review: boolean; t: number | null }
  | { name: 'coordinator' }
  | { name: 'sign-in' };

export function parseRoute(pathname: string, search: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname.replace(/^\/+/, '');
  const q = new URLSearchParams(search);
  const m = /^recordings\/([^/]+)\/?$/.exec(rest);
  if (m) {
    const t = q.get('t');
    return { name: 'recording', id: decodeURIComponent(m[1]!), review: q.get('review') === '1', t: t !== null && Number.isFinite(Number(t)) ? Number(t) : null };
  }
  if (rest === 'coordinator' || rest === 'coordinator/') return { name: 'coordinator' };
  if (rest === 'sign-in' || rest === 'sign-in/') return { name: 'sign-in' };
  return { name: 'queue' };
}

export function navigate(to: string, replace = false): void {
  const url = to.startsWith('/') ? to : BASE + to;
  if (replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.pathname, window.location.search));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(window.location.pathname, window.location.search));
    window.addEventListener('popstate', on);
    return () => window.removeEventListener('popstate', on);
  }, []);
  return route;
}

/** A link inside the console that navigates without reloading the page. */
export function onLinkClick(e: MouseEvent, to: string): void {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(to);
}
