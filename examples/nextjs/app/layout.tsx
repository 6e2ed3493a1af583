import type { ReactNode } from 'react';
import Link from 'next/link';

export const metadata = { title: 'Sesame × Next.js' };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: 'system-ui, sans-serif', maxWidth: 640, margin: '2rem auto', padding: '0 1rem' }}>
        <nav style={{ display: 'flex', gap: '1rem', marginBottom: '1.5rem' }}>
          <Link href="/">Home</Link>
          <Link href="/signin">Sign in</Link>
          {/* No prefetch of guarded pages: a prefetch made while signed out caches the
              guard's redirect, and the navigation after sign-in would follow it. */}
          <Link href="/account" prefetch={false}>Account</Link>
          <Link href="/admin" prefetch={false}>Admin</Link>
        </nav>
        {children}
      </body>
    </html>
  );
}
