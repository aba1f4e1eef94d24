// The customer portal: reached only through a signed link (the custom server turns it into the session
// cookie); every page under here shows that one customer's data, or says the session has ended.
import { cookies } from 'next/headers';
import Link from 'next/link';
import { PortalProviders } from '@/components/portal/portal-providers';
import styles from '@/components/portal/portal.module.css';
import { SignOutButton } from '@/components/portal/sign-out-button';
import { getSql } from '@/lib/db/client';
import { getEmbedSettings } from '@/lib/embed/embed-settings';
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
  // The vendor's branding (Embed page of the staff app): name, logo, button and top-bar colours.
  const brand = await getEmbedSettings(getSql(), session.vendorId);
  const vars = {
    ...(brand.primaryColor ? { '--accent': brand.primaryColor } : {}),
    ...(brand.accentColor ? { '--portal-bar': brand.accentColor, '--portal-bar-fg': readableOn(brand.accentColor) } : {}),
  } as React.CSSProperties;
  return (
    <div className={styles.shell} style={vars} data-testid="portal-shell" data-embedded={session.embedded ? 'true' : 'false'}>
      <header className={brand.accentColor ? `${styles.topbar} ${styles.branded}` : styles.topbar}>
        <span className={styles.brand} data-testid="portal-brand">
          {brand.logo && <img src={brand.logo} alt="" className={styles.logo} data-testid="portal-logo" />}
          {brand.brandName ? `${brand.brandName} · Integrations` : 'Integrations'}
        </span>
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

/** Black or white text, whichever reads better on `hex` (#rrggbb). */
function readableOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? '#1b1d23' : '#ffffff';
}
