// The route guard's rule, shared by proxy.ts (Node runtime), the Edge route
// handler and variants/middleware.ts (Edge runtime): verify the access token
// with the Sesame server's JWKS (the SDK caches the key set), then check the
// role the path needs.
import { NextResponse, type NextRequest } from 'next/server';
import { verifyAccessToken, type AccessTokenClaims } from 'sesame-auth/verify';
import { ACCESS_COOKIE, guardSettings } from './config';

export type GuardVerdict =
  | { ok: true; claims: AccessTokenClaims }
  | { ok: false; status: 401 | 403; code: string };

export async function checkAccessToken(token: string | undefined, requiredRole?: string): Promise<GuardVerdict> {
  if (!token) return { ok: false, status: 401, code: 'token_missing' };
  try {
    const { claims } = await verifyAccessToken(token, guardSettings());
    if (requiredRole && !claims.roles.includes(requiredRole)) return { ok: false, status: 403, code: 'role_missing' };
    return { ok: true, claims };
  } catch (error) {
    return { ok: false, status: 401, code: (error as { code?: string }).code ?? 'invalid_token' };
  }
}

/**
 * The answer of proxy.ts (or middleware.ts) for a guarded page: the page, with
 * the verified user in request headers; the sign-in page for no valid token
 * (it restores the session from the refresh cookie when it can and comes back);
 * 403 for a valid token without the role /admin needs.
 */
export async function guardPage(request: NextRequest): Promise<NextResponse> {
  const { pathname } = request.nextUrl;
  const verdict = await checkAccessToken(request.cookies.get(ACCESS_COOKIE)?.value,
    pathname.startsWith('/admin') ? 'admin' : undefined);
  if (!verdict.ok && verdict.status === 403) {
    return new NextResponse(`Forbidden: ${verdict.code}`, { status: 403, headers: { 'x-sesame-guard': verdict.code } });
  }
  if (!verdict.ok) {
    const signIn = new URL('/signin', request.url);
    signIn.searchParams.set('next', pathname);
    signIn.searchParams.set('reason', verdict.code);
    return NextResponse.redirect(signIn, { headers: { 'x-sesame-guard': verdict.code } });
  }
  // The page sees who passed, from the verified claims only (set, so a client cannot supply them).
  const headers = new Headers(request.headers);
  headers.set('x-sesame-user-id', verdict.claims.sub);
  headers.set('x-sesame-roles', verdict.claims.roles.join(','));
  return NextResponse.next({ request: { headers }, headers: { 'x-sesame-guard-runtime': typeof EdgeRuntime === 'string' ? 'edge' : 'nodejs' } });
}

// Set by Next.js on the Edge runtime only.
declare const EdgeRuntime: string | undefined;
