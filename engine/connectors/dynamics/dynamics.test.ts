// What the shared conformance suite does not cover for Dynamics 365: client credentials against the Entra ID
// token endpoint (cached on the connection), Dataverse's wire shapes (OData-EntityId, @odata.nextLink with
// Prefer: odata.maxpagesize, OData error bodies, closed activities), the annotation written with each call log,
// companies (accounts) and the sync cursor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PatchbayError } from '../../core/errors';
import type { ConnectionHandle } from '../../core/define-block';
import type { ConnectorCall } from '../kit/contact-source';
import { syntheticPerson } from '../kit/synthetic';
import { API, createDynamicsClient } from './client';
import { startDynamicsEmulator, type DynamicsEmulator } from './emulator';
import { dynamicsConnector } from './manifest';

const TOKEN = 'dyn-test-token';
const APP = { clientId: 'patchbay-s2s-app', clientSecret: 'patchbay-s2s-secret' };
let emu: DynamicsEmulator;
const crm = dynamicsConnector.crm;

const conn = (credentials: Record<string, unknown>, saved: Record<string, unknown>[] = []): ConnectionHandle => ({
  id: 'c', system: 'dynamics', baseUrl: emu.url, credentials, saveCredentials: async (c) => { saved.push(c); }, reportHealth: async () => {},
});
const callWith = (credentials: Record<string, unknown> = { token: TOKEN }, saved?: Record<string, unknown>[]): ConnectorCall =>
  ({ fetch, conn: conn(credentials, saved), requestLog: [], http: { backoffMs: 5 } });

beforeAll(async () => { emu = await startDynamicsEmulator({ contacts: 25, companies: 4, users: 2, token: TOKEN, oauth: APP }); });
afterAll(async () => { await emu?.close(); });

describe('Dynamics 365 connector', () => {
  it('gets a token with client credentials from the tenant token endpoint, caches it on the connection, and gets a new one on 401', async () => {
    const saved: Record<string, unknown>[] = [];
    const creds = { tenantId: 'organizations', ...APP };
    const call = callWith(creds, saved);
    const ids: string[] = [];
    for await (const page of crm.listAllIds(call, { kind: 'person', pageSize: 10 })) ids.push(...page);
    expect(ids).toHaveLength(25);
    // One token for all three pages, saved for the next run.
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ tenantId: 'organizations', clientId: APP.clientId });
    expect(String(saved[0].accessToken)).toMatch(/^at_/);
    // The next run uses the saved token: no token request.
    const next = callWith({ ...creds, ...saved[0] }, saved);
    expect(await crm.getContact(next, { id: ids[0] })).not.toBeNull();
    expect(saved).toHaveLength(1);
    emu.expireAccessTokens();
    expect(await crm.getContact(next, { id: ids[0] })).not.toBeNull();
    expect(next.requestLog.map((r) => r.status)).toContain(401);
    expect(saved).toHaveLength(2);
  });

  it('names a wrong client secret as a connection problem', async () => {
    const err = await crm.getContact(callWith({ tenantId: 'organizations', clientId: APP.clientId, clientSecret: 'wrong' }), { id: '00000000-0000-4000-8000-000000000001' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PatchbayError);
    expect((err as PatchbayError).code).toBe('connection_auth');
    expect((err as PatchbayError).message).toMatch(/client secret|credentials/i);
  });

  it('pages with Prefer: odata.maxpagesize and @odata.nextLink, as Dataverse does', async () => {
    const res = await fetch(`${emu.url}${API}/contacts?$select=fullname&$orderby=modifiedon asc`, { headers: { authorization: `Bearer ${TOKEN}`, prefer: 'odata.maxpagesize=10' } });
    expect(res.headers.get('preference-applied')).toBe('odata.maxpagesize=10');
    const body = await res.json() as { value: unknown[]; '@odata.nextLink': string; '@odata.context': string };
    expect(body.value).toHaveLength(10);
    expect(body['@odata.context']).toContain('$metadata#contacts(fullname)');
    const next = new URL(body['@odata.nextLink']);
    expect(next.searchParams.get('$skiptoken')).toMatch(/^<cookie pagenumber="2"/);
    expect(next.searchParams.get('$select')).toBe('fullname');
  });

  it('answers OData error bodies: an unknown column, a missing row, a closed activity', async () => {
    const client = createDynamicsClient(callWith());
    const bad = await fetch(`${emu.url}${API}/contacts?$filter=nosuchcolumn eq 'x'`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: '0x80060888', message: expect.stringContaining("'nosuchcolumn'") } });
    const missing = await fetch(`${emu.url}${API}/contacts(00000000-0000-4000-8000-0000000000ff)`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: '0x80040217' } });
    const unauth = await fetch(`${emu.url}${API}/contacts`);
    expect(unauth.status).toBe(401);
    expect(unauth.headers.get('www-authenticate')).toMatch(/^Bearer authorization_uri=/);
    // A completed phone call cannot be edited without reopening it.
    const contact = emu.store.list('contacts')[0];
    const ref = await crm.logCall(callWith(), { direction: 'inbound', status: 'answered', startedAt: '2026-03-02T09:00:00Z', durationSec: 30, contactId: String(contact.contactid) });
    const err = await client.update('phonecalls', ref.id, { subject: 'changed' }).catch((e: unknown) => e);
    expect((err as PatchbayError).message).toMatch(/closed or canceled/);
  });

  it('logs a call as a completed phone call with the native fields, plus a note on the contact', async () => {
    const p = syntheticPerson(1);
    const contact = emu.store.list('contacts').find((c) => c.emailaddress1 === p.email)!;
    const agent = emu.store.list('systemusers').find((u) => u.accessmode === 0 && !u.isdisabled)!;
    const notesBefore = emu.store.list('annotations').length;
    const ref = await crm.logCall(callWith(), {
      callId: 'native-1', direction: 'outbound', status: 'voicemail', startedAt: '2026-03-02T09:00:00Z', endedAt: '2026-03-02T09:02:01Z',
      from: '+14155550100', to: p.e164, agent: String(agent.internalemailaddress), contactId: String(contact.contactid), notes: 'Left a message',
    });
    const pc = emu.store.table('phonecalls').get(ref.id)!;
    expect(pc).toMatchObject({
      directioncode: true, statecode: 1, statuscode: 2, leftvoicemail: true, actualdurationminutes: 3, phonenumber: p.e164,
      actualstart: '2026-03-02T09:00:00.000Z', _regardingobjectid_value: contact.contactid, _ownerid_value: agent.systemuserid,
      subject: `Outbound call to ${p.e164} (voicemail)`,
    });
    expect(ref.url).toContain(`etn=phonecall&id=${ref.id}`);
    const notes = emu.store.list('annotations');
    expect(notes.length).toBe(notesBefore + 1);
    expect(notes.at(-1)).toMatchObject({ _objectid_value: contact.contactid, objecttypecode: 'contact' });
    expect(String(notes.at(-1)!.notetext)).toContain('Left a message');
    // Updating it reopens, changes and completes it again.
    await crm.updateCallLog(callWith(), ref, { status: 'answered', notes: 'Called back', durationSec: 200 });
    expect(emu.store.table('phonecalls').get(ref.id)).toMatchObject({ statecode: 1, statuscode: 2, leftvoicemail: false, actualdurationminutes: 4, subject: `Outbound call to ${p.e164}` });
  });

  it('finds a call-back task again by the exact "Call id:" line opening its description, regarding the same contact', async () => {
    const contact = emu.store.list('contacts')[2];
    const id = `dyn-cb-${Date.now()}`;
    const task = { subject: 'Call back the missed caller', contactId: String(contact.contactid), notes: 'Missed call' };
    // contains() on 'Call id: <id>' also matches the task of call '<id>-2': it must not be taken for this call's.
    const longer = await crm.createTask(callWith(), { ...task, callId: `${id}-2` });
    const first = await crm.createTask(callWith(), { ...task, callId: id });
    expect(first.id).not.toBe(longer.id);
    expect(emu.store.table('tasks').get(first.id)).toMatchObject({ description: `Call id: ${id}\n\nMissed call`, _regardingobjectid_value: contact.contactid });
    expect((await crm.createTask(callWith(), { ...task, callId: id })).id).toBe(first.id);
    expect((await crm.createTask(callWith(), { ...task, callId: `${id}-2` })).id).toBe(longer.id);
    expect(emu.store.list('tasks').filter((t) => String(t.description ?? '').includes(id))).toHaveLength(2);
  });

  it('finds accounts by phone, with the company name on contacts', async () => {
    const account = emu.store.list('accounts')[3]; // a London number, typed nationally
    const found = await crm.findContactsByPhone(callWith(), { phone: String(account.telephone1), defaultCountry: 'GB', kind: 'company' });
    expect(found.map((c) => c.id)).toContain(account.accountid);
    expect(found[0]).toMatchObject({ kind: 'company', company: account.name });
    const contact = emu.store.list('contacts')[0];
    const c = await crm.getContact(callWith(), { id: String(contact.contactid) });
    expect(c?.company).toBe(emu.store.list('accounts')[0].name);
    expect(c?.country).toBe('US');
  });

  it('resumes changes from a cursor and sees an edit', async () => {
    const pages = [];
    for await (const page of crm.listChanged(callWith(), { kind: 'person', cursor: null, pageSize: 50 })) pages.push(page);
    const cursor = pages.at(-1)!.cursor;
    const target = emu.store.list('contacts')[2];
    emu.store.update('contacts', String(target.contactid), { firstname: 'Edited' });
    const after = [];
    for await (const page of crm.listChanged(callWith(), { kind: 'person', cursor, pageSize: 50 })) after.push(...page.contacts);
    expect(after.map((c) => [c.externalId, c.firstName])).toEqual([[target.contactid, 'Edited']]);
    await expect((async () => { for await (const _ of crm.listChanged(callWith(), { kind: 'person', cursor: 'garbage', pageSize: 5 })) { /* */ } })()).rejects.toMatchObject({ code: 'invalid_params' });
  });

  it('tests a connection: names the organisation', async () => {
    expect(await dynamicsConnector.testConnection!(conn({ token: TOKEN }), fetch)).toMatchObject({ ok: true, account: 'Contoso (emulated)', accountId: emu.store.organizationId });
  });
});
