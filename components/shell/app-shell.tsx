'use client';
// The staff app's frame: top bar with the product name, Flows / Templates / Customers / Runs / Syncs / Calls / API keys / Audit / Embed navigation and the user menu.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { useEffect, useRef, useState } from 'react';
import { useStaff } from '../staff/staff-context';
import styles from './app-shell.module.css';

const NAV = [
  { href: '/flows', label: 'Flows', testId: 'nav-flows' },
  { href: '/templates', label: 'Templates', testId: 'nav-templates' },
  { href: '/customers', label: 'Customers', testId: 'nav-customers' },
  { href: '/runs', label: 'Runs', testId: 'nav-runs' },
  { href: '/syncs', label: 'Syncs', testId: 'nav-syncs' },
  { href: '/calls', label: 'Calls', testId: 'nav-calls' },
  { href: '/api-keys', label: 'API keys', testId: 'nav-api-keys' },
  { href: '/audit', label: 'Audit', testId: 'nav-audit' },
  { href: '/embed', label: 'Embed', testId: 'nav-embed' },
];

export function AppShell({ children }: { children: React.ReactNode }) {
  const pathname = usePathname();
  return (
    <div className={styles.shell}>
      <header className={styles.topbar} data-testid="app-topbar">
        <Link href="/flows" className={styles.brand} data-testid="brand">
          <span className={styles.logo} aria-hidden>⌁</span> Patchbay
        </Link>
        <nav className={styles.nav} aria-label="Main">
          {NAV.map((n) => {
            const active = pathname === n.href || pathname.startsWith(`${n.href}/`);
            return (
              <Link key={n.href} href={n.href} className={active ? `${styles.navLink} ${styles.active}` : styles.navLink} aria-current={active ? 'page' : undefined} data-testid={n.testId}>
                {n.label}
              </Link>
            );
          })}
        </nav>
        <UserMenu />
      </header>
      <main className={styles.main} data-testid="app-main">{children}</main>
    </div>
  );
}

function UserMenu() {
  const me = useStaff();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => { if (!box.current?.contains(e.target as Node)) setOpen(false); };
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') setOpen(false); };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => { document.removeEventListener('mousedown', onDown); document.removeEventListener('keydown', onKey); };
  }, [open]);
  return (
    <div className={styles.user} ref={box}>
      <span className={styles.vendor} data-testid="vendor-name">{me.vendor.name}</span>
      <button type="button" className="btn btn-ghost" aria-haspopup="menu" aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="user-menu">
        <span className={styles.avatar} aria-hidden>{(me.name || me.email).slice(0, 1).toUpperCase()}</span>
        {me.name || me.email} <span aria-hidden>▾</span>
      </button>
      {open && (
        <div className={styles.menu} role="menu">
          <div className={styles.menuHead}>
            <div>{me.email}</div>
            <div className="muted">Role: <strong data-testid="user-role">{me.role}</strong></div>
          </div>
          <button type="button" role="menuitem" className={styles.menuItem} autoFocus onClick={() => void signOut({ redirect: false }).then(() => window.location.assign('/login'))} data-testid="sign-out">
            Sign out
          </button>
        </div>
      )}
    </div>
  );
}
