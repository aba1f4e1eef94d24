// A CRM's own webhooks, sent straight to Patchbay (no relay through the vendor's backend):
//   POST /api/v1/hooks/{vendor}/hubspot  — the vendor's HubSpot app's webhook URL (subscriptions: contact.deletion,
//   contact.privacyDeletion, company.deletion). Signed v3 with the app's client secret (PATCHBAY_HUBSPOT_CLIENT_SECRET,
//   the demo app's in demo mode); each event names a HubSpot portal, which names the customers whose HubSpot
//   connection is that portal (learnt by the connection test). The deleted records leave those customers' CDP and
//   phonebook at once, as with the relayed delete webhook. Deleting is idempotent, so HubSpot's retries are harmless.
import type { KeyInput } from '../crypto/credentials';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type postgres from 'postgres';
import { HUBSPOT_SIGNATURE_HEADER, HUBSPOT_TIMESTAMP_HEADER, verifyHubspotRequest, deletionsByPortal, type HubspotWebhookEvent } from '@/engine/connectors';
import { oauthClientFor } from '../connections/oauth-clients';
import { testConnection } from '../connections/test-connection';
import { createGuardedFetch } from '../engine-host/guarded-fetch';
import type { EngineHost } from '../engine-host/host';
import { deleteFromWebhook } from '../sync/delete-webhook';
import { ApiError, readRaw, sendJson } from './http-io';
import { jsonDepthExceeds, MAX_JSON_DEPTH } from './input-guard';
import { publicBaseUrl } from '../config';
import { URL_ID } from '../tenancy/customers';

const DISCOVERY_BUDGET_MS = 2500;


interface PortalCustomer { id: string; default_country: string; external_id: string }

/**
 * The vendor's customers whose HubSpot connection is this portal. Connections whose portal is not known yet
 * (connected before Patchbay recorded it) are asked once, through the connection test, which records it.
 */
async function customersOfPortal(sql: postgres.Sql, deps: { encryptionKey: KeyInput; fetch: typeof fetch }, vendorId: string, portalId: string): Promise<PortalCustomer[]> {
  const find = () => sql<PortalCustomer[]>`
    select c.id, c.default_country, c.external_id from connections k join customers c on c.id = k.customer_id
    where c.vendor_id = ${vendorId} and k.system = 'hubspot' and k.external_account = ${portalId}`;
  const found = await find();
  if (found.length) return found;
  // Connections whose test failed within the hour are not asked again on every webhook.
  const unknown = await sql<{ customer_id: string }[]>`
    select k.customer_id from connections k join customers c on c.id = k.customer_id
    where c.vendor_id = ${vendorId} and k.system = 'hubspot' and k.external_account is null
      and (k.last_error_at is null or k.last_error_at < now() - interval '1 hour') limit 50`;
  // HubSpot wants an answer within seconds: tests still running after the budget finish in the background
  // (and record what they learn for the next webhook).
  const tests = Promise.all(unknown.map((u) => testConnection(sql, deps.encryptionKey, deps.fetch, u.customer_id, 'hubspot').catch(() => null)));
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([tests, new Promise((r) => { timer = setTimeout(r, DISCOVERY_BUDGET_MS); })]);
  clearTimeout(timer);
  // Looked up again even when nothing was unknown here: a webhook arriving at the same moment may just have
  // recorded the portal this one is looking for.
  return find();
}

export async function handleHubspotWebhook(req: IncomingMessage, res: ServerResponse, vendorSlug: string, deps: { sql: postgres.Sql; host: EngineHost; encryptionKey: KeyInput }): Promise<void> {
  const raw = (await readRaw(req, 1024 * 1024)).toString('utf8');
  const app = oauthClientFor('hubspot');
  if (!app) throw new ApiError(503, 'webhook_not_configured', 'Set PATCHBAY_HUBSPOT_CLIENT_SECRET (the HubSpot app\'s client secret) to receive HubSpot webhooks');
  const header = (name: string) => { const v = req.headers[name]; return Array.isArray(v) ? v[0] : v; };
  const verdict = verifyHubspotRequest(app.clientSecret, { method: 'POST', uri: publicBaseUrl() + (req.url ?? ''), body: raw, signature: header(HUBSPOT_SIGNATURE_HEADER), timestamp: header(HUBSPOT_TIMESTAMP_HEADER) });
  if (verdict !== 'ok') {
    const why = verdict === 'missing' ? `${HUBSPOT_SIGNATURE_HEADER} and ${HUBSPOT_TIMESTAMP_HEADER} are required`
      : verdict === 'stale' ? `${HUBSPOT_TIMESTAMP_HEADER} is more than 5 minutes off (a replay?)` : `${HUBSPOT_SIGNATURE_HEADER} does not match the request`;
    throw new ApiError(401, 'bad_signature', why);
  }
  let events: HubspotWebhookEvent[];
  try {
    if (jsonDepthExceeds(raw)) throw new Error(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    const parsed = JSON.parse(raw) as unknown;
    if (!Array.isArray(parsed)) throw new Error('expected an array of events');
    events = parsed.filter((e): e is HubspotWebhookEvent => !!e && typeof e === 'object' && Number.isSafeInteger((e as HubspotWebhookEvent).portalId) && Number.isSafeInteger((e as HubspotWebhookEvent).objectId) && typeof (e as HubspotWebhookEvent).subscriptionType === 'string');
  } catch (err) {
    throw new ApiError(400, 'invalid_json', `The webhook body is not a HubSpot event batch: ${(err as Error).message}`, { path: [] });
  }
  // A signed request for an unknown vendor: acknowledged (HubSpot would retry an error for days), nothing done.
  const [vendor] = URL_ID.test(vendorSlug) ? await deps.sql<{ id: string }[]>`select id from vendors where slug = ${vendorSlug}` : [];
  const outcome: { portalId: string; customers: string[]; deleted: number; problems: string[] }[] = [];
  if (vendor) {
    const fetchImpl = createGuardedFetch(deps.host.opts.allowPrivateHosts);
    for (const [portalId, ids] of deletionsByPortal(events)) {
      const customers = await customersOfPortal(deps.sql, { encryptionKey: deps.encryptionKey, fetch: fetchImpl }, vendor.id, portalId);
      const o = { portalId, customers: customers.map((c) => c.external_id), deleted: 0, problems: [] as string[] };
      for (const c of customers) {
        const r = await deleteFromWebhook({ sql: deps.sql, encryptionKey: deps.encryptionKey, fetch: fetchImpl }, { id: c.id, defaultCountry: c.default_country.trim() }, 'hubspot', ids);
        o.deleted += Math.max(0, ...Object.values(r.deleted));
        o.problems.push(...r.problems.map((p) => `${c.external_id} ${p.destination}: ${p.message}`));
      }
      outcome.push(o);
    }
  }
  sendJson(res, 200, { received: events.length, portals: outcome });
}
