// HubSpot's own deletion webhooks, straight from the (emulated) HubSpot app to Patchbay: signed v3, routed by
// portal to the vendor's customers connected to it, deleting from their CDP at once.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { api, baseUrl, db } from './helpers';
import { saveConnection } from '@/lib/engine-host/connections';
import { createVendor } from '@/lib/tenancy/vendors';
import { createCustomer } from '@/lib/tenancy/customers';
import { demoApp, PUBLIC_DEMO_SECRETS } from '@/lib/connections/oauth-clients';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { HUBSPOT_SIGNATURE_HEADER, HUBSPOT_TIMESTAMP_HEADER, signHubspotRequest } from '@/engine/connectors/hubspot/webhooks';

const uniq = Math.random().toString(36).slice(2, 8);
const cust = `hs-hooks-${uniq}`;
const TOKEN = 'pat-hooks';
// The installation's demo app secret, from the server's data folder (generated at its first start).
const appSecret = demoApp('hubspot', inject('dataDir'))!.clientSecret;
let emu: HubspotEmulator;
let hookUrl = '';
let vendorSlug = '';
let otherVendorCustomer = '';

async function cdpAlive(customerExternalId: string, ids: string[]): Promise<string[]> {
  const rows = await db()`select c.external_id from cdp_contacts c join customers k on k.id = c.customer_id
    where k.external_id = ${customerExternalId} and c.source = 'hubspot' and c.external_id = any(${ids}) and c.deleted_at is null order by 1`;
  return rows.map((r) => r.external_id);
}

function signed(body: string, o: { timestamp?: number; secret?: string; url?: string } = {}) {
  const ts = String(o.timestamp ?? Date.now());
  return fetch(o.url ?? hookUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', [HUBSPOT_TIMESTAMP_HEADER]: ts, [HUBSPOT_SIGNATURE_HEADER]: signHubspotRequest(o.secret ?? appSecret, 'POST', o.url ?? hookUrl, body, ts) } });
}

beforeAll(async () => {
  expect((await api('/api/v1/customers', { body: { externalId: cust, name: 'HubSpot Hooks Inc' } })).status).toBe(201);
  const sql = db();
  const [c] = await sql`select c.id, v.slug from customers c join vendors v on v.id = c.vendor_id where c.external_id = ${cust}`;
  vendorSlug = c.slug;
  hookUrl = `${baseUrl()}/api/v1/hooks/${vendorSlug}/hubspot`;
  const portalId = 60_000_000 + Math.floor(Math.random() * 1_000_000);
  emu = await startHubspotEmulator({ contacts: 6, companies: 2, token: TOKEN, portalId, webhook: { url: hookUrl, clientSecret: appSecret, retryDelayMs: 50 } });
  const key = Buffer.from(JSON.parse(fs.readFileSync(path.join(inject('dataDir'), 'secrets.json'), 'utf8')).encryptionKey, 'hex');
  // connected before Patchbay knew the portal: the first webhook finds it out through the connection test
  await saveConnection(sql, key, { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: emu.url, credentials: { token: TOKEN } });
  const contacts = emu.store.list('contacts').map((r, i) => ({ source: 'hubspot', externalId: r.id, firstName: `P${i}`, phones: [`+1202555${String(7100 + i)}`] }));
  expect((await api(`/api/v1/customers/${cust}/cdp/contacts`, { body: { contacts } })).status).toBe(200);
  // another vendor's customer on the same HubSpot portal, with the same records: never touched by this vendor's hook
  const other = await createVendor(sql, { slug: `hs-other-${uniq}`, name: 'Other' });
  const { ref } = await createCustomer(sql, { vendorId: other.id, externalId: `hs-other-c-${uniq}`, name: 'Other C', defaultCountry: 'US' });
  otherVendorCustomer = ref.externalId;
  await saveConnection(sql, key, { customerId: ref.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: emu.url, credentials: { token: TOKEN } });
  await sql`update connections set external_account = ${String(portalId)} where customer_id = ${ref.id}`;
  await sql`insert into cdp_contacts (customer_id, source, external_id, kind, first_name, phones, phone_keys, content_hash)
    select ${ref.id}, 'hubspot', x, 'person', 'Twin', '{}', '{}', 'h' from unnest(${emu.store.list('contacts').map((r) => r.id)}::text[]) x`;
});

afterAll(async () => { await emu?.close(); });

describe('HubSpot deletion webhooks', () => {
  it('a contact deleted in HubSpot leaves the CDP of the customers connected to that portal, and only this vendor\'s', async () => {
    const ids = emu.store.list('contacts').map((r) => r.id);
    const [gone, alsoGone] = [ids[1], ids[4]];
    emu.store.remove('contacts', gone);
    await fetch(`${emu.url}/crm/v3/objects/contacts/${alsoGone}`, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } });
    for (let i = 0; i < 100 && (await cdpAlive(cust, [gone, alsoGone])).length; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await cdpAlive(cust, ids)).toEqual(ids.filter((x) => x !== gone && x !== alsoGone).sort());
    expect(emu.webhookLog.filter((w) => w.status === 200)).toHaveLength(2);
    // the portal was learnt from the connection test and kept
    const [conn] = await db()`select k.external_account from connections k join customers c on c.id = k.customer_id where c.external_id = ${cust} and k.system = 'hubspot'`;
    expect(conn.external_account).toBe(String(emu.store.portalId));
    expect(await cdpAlive(otherVendorCustomer, ids)).toEqual([...ids].sort());
    // the deletion shows in the customer's sync history
    const [run] = await db()`select r.kind, r.deleted from sync_runs r join customers c on c.id = r.customer_id where c.external_id = ${cust} order by r.started_at desc limit 1`;
    expect(run).toMatchObject({ kind: 'webhook', deleted: 1 });
  });

  it('refuses unsigned, wrongly signed and replayed requests; a retry of an answered event changes nothing', async () => {
    const body = JSON.stringify([{ eventId: 1, subscriptionId: 1, portalId: emu.store.portalId, appId: 1, occurredAt: Date.now(), subscriptionType: 'contact.deletion', attemptNumber: 0, objectId: Number(emu.store.list('contacts')[0].id) }]);
    expect((await fetch(hookUrl, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(401);
    expect((await signed(body, { secret: 'not-the-app-secret' })).status).toBe(401);
    // The demo app's secret was a public constant: anyone could sign with it. Now it is this installation's own.
    for (const secret of PUBLIC_DEMO_SECRETS) expect((await signed(body, { secret })).status).toBe(401);
    expect(appSecret).not.toMatch(/^patchbay-demo-/);
    const replay = await signed(body, { timestamp: Date.now() - 6 * 60_000 });
    expect(replay.status).toBe(401);
    expect((await replay.json()).error.message).toMatch(/more than 5 minutes/);
    expect(await cdpAlive(cust, [emu.store.list('contacts')[0].id])).toHaveLength(1);
    const first = await (await signed(body)).json();
    const again = await (await signed(body)).json();
    expect(first.portals[0]).toMatchObject({ customers: [cust], deleted: 1 });
    expect(again.portals[0]).toMatchObject({ customers: [cust], deleted: 0 });
  });

  it('acknowledges what it has nothing to do with (other portals, other event types), and 400s a body that is no event batch', async () => {
    const other = await signed(JSON.stringify([
      { eventId: 2, subscriptionId: 1, portalId: 1, appId: 1, occurredAt: Date.now(), subscriptionType: 'contact.deletion', attemptNumber: 0, objectId: 5 },
      { eventId: 3, subscriptionId: 1, portalId: emu.store.portalId, appId: 1, occurredAt: Date.now(), subscriptionType: 'contact.propertyChange', attemptNumber: 0, objectId: 5 },
    ]));
    expect(other.status).toBe(200);
    expect(await other.json()).toEqual({ received: 2, portals: [{ portalId: '1', customers: [], deleted: 0, problems: [] }] });
    const notBatch = await signed('{"portalId":1}');
    expect(notBatch.status).toBe(400);
    expect((await fetch(hookUrl)).status).toBe(405);
  });
});
