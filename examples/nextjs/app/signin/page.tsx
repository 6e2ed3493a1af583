import { Suspense } from 'react';
import { SignInForm } from './sign-in-form';

export default function SignInPage() {
  // useSearchParams (the ?next= of the guard's redirect) needs a Suspense boundary.
  return (
    <Suspense>
      <SignInForm />
    </Suspense>
  );
}
