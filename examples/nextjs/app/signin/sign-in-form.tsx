'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { useRouter, useSearchParams } from 'next/navigation';
import { auth, writeAccessCookie } from '@/lib/auth';

type Step = 'loading' | 'password' | 'mfa';

const errorText = (error: unknown) => {
  const { code, message } = error as { code?: string; message?: string };
  return code ? `${code}: ${message ?? ''}` : String(error);
};

// Only paths of this app: an open redirect through ?next= would hand the user to another site.
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/account');

export function SignInForm() {
  const router = useRouter();
  const params = useSearchParams();
  const next = safeNext(params.get('next'));
  const [step, setStep] = useState<Step>('loading');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  // A reload or a guard redirect: the refresh cookie may still hold a session.
  useEffect(() => {
    let live = true;
    auth.initialize().then((session) => {
      if (!live) return;
      if (session) {
        writeAccessCookie();
        router.replace(next);
      } else {
        writeAccessCookie(null);  // a token left from a session that is gone
        setStep('password');
      }
    }, (failure) => { if (live) { setError(errorText(failure)); setStep('password'); } });
    return () => { live = false; };
  }, [next, router]);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const intent = (event.nativeEvent as SubmitEvent).submitter?.getAttribute('value');
    setBusy(true);
    setError('');
    try {
      if (step === 'mfa') {
        const code = String(form.get('code') ?? '').trim();
        // Backup codes look like abcde-fghjk; authenticator codes are digits.
        await auth.verifyMfa(/^\d+$/.test(code) ? { code } : { backupCode: code });
        writeAccessCookie();
        router.replace(next);
        return;
      }
      const email = String(form.get('email'));
      const password = String(form.get('password'));
      if (intent === 'register') await auth.register({ email, password });
      const result = await auth.signIn({ email, password });
      if (result.mfaRequired) setStep('mfa');
      else {
        writeAccessCookie();
        router.replace(next);
      }
    } catch (failure) {
      setError(errorText(failure));
      if (auth.state === 'signed_out' && step === 'mfa') setStep('password');  // the challenge is spent
    } finally {
      setBusy(false);
    }
  }

  if (step === 'loading') return <p>Checking your session…</p>;
  return (
    <main>
      <h1>{step === 'mfa' ? 'Two-step verification' : 'Sign in'}</h1>
      {params.get('reason') && <p data-testid="guard-reason">The guard said: {params.get('reason')}</p>}
      <form onSubmit={submit} style={{ display: 'grid', gap: '0.5rem', maxWidth: 320 }}>
        {step === 'password' ? (
          <>
            <label>Email <input name="email" type="email" autoComplete="username" required /></label>
            <label>Password <input name="password" type="password" autoComplete="current-password" required /></label>
            <button type="submit" value="signin" disabled={busy}>Sign in</button>
            <button type="submit" value="register" disabled={busy}>Create account</button>
          </>
        ) : (
          <>
            <label>Code from your authenticator app, or a backup code{' '}
              <input name="code" autoComplete="one-time-code" required autoFocus />
            </label>
            <button type="submit" disabled={busy}>Verify</button>
          </>
        )}
      </form>
      {error && <p role="alert">{error}</p>}
    </main>
  );
}
