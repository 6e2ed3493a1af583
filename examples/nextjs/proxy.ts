// The route guard. Next 16 calls it proxy.ts (Node.js runtime only); before 16
// it was middleware.ts with `export function middleware`, and variants/middleware.ts
// is this guard as such, on the Edge runtime. It verifies the access token that
// the client copies into the sesame_access cookie (lib/auth.ts says why a
// cookie) and checks the admin role for /admin (lib/guard.ts).
import type { NextRequest } from 'next/server';
import { guardPage } from '@/lib/guard';

export const config = { matcher: ['/account/:path*', '/admin/:path*'] };

export function proxy(request: NextRequest) {
  return guardPage(request);
}
