// Zoho's own Node SDK (@zohocrm/nodejs-sdk-8.0, the official one, API v8) against the Zoho emulator, unchanged:
// its OAuth grant-token exchange (a multipart form to the accounts server), its start-up calls (current user,
// org), the Fields Metadata it reads before converting records, paging through Contacts, a search by phone,
// creating a Call linked to a contact — and reading back a call our connector logged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import * as Z from '@zohocrm/nodejs-sdk-8.0';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorCall } from '../kit/contact-source';
import { buildAuthorizeUrl } from '../kit/oauth2';
import { syntheticPerson } from '../kit/synthetic';
import { startZohoEmulator, type ZohoEmulator } from './emulator';
import { zohoConnector } from './manifest';

const CONTACTS = 230; // more than one page of 200
const OAUTH = { clientId: '1000.SDKTESTCLIENT', clientSecret: 'sdk-test-secret' };
let emu: ZohoEmulator;
let dir = '';

beforeAll(async () => {
  emu = await startZohoEmulator({ contacts: CONTACTS, companies: 4, users: 3, token: 'zoho-sdk-static', oauth: OAUTH });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zoho-sdk-'));
  // A person signs in at the emulator's accounts server and the app receives a grant token (authorization code).
  const redirectUri = 'http://127.0.0.1:9/oauth/callback';
  const authorize = await fetch(buildAuthorizeUrl(`${emu.url}/oauth/v2/auth`, { clientId: OAUTH.clientId, redirectUri, state: 'sdk', scopes: ['ZohoCRM.modules.ALL', 'ZohoCRM.settings.fields.READ', 'ZohoCRM.users.READ', 'ZohoCRM.org.READ'] }), { redirect: 'manual' });
  expect(authorize.status).toBe(302);
  const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
  // The SDK's own data-centre class, pointed at the emulator: API domain, accounts (token) URL, upload URL.
  const environment = new Z.Environment(emu.url, `${emu.url}/oauth/v2/token`, emu.url);
  const token = new Z.OAuthBuilder().clientId(OAUTH.clientId).clientSecret(OAUTH.clientSecret).grantToken(code).redirectURL(redirectUri).build();
  await (await new Z.InitializeBuilder())
    .environment(environment)
    .token(token)
    .store(new Z.FileStore(path.join(dir, 'tokens.txt')))
    .SDKConfig(new Z.SDKConfigBuilder().pickListValidation(false).autoRefreshFields(false).build())
    .resourcePath(dir)
    .logger(new Z.LogBuilder().level(Z.Levels.INFO).filePath(path.join(dir, 'sdk.log')).build())
    .initialize();
}, 60_000);

afterAll(async () => {
  await emu?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** The SDK's answer object, or a readable failure (its exceptions carry Zoho's error body). */
function objectOf(response: any, what: string): any {
  expect(response, what).not.toBeNull();
  const o = response.getObject();
  if (o === null) throw new Error(`${what}: HTTP ${response.getStatusCode()} without a body the SDK understood`);
  if (o instanceof Z.Record.APIException) throw new Error(`${what}: ${o.getCode().getValue()} ${o.getMessage()} ${inspect(o.getDetails())}`);
  return o;
}

describe("Zoho's official Node SDK against the emulator", () => {
  it('exchanged the grant token for tokens through the emulated accounts server and stored them', () => {
    const stored = fs.readFileSync(path.join(dir, 'tokens.txt'), 'utf8');
    expect(stored).toContain(OAUTH.clientId);
    expect(stored).toMatch(/access_token|accessToken|[0-9a-f]{20}/i);
  });

  it('pages through every contact (per_page 200, more_records)', async () => {
    const ids = new Set<string>();
    for (let page = 1; ; page++) {
      const params = new Z.ParameterMap();
      await params.add(Z.Record.GetRecordsParam.FIELDS, 'First_Name,Last_Name,Phone,Mobile');
      await params.add(Z.Record.GetRecordsParam.PER_PAGE, 200);
      await params.add(Z.Record.GetRecordsParam.PAGE, page);
      const wrapper = objectOf(await new Z.Record.RecordOperations('Contacts').getRecords(params, new Z.HeaderMap()), `Contacts page ${page}`);
      expect(wrapper).toBeInstanceOf(Z.Record.ResponseWrapper);
      for (const r of wrapper.getData()) ids.add(String(r.getId()));
      if (!wrapper.getInfo().getMoreRecords()) break;
      expect(page).toBeLessThan(5);
    }
    expect(ids.size).toBe(emu.store.list('Contacts').length);
    expect(ids.size).toBeGreaterThanOrEqual(CONTACTS);
  });

  it('finds a contact by phone with searchRecords', async () => {
    const p0 = syntheticPerson(0);
    // Zoho's phone search ignores formatting but not a missing country code: ask for the number as the CRM holds it.
    const stored = emu.store.list('Contacts').find((c) => c.First_Name === p0.firstName)!;
    const params = new Z.ParameterMap();
    await params.add(Z.Record.SearchRecordsParam.PHONE, String(stored.Phone ?? stored.Mobile));
    const wrapper = objectOf(await new Z.Record.RecordOperations('Contacts').searchRecords(params, new Z.HeaderMap()), 'search by phone');
    const hits = wrapper.getData();
    expect(hits.length).toBeGreaterThanOrEqual(1);
    expect(hits.map((r: any) => r.getKeyValue('First_Name'))).toContain(p0.firstName);
  });

  it('creates a Call linked to a contact, which the emulator stores as Zoho would', async () => {
    const contact = emu.store.list('Contacts')[0];
    const call = new Z.Record.Record();
    call.addKeyValue('Subject', 'Inbound call (SDK)');
    call.addKeyValue('Call_Type', new Z.Choice('Inbound'));
    call.addKeyValue('Call_Start_Time', new Date('2026-03-02T09:30:00Z'));
    call.addKeyValue('Call_Duration', '01:35');
    call.addKeyValue('Description', 'Logged through the SDK');
    const who = new Z.Record.Record();
    who.setId(BigInt(contact.id));
    call.addKeyValue('Who_Id', who);
    const body = new Z.Record.BodyWrapper();
    body.setData([call]);
    const action = objectOf(await new Z.Record.RecordOperations('Calls').createRecords(body, new Z.HeaderMap()), 'create Call');
    expect(action).toBeInstanceOf(Z.Record.ActionWrapper);
    const [result] = action.getData();
    if (!(result instanceof Z.Record.SuccessResponse)) throw new Error(`create Call: ${result.getCode?.().getValue?.()} ${result.getMessage?.()} ${inspect(result.getDetails?.())}`);
    const id = String(result.getDetails().get('id'));
    const stored = emu.store.table('Calls').get(id)!;
    expect(stored).toMatchObject({ Subject: 'Inbound call (SDK)', Call_Type: 'Inbound', Call_Duration: '01:35', Call_Duration_in_seconds: 95, Call_Status: 'Completed' });
    expect((stored.Who_Id as { id: string }).id).toBe(contact.id);
    expect(Date.parse(String(stored.Call_Start_Time))).toBe(Date.parse('2026-03-02T09:30:00Z'));
  });

  it("reads a call Patchbay's connector logged, with the fields the connector set", async () => {
    const agent = emu.store.users.find((u) => u.status === 'active' && u.id !== emu.store.currentUserId)!;
    const p0 = syntheticPerson(0);
    const call: ConnectorCall = { fetch, requestLog: [], conn: { id: 'zoho-sdk', system: 'zoho', baseUrl: emu.url, credentials: { token: 'zoho-sdk-static' }, saveCredentials: async () => {}, reportHealth: async () => {} } };
    const [hit] = await zohoConnector.crm.findContactsByPhone(call, { phone: p0.e164, defaultCountry: 'US' });
    const ref = await zohoConnector.crm.logCall(call, {
      callId: 'sdk-read-1', direction: 'inbound', status: 'answered', startedAt: '2026-03-02T10:00:00Z', durationSec: 61,
      from: p0.e164, to: '+14155550199', contactId: hit.id, agent: agent.email, notes: 'Read back by the SDK',
    });
    const wrapper = objectOf(await new Z.Record.RecordOperations('Calls').getRecord(BigInt(ref.id), new Z.ParameterMap(), new Z.HeaderMap()), 'get Call');
    const [rec] = wrapper.getData();
    expect(String(rec.getId())).toBe(String(ref.id));
    expect(rec.getKeyValue('Call_Type').getValue()).toBe('Inbound');
    expect(String(rec.getKeyValue('Who_Id').getId())).toBe(String(hit.id));
    expect(String(rec.getKeyValue('Owner').getId())).toBe(agent.id);
    expect(String(rec.getKeyValue('Description'))).toContain('Read back by the SDK');
  });
});
