/**
 * The signed-in token, kept for the browser tab's session (sessionStorage: gone when the tab closes, never
 * shared with other tabs' sessions, never in the address bar).
 */
const KEY = 'fieldsense.token';

export interface Session {
  token: string;
  /** Who the token is, from `GET /v1/whoami`. */
  kind: 'admin' | 'annotator' | 'participant';
  name?: string | undefined;
  studyId?: string | undefined;
  annotatorId?: string | undefined;
}

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
}

/**
 * A `?token=` in the address (a link handed to an annotator) is taken into the session and removed from the
 * address bar and the history at once, so it is neither bookmarked nor shown over a shoulder.
 */
export function takeTokenFromAddress(loc: Location = window.location): string | null {
  const url = new URL(loc.href);
  const token = url.searchParams.get('token');
  if (!token) return null;
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', url.pathname + (url.search === '?' ? '' : url.search) + url.hash);
  return token;
}
