'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { useRouter } from 'next/navigation';
import type { TotpEnrolment } from 'sesame-auth';
import { auth, writeAccessCookie } from '@/lib/auth';

type Me = { email: string; roles: string[]; mfa_enabled: boolean; backup_codes_remaining?: number };

export default function AccountPage() {
  const router = useRouter();
  const [me, setMe] = useState<Me | null>(null);
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [backupCodes, setBackupCodes] = useState<string[]>([]);
  const [error, setError] = useState('');

  useEffect(() => {
    let live = true;
    // After a full page load the access token is only in the guard's cookie; the
    // client gets its own from the refresh cookie.
    auth.initialize()
      .then((session) => (session ? auth.me() : null))
      .then((user) => {
        if (!live) return;
        if (user) setMe(user as Me);
        else {
          writeAccessCookie(null);  // a token left from a session that is gone
          router.replace('/signin?next=/account');
        }
      }, (failure) => { if (live) setError(String(failure?.code ?? failure)); });
    return () => { live = false; };
  }, [router]);

  async function startEnrolment() {
    setError('');
    try {
      setEnrolment(await auth.setupTotp());
    } catch (failure) {
      setError(String((failure as { code?: string }).code ?? failure));
    }
  }

  async function confirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError('');
    try {
      const code = String(new FormData(event.currentTarget).get('code')).trim();
      setBackupCodes(await auth.confirmTotp({ code }));
      setEnrolment(null);
      setMe((await auth.me()) as Me);
    } catch (failure) {
      setError(String((failure as { code?: string }).code ?? failure));
    }
  }

  async function signOut() {
    await auth.signOut();
    router.replace('/signin');
  }

  if (!me) return <main><p>Loading your account…</p>{error && <p role="alert">{error}</p>}</main>;
  return (
    <main>
      <h1>Your account</h1>
      <dl>
        <dt>Email</dt><dd data-testid="email">{me.email}</dd>
        <dt>Roles</dt><dd data-testid="roles">{me.roles.join(', ')}</dd>
        <dt>Two-step verification</dt><dd data-testid="mfa">{me.mfa_enabled ? 'on' : 'off'}</dd>
      </dl>
      {!me.mfa_enabled && !enrolment && <button onClick={startEnrolment}>Set up an authenticator app</button>}
      {enrolment && (
        <section>
          <h2>Scan this code</h2>
          {/* The SVG is drawn by the SDK's core from the server's otpauth URI: no QR service sees the secret. */}
          <div style={{ width: 200 }} dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }} />
          <p>Or type in: <code data-testid="totp-secret">{enrolment.formattedSecret}</code></p>
          <form onSubmit={confirm}>
            <label>First code <input name="code" autoComplete="one-time-code" required /></label>
            <button type="submit">Turn on</button>
          </form>
        </section>
      )}
      {backupCodes.length > 0 && (
        <section>
          <h2>Backup codes (shown once)</h2>
          <ul data-testid="backup-codes">{backupCodes.map((code) => <li key={code}>{code}</li>)}</ul>
        </section>
      )}
      <p><button onClick={signOut}>Sign out</button></p>
      {error && <p role="alert">{error}</p>}
    </main>
  );
}
