'use client';
// The one AuthClient of the app, shared by its client components. Constructing
// it touches no browser global, so this module is safe in a server render.
import { AuthClient, type Session } from 'sesame-auth';
import { ACCESS_COOKIE, sesameUrl } from './config';

export const auth = new AuthClient({ url: sesameUrl });

// How the access token reaches the route guard (proxy.ts) on a page navigation:
// the SDK keeps it in memory, and a navigation sends only cookies, so the client
// copies it into a first-party cookie that lives no longer than the token.
// - Not HttpOnly: script wrote it, and script could read the in-memory token
//   anyway; an XSS that reads it gets a token valid for minutes, as it would
//   from memory. The refresh token stays in the Sesame server's HttpOnly cookie.
// - SameSite=Strict: no other site's page makes the browser send it, so it
//   cannot be used for CSRF; the guard only lets GET page renders through on
//   it, and the app's state-changing calls go to the Sesame API with the bearer
//   header (auth.fetch), never on this cookie.
// - Secure on https, Path=/, Max-Age = the token's remaining lifetime.
export function writeAccessCookie(session: Session | null = auth.session) {
  if (typeof document === 'undefined') return;
  const secure = location.protocol === 'https:' ? '; Secure' : '';
  if (!session) {
    document.cookie = `${ACCESS_COOKIE}=; Path=/; Max-Age=0; SameSite=Strict${secure}`;
    return;
  }
  const maxAge = Math.max(0, Math.floor((session.expiresAtMs - Date.now()) / 1000));
  document.cookie = `${ACCESS_COOKIE}=${session.accessToken}; Path=/; Max-Age=${maxAge}; SameSite=Strict${secure}`;
}

// Kept current on every change (refreshes, sign-out, other tabs); the sign-in
// form also writes it before it navigates, so the guard sees it at once.
auth.onAuthStateChange((_event, session) => writeAccessCookie(session));
