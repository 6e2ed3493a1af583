// The route guard's rule, shared by proxy.ts (Node runtime) and the Edge route
// handler: verify the access token with the Sesame server's JWKS (the SDK
// caches the key set), then check the role the path needs.
import { verifyAccessToken, type AccessTokenClaims } from 'sesame-auth/verify';
import { guardSettings } from './config';

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
