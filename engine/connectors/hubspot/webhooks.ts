// HubSpot's app webhooks (the vendor's HubSpot app subscribes to contact/company deletions and HubSpot POSTs
// batches of events): the v3 request signature and the events' meaning for a sync.
//   X-HubSpot-Signature-v3 = base64(HMAC-SHA256(client secret, method + URI + body + timestamp))
//   X-HubSpot-Request-Timestamp = epoch milliseconds; requests older than 5 minutes are refused (replays).
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ObjectKind } from '../kit/contact-source';

export const HUBSPOT_SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const HUBSPOT_TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
export const HUBSPOT_MAX_AGE_MS = 5 * 60_000;

/** One event of a HubSpot webhook batch (the fields Patchbay reads). */
export interface HubspotWebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  changeFlag?: string;
  changeSource?: string;
}

export function signHubspotRequest(clientSecret: string, method: string, uri: string, body: string, timestamp: string): string {
  return createHmac('sha256', clientSecret).update(`${method.toUpperCase()}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

export type HubspotVerdict = 'ok' | 'missing' | 'stale' | 'bad_signature';

export function verifyHubspotRequest(
  clientSecret: string,
  req: { method: string; uri: string; body: string; signature: string | undefined; timestamp: string | undefined },
  nowMs = Date.now(),
): HubspotVerdict {
  if (!req.signature || !req.timestamp) return 'missing';
  const ts = Number(req.timestamp);
  if (!Number.isFinite(ts) || Math.abs(nowMs - ts) > HUBSPOT_MAX_AGE_MS) return 'stale';
  const expected = Buffer.from(signHubspotRequest(clientSecret, req.method, req.uri, req.body, req.timestamp));
  const given = Buffer.from(req.signature);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'bad_signature';
}

const DELETIONS: Record<string, ObjectKind> = {
  'contact.deletion': 'person',
  'contact.privacyDeletion': 'person',
  'company.deletion': 'company',
};

/** The deletions in a batch, per HubSpot portal (other event types are not a sync's business). */
export function deletionsByPortal(events: HubspotWebhookEvent[]): Map<string, { id: string; kind: ObjectKind }[]> {
  const out = new Map<string, { id: string; kind: ObjectKind }[]>();
  for (const e of events) {
    const kind = DELETIONS[e.subscriptionType];
    if (!kind) continue;
    const portal = String(e.portalId);
    let list = out.get(portal);
    if (!list) out.set(portal, (list = []));
    list.push({ id: String(e.objectId), kind });
  }
  return out;
}
