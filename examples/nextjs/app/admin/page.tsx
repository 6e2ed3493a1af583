// Reached only through proxy.ts, which let the request through for a verified
// access token with the admin role and passed the claims on as request headers.
import { headers } from 'next/headers';

export default async function AdminPage() {
  const incoming = await headers();
  return (
    <main>
      <h1>Admin</h1>
      <p data-testid="admin-user">Signed in as {incoming.get('x-sesame-user-id')}</p>
      <p>Roles: <span data-testid="admin-roles">{incoming.get('x-sesame-roles')}</span></p>
    </main>
  );
}
