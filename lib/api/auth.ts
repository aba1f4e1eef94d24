// The edge's auth wrappers, one per route auth kind (route.ts): the vendor's API key, the customer portal's
// session cookie, and the same-site check for cookie-authenticated writes. Staff sessions are checked in
// lib/auth/with-staff.ts (Next.js route handlers) with the same errors.
import type { IncomingMessage } from 'node:http';
import type postgres from 'postgres';
import { Forbidden, NotFound, Unauthorized } from '../errors';
import { readLivePortalSession } from '../portal/portal-session';
import { portalSecret } from '../portal/portal-tokens';
import { authenticateKey, type KeyPrincipal } from '../tenancy/api-keys';
import { resolveCustomer, type CustomerRef } from '../tenancy/customers';

/** For messages: an id as text people can read (control characters shown as ?). */
export const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, '?').slice(0, 200);

export async function apiKeyPrincipal(sql: postgres.Sql, authorization: string | undefined): Promise<KeyPrincipal> {
  const key = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : null;
  if (!key) throw new Unauthorized('Send the API key as "Authorization: Bearer <key>"');
  const principal = await authenticateKey(sql, key);
  if (!principal) throw new Unauthorized('The API key is not valid (revoked or mistyped)');
  return principal;
}

/** The key's customer by the vendor's own id. Another vendor's customer and one outside a scoped key look exactly like a missing one. */
export async function keyCustomer(sql: postgres.Sql, principal: KeyPrincipal, externalId: string): Promise<CustomerRef> {
  const c = await resolveCustomer(sql, principal.vendorId, externalId);
  if (!c || (principal.customerId && principal.customerId !== c.id)) throw new NotFound('customer_not_found', `No customer "${printable(externalId)}"`);
  return c;
}

/** The customer named in the URL, if the portal session is that customer's; 401 without a session, 404 for any other customer. */
export async function portalCustomer(sql: postgres.Sql, cookieHeader: string | undefined, externalId: string): Promise<CustomerRef> {
  const session = await readLivePortalSession(sql, portalSecret(), cookieHeader);
  if (!session) throw new Unauthorized('Your portal session is missing or has expired: open the integrations page from your provider again', 'unauthenticated');
  const customer = session.externalId === externalId ? await resolveCustomer(sql, session.vendorId, externalId) : null;
  if (!customer || customer.id !== session.customerId) throw new NotFound('customer_not_found', `No customer "${printable(externalId)}"`);
  return customer;
}

/** Writes authenticated by a cookie must come from Patchbay's own pages: a cookie must not act for a foreign site. */
export function refuseCrossSite(req: IncomingMessage, message = 'Changes are only accepted from the portal’s own pages'): void {
  const origin = req.headers.origin;
  if (!origin) return;
  let host: string | null = null;
  try { host = new URL(origin).host; } catch { /* refused below */ }
  if (host !== req.headers.host) throw new Forbidden(message, 'cross_site');
}
