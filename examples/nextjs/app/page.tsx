// A server component that imports the SDK at module top and runs the core
// during the server render: the password rules the Sesame server applies.
import { checkPassword } from 'sesame-auth';

export const dynamic = 'force-dynamic';

export default async function Home() {
  const verdict = await checkPassword('password1');
  return (
    <main>
      <h1>Sesame × Next.js</h1>
      <p>
        Sign in, enrol an authenticator app on your account page, and open the admin page if you
        have the <code>admin</code> role. The pages under <code>/account</code> and <code>/admin</code> are
        guarded by <code>proxy.ts</code>, which verifies the access token against the server&apos;s JWKS.
      </p>
      <p data-testid="server-verdict">
        Rendered on the server by the same core: &quot;password1&quot; is{' '}
        {verdict.acceptable ? 'acceptable' : `refused (${verdict.violations.map((v) => v.code).join(', ')})`}.
      </p>
    </main>
  );
}
