// The customer portal: reached only through a signed link (the custom server turns it into the session
// cookie); every page under here shows that one customer's data, or says the session has ended.
import { cookies } from 'next/headers';
import Link from 'next/link';
import { PortalProviders } from '@/components/portal/portal-providers';
import styles from '@/components/portal/portal.module.css';
import { SignOutButton } from '@/components/portal/sign-out-button';
import { getSql } from '@/lib/db/client';
import { tryDecodeURIComponent } from '@/lib/api/input-guard';
import { PORTAL_COOKIE, readLivePortalSession } from '@/lib/portal/portal-session';
import { portalSecret } from '@/lib/portal/portal-tokens';
import { resolveCustomer } from '@/lib/tenancy/customers';

export const dynamic = 'force-dynamic';
export const metadata = { title: 'Connections – Patchbay' };

export default async function PortalLayout({ children, params }: { children: React.ReactNode; params: Promise<{ customerId: string }> }) {
  const { customerId } = await params;
  const externalId = tryDecodeURIComponent(customerId) ?? '';
  const jar = await cookies();
  const token = jar.get(PORTAL_COOKIE)?.value;
  const session = token ? await readLivePortalSession(getSql(), portalSecret(), `${PORTAL_COOKIE}=${encodeURIComponent(token)}`) : null;
  const customer = session && session.externalId === externalId ? await resolveCustomer(getSql(), session.vendorId, externalId) : null;
  if (!session || !customer || customer.id !== session.customerId) {
    return (
      <main className={styles.gone} data-testid="portal-no-session">
        <h1>Your portal session has ended</h1>
        <p>For your security, portal links and sessions last a short time only. Go back to your provider’s app and open the integrations page again.</p>
      </main>
    );
  }
  return (
    <div className={styles.shell}>
      <header className={styles.topbar}>
        <nav className={styles.portalNav} aria-label="Portal">
          <Link href={`/portal/${encodeURIComponent(externalId)}/integrations`} data-testid="portal-nav-integrations">Integrations</Link>
          <Link href={`/portal/${encodeURIComponent(externalId)}/connections`} data-testid="portal-nav-connections">Connections</Link>
        </nav>
        <span className={styles.account}>
          <span className={styles.customer} data-testid="portal-customer">{customer.name}</span>
          <SignOutButton customerId={externalId} />
        </span>
      </header>
      <PortalProviders>{children}</PortalProviders>
    </div>
  );
}
