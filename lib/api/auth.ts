// The edge's auth wrappers, one per route auth kind (route.ts): the vendor's API key, the customer portal's
// session cookie, the staff session (with its role), the agent widget's token (and the origins it may be used
// from), and the same-site check for cookie-authenticated writes. (The staff session is read in
// lib/auth/staff-session.ts.)
import type { IncomingMessage } from 'node:http';
import type postgres from 'postgres';
import { Forbidden, NotFound, Unauthorized } from '../errors';
import { readStaffSession } from '../auth/staff-session';
import type { StaffPrincipal } from '../auth/staff-users';
import { hasRole, VIEWER_REASON } from '../auth/roles';
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

/** A key confined to one customer may only call routes that accept such keys (running that customer's automations, reading its runs). */
export function refuseCustomerKey(): never {
  throw new Forbidden('This API key is confined to one customer: it can run that customer\'s automations and read their runs, nothing else', 'customer_key_not_allowed');
}

/** The signed-in staff member, if their role is at least `role`; 401 without a session, 403 below the role. */
export async function staffCaller(sql: postgres.Sql, req: IncomingMessage, role: 'viewer' | 'editor' | 'owner'): Promise<StaffPrincipal> {
  const staff = await readStaffSession(sql, req.headers.cookie);
  if (!staff) throw new Unauthorized('Sign in first: this API needs a staff session.', 'unauthenticated');
  // Writes authenticated by a cookie must come from Patchbay's own pages.
  if (role !== 'viewer') refuseCrossSite(req, 'Writes are only accepted from Patchbay’s own pages.');
  if (!hasRole(staff.role, role)) {
    throw new Forbidden(role === 'owner' ? `Your role is ${staff.role}: only an owner of your workspace can do this.` : VIEWER_REASON);
  }
  return staff;
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
  if (host === req.headers.host) return;
  // Patchbay's public address (behind a proxy that rewrites Host) is its own site too.
  let publicHost: string | null = null;
  try { publicHost = process.env.NEXTAUTH_URL ? new URL(process.env.NEXTAUTH_URL).host : null; } catch { /* none */ }
  if (host === null || host !== publicHost) throw new Forbidden(message, 'cross_site');
}
