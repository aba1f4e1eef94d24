// The agent widget's credential: a short-lived bearer token naming one customer of one vendor, minted by the
// vendor's backend with its API key (POST /api/v1/customers/{id}/widget-tokens) and handed to the agent
// desktop. HMAC-signed like portal links but with its own derived key (kind `widget`), so no portal link,
// session or OAuth state passes as a widget token, nor the other way round. Stateless: it expires, it is
// not revoked one by one (keep it short; revoking the vendor's API key stops new ones being minted).
import { signPortalToken, verifyPortalToken } from '../portal/portal-tokens';

export const WIDGET_TOKEN_PREFIX = 'pbw_';
export const WIDGET_TTL_DEFAULT_SEC = 15 * 60;
export const WIDGET_TTL_MIN_SEC = 60;
export const WIDGET_TTL_MAX_SEC = 60 * 60;

export interface WidgetCustomer { id: string; vendorId: string; externalId: string }
export interface WidgetClaims { customerId: string; vendorId: string; externalId: string; expiresAt: Date }

export function mintWidgetToken(secret: string, customer: WidgetCustomer, ttlSec = WIDGET_TTL_DEFAULT_SEC, nowMs = Date.now()): { token: string; expiresAt: string } {
  const e = Math.floor(nowMs / 1000) + ttlSec;
  const token = WIDGET_TOKEN_PREFIX + signPortalToken(secret, 'widget', { c: customer.id, v: customer.vendorId, x: customer.externalId, e });
  return { token, expiresAt: new Date(e * 1000).toISOString() };
}

export type WidgetVerify = { ok: true; claims: WidgetClaims } | { ok: false; reason: 'missing' | 'malformed' | 'bad_signature' | 'expired' };

export function verifyWidgetToken(secret: string, token: string | null | undefined, nowMs = Date.now()): WidgetVerify {
  if (!token) return { ok: false, reason: 'missing' };
  if (!token.startsWith(WIDGET_TOKEN_PREFIX)) return { ok: false, reason: 'malformed' };
  const r = verifyPortalToken(secret, 'widget', token.slice(WIDGET_TOKEN_PREFIX.length), nowMs);
  if (!r.ok) return r;
  if (typeof r.payload.x !== 'string') return { ok: false, reason: 'malformed' };
  return { ok: true, claims: { customerId: r.payload.c, vendorId: r.payload.v, externalId: r.payload.x, expiresAt: new Date(r.payload.e * 1000) } };
}
