import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/login/login-form';
import { currentStaff } from '@/lib/auth/require-staff-page';

export const metadata: Metadata = { title: 'Sign in · Patchbay' };

/** Only a path on this site: an absolute or protocol-relative URL would make sign-in an open redirect. */
function safeCallback(v: string | string[] | undefined): string {
  const s = Array.isArray(v) ? v[0] : v;
  return s && s.startsWith('/') && !s.startsWith('//') && !s.startsWith('/\\') ? s : '/flows';
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const callbackUrl = safeCallback(sp.callbackUrl);
  if (await currentStaff()) redirect(callbackUrl);
  // next-auth sends its own failures here as ?error=…
  const error = sp.error ? (sp.error === 'CredentialsSignin' ? 'Wrong email or password.' : 'Sign-in failed: try again.') : null;
  return <LoginForm callbackUrl={callbackUrl} initialError={error} />;
}
