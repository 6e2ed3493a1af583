// An API route on the Edge runtime: the same check as the guard, with the
// token from the Authorization header (what auth.fetch sends).
import { checkAccessToken } from '@/lib/guard';

export const runtime = 'edge';

export async function GET(request: Request) {
  const token = request.headers.get('authorization')?.replace(/^Bearer /, '');
  const verdict = await checkAccessToken(token);
  if (!verdict.ok) return Response.json({ code: verdict.code }, { status: verdict.status });
  return Response.json({ sub: verdict.claims.sub, roles: verdict.claims.roles, runtime: 'edge' });
}
