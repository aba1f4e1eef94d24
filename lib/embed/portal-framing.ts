// Which sites may frame a customer-portal page: the vendor's configured origins (Embed page), so the vendor
// can show the portal inside its own product; every other page keeps `frame-ancestors 'none'`. The vendor
// is read from what the request carries: the portal link (?token=) or the portal session cookie. Their
// signatures are checked, their expiry is not (an expired session's page says so inside the vendor's frame,
// rather than the browser refusing the frame).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type postgres from 'postgres';
import { allowFramingBy } from '../api/request-guard';
import { PORTAL_COOKIE, readCookie } from '../portal/portal-session';
import { portalSecret, verifyPortalToken } from '../portal/portal-tokens';
import { allowedOrigins } from './embed-settings';

const PORTAL_PAGES = '/portal/';

export function portalVendorOf(req: IncomingMessage, secret: string): string | null {
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  if (q >= 0) {
    const token = new URLSearchParams(raw.slice(q + 1)).get('token');
    // nowMs 0: signature only, any expiry.
    const link = token ? verifyPortalToken(secret, 'link', token, 0) : null;
    if (link?.ok) return link.payload.v;
  }
  const session = verifyPortalToken(secret, 'session', readCookie(req.headers.cookie, PORTAL_COOKIE), 0);
  return session.ok ? session.payload.v : null;
}

/** For /portal/… pages: lets the vendor's origins frame the answer. Never throws (the page answers as usual). */
export async function applyPortalFraming(sql: postgres.Sql, req: IncomingMessage, res: ServerResponse, dev = false): Promise<void> {
  const url = req.url ?? '/';
  if (!url.startsWith(PORTAL_PAGES)) return;
  try {
    const vendorId = portalVendorOf(req, portalSecret());
    if (!vendorId) return;
    allowFramingBy(res, await allowedOrigins(sql, vendorId), dev);
  } catch (err) {
    console.warn('[patchbay] portal framing: keeping frame-ancestors none:', (err as Error).message);
  }
}

export function isPortalPage(url: string | undefined): boolean {
  return !!url && url.startsWith(PORTAL_PAGES);
}
