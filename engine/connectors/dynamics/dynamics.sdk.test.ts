// DynamicsWebApi (npm dynamics-web-api) against the Dataverse emulator, unchanged. Microsoft publishes no official
// Node SDK for the Dataverse Web API (its .NET SDK and the MSAL auth libraries aside); DynamicsWebApi is the
// community library Dataverse developers use from Node. It drives: a client-credentials token from the emulated
// Entra ID, WhoAmI(), server-driven paging (odata.maxpagesize + @odata.nextLink) through retrieveAll, $filter,
// creating a phone call with its Regarding and owner bound by navigation property, and reading back a call our
// connector logged (lookups and their formatted-value annotations).
import { DynamicsWebApi } from 'dynamics-web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorCall } from '../kit/contact-source';
import { syntheticPerson } from '../kit/synthetic';
import { EMULATOR_TENANT, startDynamicsEmulator, type DynamicsEmulator } from './emulator';
import { dynamicsConnector } from './manifest';

const CONTACTS = 130;
const APP = { clientId: '6b0f0e0a-0000-4000-8000-00000000d365', clientSecret: 'dataverse-sdk-secret' };
let emu: DynamicsEmulator;
let api: DynamicsWebApi;
let tokenRequests = 0;

beforeAll(async () => {
  emu = await startDynamicsEmulator({ contacts: CONTACTS, companies: 4, users: 3, token: 'unused-static', oauth: APP });
  api = new DynamicsWebApi({
    serverUrl: emu.url,
    dataApi: { version: '9.2' },
    // What an app does with MSAL's acquireTokenByClientCredential: client credentials at Entra ID's v2.0 token endpoint.
    onTokenRefresh: async () => {
      tokenRequests++;
      const res = await fetch(`${emu.url}/${EMULATOR_TENANT}/oauth2/v2.0/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: APP.clientId, client_secret: APP.clientSecret, scope: `${emu.url}/.default` }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { access_token: string }).access_token;
    },
  });
});

afterAll(async () => { await emu?.close(); });

describe('DynamicsWebApi against the Dataverse emulator', () => {
  it('WhoAmI() names the application user, with a token from client credentials', async () => {
    const who = await api.callFunction<{ UserId: string; OrganizationId: string }>('WhoAmI');
    expect(who.UserId).toBe(emu.store.apiUserId);
    expect(tokenRequests).toBeGreaterThan(0);
  });

  it('retrieveAll follows @odata.nextLink through every page of contacts', async () => {
    const all = await api.retrieveAll<{ contactid: string }>({ collection: 'contacts', select: ['contactid', 'fullname', 'telephone1'], maxPageSize: 50 });
    expect(all.value.map((c) => c.contactid).sort()).toEqual(emu.store.list('contacts').map((c) => String(c.contactid)).sort());
    expect(all.value.length).toBeGreaterThanOrEqual(CONTACTS);
    const first = await api.retrieveMultiple({ collection: 'contacts', select: ['contactid'], maxPageSize: 50 });
    expect(first.value).toHaveLength(50);
    expect(decodeURIComponent(first.oDataNextLink!)).toMatch(/\$skiptoken=/);
  });

  it('$filter on a phone column finds the contact', async () => {
    const p0 = syntheticPerson(0);
    const stored = emu.store.list('contacts').find((c) => c.firstname === p0.firstName)!;
    const hit = await api.retrieveMultiple<{ contactid: string; firstname: string }>({ collection: 'contacts', select: ['contactid', 'firstname'], filter: `telephone1 eq '${String(stored.telephone1).replace(/'/g, "''")}'` });
    expect(hit.value.map((c) => c.contactid)).toContain(String(stored.contactid));
  });

  it('creates a phone call bound to a contact (regardingobjectid_contact_phonecall) and an owner', async () => {
    const contact = emu.store.list('contacts')[3];
    const owner = emu.store.list('systemusers').find((u) => !u.isdisabled && u.systemuserid !== emu.store.apiUserId)!;
    const id = await api.create<Record<string, unknown>, string>({
      collection: 'phonecalls',
      data: {
        subject: 'Inbound call (DynamicsWebApi)', directioncode: false, phonenumber: '+14155550100', actualdurationminutes: 2,
        'regardingobjectid_contact_phonecall@odata.bind': `/contacts(${String(contact.contactid)})`,
        'ownerid@odata.bind': `/systemusers(${String(owner.systemuserid)})`,
      },
    });
    const row = emu.store.phoneCalls().find((p) => p.activityid === id)!;
    expect(row).toMatchObject({ subject: 'Inbound call (DynamicsWebApi)', directioncode: false, _regardingobjectid_value: contact.contactid, _ownerid_value: owner.systemuserid });
    // The bare lookup name is not a navigation property of phonecall: Dataverse refuses it, and so does the emulator.
    await expect(api.create({ collection: 'phonecalls', data: { subject: 'x', 'regardingobjectid_contact@odata.bind': `/contacts(${String(contact.contactid)})` } }))
      .rejects.toMatchObject({ status: 400, message: expect.stringContaining("undeclared property 'regardingobjectid_contact'") });
  });

  it("reads back a call Patchbay's connector logged, lookups annotated", async () => {
    const p0 = syntheticPerson(0);
    const agent = emu.store.list('systemusers').find((u) => !u.isdisabled && u.systemuserid !== emu.store.apiUserId)!;
    const call: ConnectorCall = { fetch, requestLog: [], conn: { id: 'dyn-sdk', system: 'dynamics', baseUrl: emu.url, credentials: { token: 'unused-static' }, saveCredentials: async () => {}, reportHealth: async () => {} } };
    const [hit] = await dynamicsConnector.crm.findContactsByPhone(call, { phone: p0.e164, defaultCountry: 'US' });
    const ref = await dynamicsConnector.crm.logCall(call, {
      callId: 'dwa-read-1', direction: 'inbound', status: 'answered', startedAt: '2026-03-02T10:00:00Z', durationSec: 125,
      from: p0.e164, to: '+14155550199', contactId: hit.id, agent: String(agent.internalemailaddress), notes: 'Read back by DynamicsWebApi',
    });
    const pc = await api.retrieve<Record<string, unknown>>({ collection: 'phonecalls', key: ref.id, select: ['subject', 'description', 'directioncode', 'statecode', '_regardingobjectid_value', '_ownerid_value'], includeAnnotations: 'OData.Community.Display.V1.FormattedValue' });
    expect(pc).toMatchObject({ directioncode: false, statecode: 1, _regardingobjectid_value: hit.id, _ownerid_value: agent.systemuserid });
    expect(String(pc.description)).toContain('Read back by DynamicsWebApi');
    expect(pc['_regardingobjectid_value@OData.Community.Display.V1.FormattedValue']).toBe(`${p0.firstName} ${p0.lastName}`);
  });
});
