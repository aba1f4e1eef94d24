// Call webhooks from the phone system are signed: `x-phonesystem-signature: sha256=<hex>` is the
// HMAC-SHA256 of the raw request body with the webhook secret. Patchbay verifies it on the raw bytes,
// before parsing, and dedupes deliveries by `x-phonesystem-delivery` (a failed delivery is re-sent
// with the same id).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-phonesystem-signature';
export const EVENT_HEADER = 'x-phonesystem-event';
export const DELIVERY_HEADER = 'x-phonesystem-delivery';

export function signWebhookBody(secret: string, rawBody: string | Uint8Array): string {
  return 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('hex');
}

/** True when `header` is the signature of exactly these bytes under `secret` (constant-time compare). */
export function verifyWebhookSignature(secret: string, rawBody: string | Uint8Array, header: string | string[] | null | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (!secret || typeof value !== 'string') return false;
  const m = /^sha256=([0-9a-f]{64})$/i.exec(value.trim());
  if (!m) return false;
  const expected = Buffer.from(signWebhookBody(secret, rawBody).slice(7), 'hex');
  const given = Buffer.from(m[1].toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
