// The edge's auth wrappers, one per route auth kind (route.ts): the vendor's API key, the customer portal's
// session cookie, the agent widget's token (and the origins it may be used from), and the same-site check for
// cookie-authenticated writes. Staff sessions are checked in
// lib/auth/with-staff.ts (Next.js route handlers) with the same errors.
import type { IncomingMessage } from 'node:http';
import type postgres from 'postgres';
import { Forbidden, NotFound, Unauthorized } from '../errors';
import { readLivePortalSession } from '../portal/portal-session';
import { portalSecret } from '../portal/portal-tokens';
import { authenticateKey, type KeyPrincipal } from '../tenancy/api-keys';
import { allowedOrigins } from '../embed/embed-settings';
import { verifyWidgetToken } from '../widget/widget-tokens';
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

/**
 * The customer named in the URL, if the widget token (Authorization: Bearer pbw_…) is that customer's:
 * 401 for a missing, altered or expired token, 404 for any other customer (the token names one).
 */
export async function widgetCustomer(sql: postgres.Sql, authorization: string | undefined, externalId: string): Promise<CustomerRef> {
  const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : null;
  const v = verifyWidgetToken(portalSecret(), token);
  if (!v.ok) {
    if (v.reason === 'missing') throw new Unauthorized('Send the widget token as "Authorization: Bearer pbw_…"');
    if (v.reason === 'expired') throw new Unauthorized('The widget token has expired: ask your backend for a new one', 'token_expired');
    throw new Unauthorized('The widget token is not valid');
  }
  const customer = v.claims.externalId === externalId ? await resolveCustomer(sql, v.claims.vendorId, externalId) : null;
  if (!customer || customer.id !== v.claims.customerId) throw new NotFound('customer_not_found', `No customer "${printable(externalId)}"`);
  return customer;
}

/**
 * A widget request made by a browser (it carries Origin) must come from one of the vendor's configured
 * origins; a server-side call (no Origin) is judged by the token alone.
 */
export async function refuseForeignOrigin(sql: postgres.Sql, req: IncomingMessage, vendorId: string): Promise<void> {
  const origin = req.headers.origin;
  if (!origin) return;
  if (sameHost(origin, req.headers.host)) return; // Patchbay's own pages (the staff app's preview)
  const allowed = await allowedOrigins(sql, vendorId);
  if (!allowed.includes(origin)) {
    throw new Forbidden(`This page (${printable(origin)}) is not one of the vendor's allowed origins: add it on the Embed page of Patchbay's staff app`, 'origin_not_allowed');
  }
}

function sameHost(origin: string, host: string | undefined): boolean {
  try { return new URL(origin).host === host; } catch { return false; }
}

/** Writes authenticated by a cookie must come from Patchbay's own pages: a cookie must not act for a foreign site. */
export function refuseCrossSite(req: IncomingMessage, message = 'Changes are only accepted from the portal’s own pages'): void {
  // Embedded portal sessions (SameSite=None cookies) are sent on cross-site requests: a browser that says the
  // request comes from another site is refused even when it sent no Origin.
  if (req.headers['sec-fetch-site'] === 'cross-site') throw new Forbidden(message, 'cross_site');
  const origin = req.headers.origin;
  if (!origin) return;
  let host: string | null = null;
  try { host = new URL(origin).host; } catch { /* refused below */ }
  if (host !== req.headers.host) throw new Forbidden(message, 'cross_site');
}
