// The signed-in user: a JWT from `#token=…` (then kept in sessionStorage and removed from the
// address bar) or from the paste box. The server checks the token on every call; the page only
// reads its claims to choose what to show.
import { t } from '../i18n/i18n.js';

const KEY = 'roadloop.token';

/** The claims of a JWT, without verifying it (the API does that). */
export function claimsOf(token) {
  const part = token.split('.')[1];
  if (!part) throw new Error(t('signIn.notJwt'));
  const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
  const claims = JSON.parse(json);
  if (typeof claims.role !== 'string' || typeof claims.sub !== 'string') throw new Error(t('signIn.noClaims'));
  return claims;
}

export function expired(claims, nowS = Date.now() / 1000) {
  return typeof claims.exp === 'number' && claims.exp <= nowS;
}

/** Takes a token from the address bar's fragment, if there is one, and removes it from there. */
export function adoptTokenFromUrl() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const token = params.get('token');
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  params.delete('token');
  const rest = params.toString();
  history.replaceState(null, '', `${location.pathname}${location.search}${rest ? `#${rest}` : ''}`);
}

/** The session, or null when nobody (or an expired token) is signed in. */
export function currentSession() {
  const token = sessionStorage.getItem(KEY);
  if (!token) return null;
  try {
    const claims = claimsOf(token);
    if (expired(claims)) {
      sessionStorage.removeItem(KEY);
      return null;
    }
    return { token, role: claims.role, sub: claims.sub, crewId: claims.crewId ?? null };
  } catch {
    sessionStorage.removeItem(KEY);
    return null;
  }
}

export function signIn(token) {
  const claims = claimsOf(token.trim());
  if (expired(claims)) throw new Error(t('signIn.tokenExpired'));
  sessionStorage.setItem(KEY, token.trim());
}

export function signOut() {
  sessionStorage.removeItem(KEY);
}

/** Dispatchers and administrators assign tasks; everyone else reads. */
export const canAssign = (session) => session?.role === 'dispatcher' || session?.role === 'admin';
