'use client';
// Staff sign-in: email and password, checked by next-auth's credentials provider.
import { signIn } from 'next-auth/react';
import { useState } from 'react';
import styles from './login-form.module.css';

export function LoginForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string | null }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(initialError ?? null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await signIn('credentials', { email, password, redirect: false });
      if (!res || res.error) {
        setError(!res || res.error === 'CredentialsSignin' ? 'Wrong email or password.' : res.error);
        setBusy(false);
        return;
      }
      // A full load, so the server renders the staff app with the new session cookie.
      window.location.assign(callbackUrl);
    } catch (err) {
      setError(`Could not reach Patchbay: ${(err as Error).message}`);
      setBusy(false);
    }
  }

  return (
    <main className={styles.wrap}>
      <form className={`card ${styles.card}`} onSubmit={submit} data-testid="login-form">
        <div className={styles.brand}><span className={styles.logo} aria-hidden>⌁</span> Patchbay</div>
        <h1>Sign in</h1>
        <p className="muted">Vendor staff: build and publish the automations your customers enable.</p>
        <label className="field">
          <span>Email</span>
          <input className="input" type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus data-testid="login-email" />
        </label>
        <label className="field">
          <span>Password</span>
          <input className="input" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required data-testid="login-password" />
        </label>
        {error && <p className="notice notice-err" role="alert" data-testid="login-error">{error}</p>}
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="login-submit">{busy ? 'Signing in…' : 'Sign in'}</button>
        <p className={styles.hint}>Running the demo? <code>npm start</code> prints the demo sign-in on startup.</p>
      </form>
    </main>
  );
}
