// Signed, expiring tokens for the customer portal: the link a vendor's backend hands its user, the
// session cookie that link turns into, and the OAuth `state` that carries a connect flow across the CRM's
// authorize page; and the agent widget's bearer token (lib/widget/widget-tokens.ts). Each kind is signed (HMAC-SHA256) with its own key derived from the auth secret, so
// one kind can never pass as another; the payload names one customer of one vendor and an expiry.
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

export type PortalTokenKind = 'link' | 'session' | 'oauth' | 'widget';

export interface PortalTokenPayload {
  /** Customer uuid. */
  c: string;
  /** Vendor uuid. */
  v: string;
  /** Expiry, epoch seconds. */
  e: number;
  /** Kind-specific fields (OAuth: system, base URL, nonce). */
  [k: string]: unknown;
}

export type VerifyResult =
  | { ok: true; payload: PortalTokenPayload }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

const keys = new Map<string, Buffer>();

function keyFor(secret: string, kind: PortalTokenKind): Buffer {
  const id = `${kind}\u0000${secret}`;
  let k = keys.get(id);
  if (!k) {
    k = Buffer.from(hkdfSync('sha256', secret, 'patchbay-portal', `patchbay/portal/${kind}/v1`, 32));
    if (keys.size > 16) keys.clear();
    keys.set(id, k);
  }
  return k;
}

/** The secret portal tokens are derived from: the auth secret server.ts puts in NEXTAUTH_SECRET. */
export function portalSecret(env: Record<string, string | undefined> = process.env): string {
  const s = env.NEXTAUTH_SECRET;
  if (!s) throw new Error('NEXTAUTH_SECRET is not set: portal links cannot be signed (start Patchbay through server.ts)');
  return s;
}

export function signPortalToken(secret: string, kind: PortalTokenKind, payload: PortalTokenPayload): string {
  const body = Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
  const mac = createHmac('sha256', keyFor(secret, kind)).update(body).digest('base64url');
  return `${body}.${mac}`;
}

export function verifyPortalToken(secret: string, kind: PortalTokenKind, token: string | null | undefined, nowMs = Date.now()): VerifyResult {
  if (!token || token.length > 4096) return { ok: false, reason: 'malformed' };
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.')) return { ok: false, reason: 'malformed' };
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = createHmac('sha256', keyFor(secret, kind)).update(body).digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let payload: PortalTokenPayload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!payload || typeof payload.c !== 'string' || typeof payload.v !== 'string' || typeof payload.e !== 'number') return { ok: false, reason: 'malformed' };
  if (payload.e * 1000 <= nowMs) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}
