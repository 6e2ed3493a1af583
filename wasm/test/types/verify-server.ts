// 'sesame-auth/verify' in a server without DOM types (see tsconfig.server.json):
// an authorisation step of a plain Node HTTP server, with its own JWKS fetch.
import { importJwks, verifyAccessToken } from 'sesame-auth/verify';
import type { AccessTokenClaims, JwksFetch, SesameError, SesameErrorCode, VerifyOptions } from 'sesame-auth/verify';

interface IncomingRequest {
  headers: Record<string, string | undefined>;
}

// A fetch that answers from memory, typed by the package alone.
const localJwks: JwksFetch = async (url, init) => ({
  ok: url.endsWith('/jwks.json') && init.headers['Accept'] === 'application/json',
  status: 200,
  text: async () => '{"keys":[]}',
});

const options: VerifyOptions = {
  issuer: 'https://auth.example.com',
  audience: 'orders-api',
  jwksUrl: 'https://auth.example.com/.well-known/jwks.json',
  fetch: localJwks,
  leewaySeconds: 30,
};

export async function authorise(request: IncomingRequest): Promise<{ status: number; claims?: AccessTokenClaims; code?: SesameErrorCode }> {
  const token = request.headers['authorization']?.replace(/^Bearer /, '');
  if (!token) return { status: 401 };
  try {
    const { claims } = await verifyAccessToken(token, options);
    return { status: claims.roles.includes('orders:read') ? 200 : 403, claims };
  } catch (error) {
    return { status: 401, code: (error as SesameError).code };
  }
}

export async function withStaticKeys(token: string, jwksText: string): Promise<string> {
  const keys = await importJwks(JSON.parse(jwksText));
  const first: Uint8Array | undefined = keys.values().next().value;
  const { claims } = await verifyAccessToken(token, { issuer: 'i', audience: 'a', keys, nowSeconds: 1_700_000_000 });
  return `${claims.sub} ${first?.length ?? 0}`;
}
