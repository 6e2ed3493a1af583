// Where the Sesame server is, for the browser (NEXT_PUBLIC_*, inlined at build
// time) and for the route guard (read at run time, so one build can be pointed
// at any server).
export const sesameUrl = process.env.NEXT_PUBLIC_SESAME_URL ?? 'http://127.0.0.1:8080';

export function guardSettings() {
  const url = process.env.SESAME_URL ?? sesameUrl;
  return {
    jwksUrl: `${url}/.well-known/jwks.json`,
    issuer: process.env.SESAME_ISSUER ?? url,
    audience: process.env.SESAME_AUDIENCE ?? 'sesame',
  };
}

// The cookie that carries the access token to the route guard (see lib/access-cookie.ts).
export const ACCESS_COOKIE = 'sesame_access';
