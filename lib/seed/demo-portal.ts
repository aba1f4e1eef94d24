// The demo tenant's way into the customer portal: a signed link for customer "demo", printed at start-up,
// so a newcomer can open Connections and connect a CRM emulator (README, "Connecting a CRM").
// Nothing here starts emulators: they run as their own processes (npm run emulator -- hubspot …).
import { createPortalLink, LINK_TTL_MAX_SEC } from '../portal/portal-session';
import { portalSecret } from '../portal/portal-tokens';

export function demoPortalPath(customer: { id: string; vendorId: string; externalId: string }): string {
  return createPortalLink(portalSecret(), customer, LINK_TTL_MAX_SEC).url;
}
