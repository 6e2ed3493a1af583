// The route guard (Next 16 names it proxy.ts; before 16 it was middleware.ts,
// with the same body and `export function middleware`). It runs on the Node.js
// runtime, verifies the access token the client copied into the sesame_access
// cookie (lib/auth.ts says why a cookie), and checks the admin role for /admin.
import { NextResponse, type NextRequest } from 'next/server';
import { ACCESS_COOKIE } from '@/lib/config';
import { checkAccessToken } from '@/lib/guard';

export const config = { matcher: ['/account/:path*', '/admin/:path*'] };

export async function proxy(request: NextRequest) {
  const { pathname } = request.nextUrl;
  const verdict = await checkAccessToken(request.cookies.get(ACCESS_COOKIE)?.value,
    pathname.startsWith('/admin') ? 'admin' : undefined);
  if (!verdict.ok && verdict.status === 403) {
    return new NextResponse(`Forbidden: ${verdict.code}`, { status: 403, headers: { 'x-sesame-guard': verdict.code } });
  }
  if (!verdict.ok) {
    // No valid token (missing, tampered, expired...): the sign-in page, which
    // restores the session from the refresh cookie when it can and comes back.
    const signIn = new URL('/signin', request.url);
    signIn.searchParams.set('next', pathname);
    signIn.searchParams.set('reason', verdict.code);
    return NextResponse.redirect(signIn, { headers: { 'x-sesame-guard': verdict.code } });
  }
  // The page sees who passed, from the verified claims only.
  const headers = new Headers(request.headers);
  headers.set('x-sesame-user-id', verdict.claims.sub);
  headers.set('x-sesame-roles', verdict.claims.roles.join(','));
  return NextResponse.next({ request: { headers } });
}
