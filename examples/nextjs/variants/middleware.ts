// The guard of proxy.ts as a middleware.ts on the Edge runtime (what Next 15 and
// earlier use, and what Next 16 still runs, deprecated, on Edge). Put it at the
// app's root as middleware.ts in place of proxy.ts; nothing else changes: on
// Edge, `sesame-auth/verify` resolves to its Edge entry (the "edge-light" export
// condition), which hands the bundler's compiled .wasm to the SDK.
// test/middleware.test.mjs builds the app so, with both bundlers.
import type { NextRequest } from 'next/server';
import { guardPage } from '@/lib/guard';

export const config = { matcher: ['/account/:path*', '/admin/:path*'] };

export function middleware(request: NextRequest) {
  return guardPage(request);
}
