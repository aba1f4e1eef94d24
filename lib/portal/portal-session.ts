// The customer portal's session: a vendor's backend asks for a signed link (POST
// /api/v1/customers/{id}/portal-links); opening it swaps the link token for an httpOnly cookie that
// names that one customer. Everything under /api/portal checks the cookie against the customer in the URL.
import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import { tryDecodeURIComponent } from '../api/input-guard';
import { isSessionRevoked, portalSessionId, revokeSession } from '../auth/session-revocations';
import { signPortalToken, verifyPortalToken, type VerifyResult } from './portal-tokens';

export const PORTAL_COOKIE = 'pb_portal';
export const OAUTH_NONCE_COOKIE = 'pb_portal_oauth';
export const LINK_TTL_DEFAULT_SEC = 10 * 60;
export const LINK_TTL_MAX_SEC = 24 * 60 * 60;
export const SESSION_TTL_SEC = 8 * 60 * 60;

export interface PortalCustomer { id: string; vendorId: string; externalId: string }
export interface PortalSession {
  customerId: string; vendorId: string; externalId: string; expiresAt: Date;
  /** Opened from an embed link: the portal runs in an iframe of the vendor's product (third-party cookies). */
  embedded: boolean;
}

export function portalPath(externalId: string): string {
  return `/portal/${encodeURIComponent(externalId)}`;
}

/**
 * A link opens once: `n` is its nonce, recorded in portal_link_uses when it is opened. An embed link (`m:
 * 'embed'`) is for an iframe in the vendor's product: its session cookie is made for a third-party context.
 */
export function createPortalLink(secret: string, customer: PortalCustomer, ttlSec = LINK_TTL_DEFAULT_SEC, nowMs = Date.now(), o: { embed?: boolean } = {}): { url: string; expiresAt: string } {
  const e = Math.floor(nowMs / 1000) + ttlSec;
  const token = signPortalToken(secret, 'link', { c: customer.id, v: customer.vendorId, e, n: randomBytes(16).toString('base64url'), ...(o.embed ? { m: 'embed' } : {}) });
  return { url: `${portalPath(customer.externalId)}?token=${token}`, expiresAt: new Date(e * 1000).toISOString() };
}

export function verifyPortalLink(secret: string, token: string | null, nowMs = Date.now()): VerifyResult {
  return verifyPortalToken(secret, 'link', token, nowMs);
}

export function createSessionToken(secret: string, customer: PortalCustomer, nowMs = Date.now(), o: { embed?: boolean } = {}): string {
  // `n` makes every session its own token, so signing one out never signs out another opened the same second.
  return signPortalToken(secret, 'session', {
    c: customer.id, v: customer.vendorId, x: customer.externalId, e: Math.floor(nowMs / 1000) + SESSION_TTL_SEC, n: randomBytes(12).toString('base64url'),
    ...(o.embed ? { m: 'embed' } : {}),
  });
}

export function readPortalSession(secret: string, cookieHeader: string | null | undefined, nowMs = Date.now()): PortalSession | null {
  const r = verifyPortalToken(secret, 'session', readCookie(cookieHeader, PORTAL_COOKIE), nowMs);
  if (!r.ok) return null;
  return { customerId: r.payload.c, vendorId: r.payload.v, externalId: String(r.payload.x ?? ''), expiresAt: new Date(r.payload.e * 1000), embedded: r.payload.m === 'embed' };
}

/** readPortalSession, and not signed out (server-side revocation, checked on every request). */
export async function readLivePortalSession(sql: postgres.Sql, secret: string, cookieHeader: string | null | undefined, nowMs = Date.now()): Promise<PortalSession | null> {
  const session = readPortalSession(secret, cookieHeader, nowMs);
  if (!session) return null;
  return (await isSessionRevoked(sql, portalSessionId(readCookie(cookieHeader, PORTAL_COOKIE)!))) ? null : session;
}

/** Signs the session in `cookieHeader` out everywhere at once (the cookie stops working even if copied). */
export async function revokePortalSession(sql: postgres.Sql, secret: string, cookieHeader: string | null | undefined): Promise<boolean> {
  const session = readPortalSession(secret, cookieHeader);
  if (!session) return false;
  await revokeSession(sql, portalSessionId(readCookie(cookieHeader, PORTAL_COOKIE)!), session.expiresAt);
  return true;
}

export function readCookie(header: string | null | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    // A value with a bad percent-escape is no cookie of ours: treated as absent, never a 500.
    if (eq > 0 && part.slice(0, eq).trim() === name) return tryDecodeURIComponent(part.slice(eq + 1).trim());
  }
  return null;
}

/**
 * Secure cookies when Patchbay is served over https (its public URL says so). An embedded portal's cookies
 * live in a third-party context (an iframe on the vendor's site): `SameSite=None` so the browser sends them
 * there at all (which needs `Secure`: https, or localhost), `Partitioned` (CHIPS) so browsers that block
 * third-party cookies keep them, in a jar of their own for the vendor's site. CSRF is then the Origin /
 * Sec-Fetch-Site check on every write (refuseCrossSite in lib/api/auth.ts).
 */
export function cookie(name: string, value: string, maxAgeSec: number, secure: boolean, embedded = false): string {
  if (embedded) return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=None; Secure; Partitioned; Max-Age=${maxAgeSec}`;
  return `${name}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSec}${secure ? '; Secure' : ''}`;
}
