// What the shared conformance suite does not cover for Zoho CRM: a Self Client refresh token (no access token
// yet) and the data centre's accounts server, paging past Zoho's 2,000-record page-number limit with page_token,
// Zoho's error bodies and empty answers, the native Calls fields (Missed calls, mm:ss durations), the note written
// with each call log, accounts by phone, and the sync cursor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionHandle } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { syntheticPerson } from '../kit/synthetic';
import { API, zohoTokenUrl } from './client';
import { startZohoEmulator, type ZohoEmulator } from './emulator';
import { zohoConnector } from './manifest';

const TOKEN = 'zoho-test-token';
const APP = { clientId: 'zoho-self-client', clientSecret: 'zoho-self-secret' };
let emu: ZohoEmulator;
const crm = zohoConnector.crm;

const conn = (credentials: Record<string, unknown>, saved: Record<string, unknown>[] = [], baseUrl = emu.url): ConnectionHandle => ({
  id: 'c', system: 'zoho', baseUrl, credentials, saveCredentials: async (c) => { saved.push(c); }, reportHealth: async () => {},
});
const callWith = (credentials: Record<string, unknown> = { token: TOKEN }, saved?: Record<string, unknown>[]): ConnectorCall =>
  ({ fetch, conn: conn(credentials, saved), requestLog: [], http: { backoffMs: 5 } });
const get = (path: string, headers: Record<string, string> = {}) => fetch(`${emu.url}${API}${path}`, { headers: { authorization: `Zoho-oauthtoken ${TOKEN}`, ...headers } });

beforeAll(async () => { emu = await startZohoEmulator({ contacts: 2150, companies: 4, users: 2, token: TOKEN, oauth: APP }); });
afterAll(async () => { await emu?.close(); });

describe('Zoho CRM connector', () => {
  it('starts from a Self Client refresh token: gets an access token at the accounts server first, and keeps the refresh token', async () => {
    // A real refresh token comes from the accounts server; get one through the emulator's authorization code flow.
    const redirect = 'http://127.0.0.1/cb';
    const auth = await fetch(`${emu.url}/oauth/v2/auth?client_id=${APP.clientId}&redirect_uri=${encodeURIComponent(redirect)}&response_type=code&access_type=offline`, { redirect: 'manual' });
    const code = new URL(auth.headers.get('location')!).searchParams.get('code')!;
    const tokens = await (await fetch(`${emu.url}/oauth/v2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, ...{ client_id: APP.clientId, client_secret: APP.clientSecret } }) })).json() as { refresh_token: string; api_domain: string };
    expect(tokens.api_domain).toBe(emu.url);
    const saved: Record<string, unknown>[] = [];
    const user = await crm.findUserByEmail(callWith({ ...APP, refreshToken: tokens.refresh_token }, saved), { email: emu.store.users[1].email });
    expect(user?.id).toBe(emu.store.users[1].id);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ refreshToken: tokens.refresh_token, clientId: APP.clientId });
    expect(String(saved[0].accessToken)).toMatch(/^at_/);
  });

  it('finds the accounts server of the data centre', () => {
    expect(zohoTokenUrl(conn({}, [], 'https://www.zohoapis.eu'))).toBe('https://accounts.zoho.eu/oauth/v2/token');
    expect(zohoTokenUrl(conn({}, [], 'https://www.zohoapis.com.au/'))).toBe('https://accounts.zoho.com.au/oauth/v2/token');
    expect(zohoTokenUrl(conn({}, [], 'https://www.zohoapis.ca'))).toBe('https://accounts.zohocloud.ca/oauth/v2/token');
    expect(zohoTokenUrl(conn({}, [], 'https://www.zohoapis.com'))).toBe('https://accounts.zoho.com/oauth/v2/token');
  });

  it('pages past 2,000 records with page_token (page numbers stop there, as in Zoho)', async () => {
    const refused = await get('/Contacts?fields=id&per_page=200&page=11');
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ code: 'DISCRETE_PAGINATION_LIMIT_EXCEEDED', status: 'error' });
    const ids: string[] = [];
    const call = callWith();
    for await (const page of crm.listAllIds(call, { kind: 'person' })) ids.push(...page);
    expect(ids).toHaveLength(2150);
    expect(new Set(ids).size).toBe(2150);
    expect(call.requestLog.some((r) => r.url.includes('page_token='))).toBe(true);
  });

  it("answers Zoho's error bodies and empty answers", async () => {
    const noFields = await get('/Contacts');
    expect(noFields.status).toBe(400);
    expect(await noFields.json()).toEqual({ code: 'REQUIRED_PARAM_MISSING', details: { param_name: 'fields' }, message: 'One of the expected parameter is missing', status: 'error' });
    const badToken = await fetch(`${emu.url}${API}/Contacts?fields=id`, { headers: { authorization: 'Zoho-oauthtoken nope' } });
    expect(badToken.status).toBe(401);
    expect(await badToken.json()).toMatchObject({ code: 'INVALID_TOKEN', status: 'error' });
    expect((await get('/Contacts/search?phone=5550000000')).status).toBe(204);
    expect((await get('/Contacts?fields=id', { 'if-modified-since': '2099-01-01T00:00:00+00:00' })).status).toBe(304);
    const missing = await fetch(`${emu.url}${API}/Calls`, { method: 'POST', headers: { authorization: `Zoho-oauthtoken ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ data: [{ Subject: 'x', Call_Type: 'Inbound', Call_Start_Time: '2026-03-02 09:30:00' }] }) });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ data: [{ code: 'INVALID_DATA', details: { api_name: 'Call_Start_Time', expected_data_type: 'datetime' }, status: 'error' }] });
    expect(await crm.getContact(callWith(), { id: '5725767999999999999' })).toBeNull();
  });

  it('logs a missed call as Call_Type Missed and an answered one with its mm:ss duration, each with a note on the contact', async () => {
    const p = syntheticPerson(2);
    const contact = emu.store.list('Contacts').find((c) => c.Email === p.email)!;
    const notesBefore = emu.store.list('Notes').length;
    const missed = await crm.logCall(callWith(), { direction: 'inbound', status: 'missed', startedAt: '2026-03-02T09:30:00Z', from: p.e164, contactId: contact.id });
    expect(emu.store.table('Calls').get(missed.id)).toMatchObject({ Call_Type: 'Missed', Call_Status: 'Missed', Call_Start_Time: '2026-03-02T09:30:00+00:00', Subject: `Inbound call from ${p.e164} (missed)`, Who_Id: { id: contact.id } });
    const answered = await crm.logCall(callWith(), { direction: 'inbound', status: 'answered', startedAt: '2026-03-02T10:00:00Z', durationSec: 125, from: p.e164, contactId: contact.id, notes: 'Asked about pricing' });
    expect(emu.store.table('Calls').get(answered.id)).toMatchObject({ Call_Type: 'Inbound', Call_Duration: '02:05', Call_Duration_in_seconds: 125 });
    const notes = emu.store.list('Notes');
    expect(notes.length).toBe(notesBefore + 2);
    expect(notes.at(-1)).toMatchObject({ $se_module: 'Contacts', Parent_Id: { id: contact.id } });
    expect(String(notes.at(-1)!.Note_Content)).toContain('Asked about pricing');
    expect(answered.url).toBe(`${emu.url}/crm/tab/Calls/${answered.id}`);
    // A missed call later returned: the same record becomes an answered inbound call.
    await crm.updateCallLog(callWith(), missed, { status: 'answered', durationSec: 61 });
    expect(emu.store.table('Calls').get(missed.id)).toMatchObject({ Call_Type: 'Inbound', Call_Duration: '01:01', Subject: `Inbound call from ${p.e164}` });
  });

  it('finds accounts by phone; contacts carry their account name', async () => {
    const account = emu.store.list('Accounts')[3]; // a London number, typed nationally
    const found = await crm.findContactsByPhone(callWith(), { phone: String(account.Phone), defaultCountry: 'GB', kind: 'company' });
    expect(found.map((c) => c.id)).toEqual([account.id]);
    expect(found[0]).toMatchObject({ kind: 'company', company: account.Account_Name, country: 'GB' });
    const c = await crm.getContact(callWith(), { id: emu.store.list('Contacts')[0].id });
    expect(c?.company).toBe(emu.store.list('Accounts')[0].Account_Name);
  });

  it('resumes changes from a cursor (If-Modified-Since) and sees only the edit', async () => {
    let cursor = '';
    for await (const page of crm.listChanged(callWith(), { kind: 'company', cursor: null })) cursor = page.cursor;
    const target = emu.store.list('Accounts')[1];
    emu.store.update('Accounts', target.id, { Account_Name: 'Renamed Ltd' });
    const call = callWith();
    const after = [];
    for await (const page of crm.listChanged(call, { kind: 'company', cursor })) after.push(...page.contacts);
    expect(after.map((c) => [c.externalId, c.company])).toEqual([[target.id, 'Renamed Ltd']]);
    expect(call.requestLog).toHaveLength(1);
  });
});
