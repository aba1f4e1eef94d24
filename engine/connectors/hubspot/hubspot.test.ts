import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import { createTestContext, runFixture } from '../../testing/run-fixture';
import { buildAuthorizeUrl, exchangeCode } from '../kit/oauth2';
import { syntheticPerson } from '../kit/synthetic';
import { decodeCursor } from './changed-since';
import { createContact, createContactBlock } from './create-contact';
import { createTaskBlock } from './create-task';
import { startHubspotEmulator, type HubspotEmulator } from './emulator';
import { findCompanyByPhoneBlock } from './find-company-by-phone';
import { findContactById, findContactByIdBlock } from './find-contact-by-id';
import { findContactByPhone, findContactByPhoneBlock, phoneForms } from './find-contact-by-phone';
import { findUserByEmail, findUserByEmailBlock } from './find-user-by-email';
import { listAllIdsBlock } from './list-all-ids';
import { listCompaniesChangedBlock } from './list-companies-changed';
import { listContactsChanged, listContactsChangedBlock } from './list-contacts-changed';
import { logCallBlock } from './log-call';
import { hubspotConnector, hubspotContactSource } from './manifest';
import { countryToIso2 } from '../../core/country';
import { updateCallLogBlock } from './update-call-log';
import { connectorHarness } from '../../testing/connector-harness';

const TOKEN = 'pat-na1-test-token';
const PORTAL = 24_681_357;
const OAUTH = { clientId: 'hs-client', clientSecret: 'hs-secret' };

let emu: HubspotEmulator;

beforeAll(async () => {
  emu = await startHubspotEmulator({ contacts: 30, companies: 12, users: 3, token: TOKEN, portalId: PORTAL, oauth: OAUTH });
});
afterAll(async () => { await emu?.close(); });

const { connection, callFor } = connectorHarness<HubspotEmulator>('hubspot', 'conn-hubspot', { token: TOKEN });

function ctxFor(e: HubspotEmulator, defaultCountry = 'US', credentials: Record<string, unknown> = { token: TOKEN }) {
  return createTestContext({ customer: { id: 'c1', defaultCountry }, connections: { hubspot: { id: 'conn-hubspot', system: 'hubspot', baseUrl: e.url, credentials } } });
}

const input = { trigger: {}, nodeId: 'n1' };
const firstId = '100001';

describe('hubspot: lookups', () => {
  it('finds a contact by E.164, by the number as typed and by its mobile', async () => {
    const p0 = syntheticPerson(0);
    const byE164 = await findContactByPhoneBlock.run(ctxFor(emu), { phone: p0.e164 }, input);
    expect(byE164.port).toBe('found');
    expect(byE164.output.contact).toMatchObject({
      source: 'hubspot', externalId: firstId, kind: 'person', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Ltd',
      email: p0.email, phones: ['(202) 200-0000', '202.200.0000'], country: 'US',
      crmUrl: `https://app.hubspot.com/contacts/${PORTAL}/record/0-1/${firstId}`, ownerId: emu.store.owners[0].id,
      custom: { city: 'Washington', jobtitle: 'Office Manager', lifecyclestage: 'lead' },
    });
    expect(byE164.output.contact?.updatedAt).toBe(new Date(p0.updatedAt).toISOString());

    const typed = await findContactByPhoneBlock.run(ctxFor(emu), { phone: '(202) 200-0000' }, input);
    expect(typed.output.contact?.externalId).toBe(firstId);

    // GB contact 3: the mobile typed "07911 000003" is found from its E.164 and from the national form.
    const p3 = syntheticPerson(3);
    const mobile = await findContactByPhoneBlock.run(ctxFor(emu), { phone: p3.mobileE164! }, input);
    expect(mobile.output.contact).toMatchObject({ externalId: '100004', country: 'GB', phones: ['020 7000 0003', '07911 000003'] });
    const national = await findContactByPhoneBlock.run(ctxFor(emu, 'GB'), { phone: '020 7000 0003' }, input);
    expect(national.output.contact?.externalId).toBe('100004');
  });

  it('answers notFound for an unknown number and rejects a same-digits number of another country', async () => {
    const miss = await findContactByPhoneBlock.run(ctxFor(emu), { phone: '+1 202 555 0199' }, input);
    expect(miss).toMatchObject({ port: 'notFound', output: { found: false, contact: null } });

    // A US contact whose national digits equal a London number's: HubSpot's calculated property matches, we must not.
    const id = emu.store.add('contacts', { firstname: 'Maine', lastname: 'Caller', phone: '(207) 946-0123', country: 'United States' });
    expect(emu.store.get('contacts', id)?.properties.hs_searchable_calculated_phone_number).toBe('2079460123');
    const london = await findContactByPhone(callFor(emu), { phone: '+44 20 7946 0123', defaultCountry: 'GB' });
    expect(london.found).toBe(false);
    const maine = await findContactByPhone(callFor(emu), { phone: '+12079460123' });
    expect(maine.contact?.externalId).toBe(id);
    emu.store.remove('contacts', id);
  });

  it('finds a number stored with a country code from its national form', async () => {
    const id = emu.store.add('contacts', { firstname: 'Ute', lastname: 'Berlin', phone: '+49 30 12345678', country: 'Germany' });
    const r = await findContactByPhone(callFor(emu), { phone: '030 12345678', defaultCountry: 'DE' });
    expect(r.contact).toMatchObject({ externalId: id, country: 'DE', phones: ['+49 30 12345678'] });
    emu.store.remove('contacts', id);
  });

  it('finds a contact and a company by id, and notFound for a missing id', async () => {
    const found = await findContactByIdBlock.run(ctxFor(emu), { id: '100002', kind: 'person' }, input);
    expect(found.output.contact).toMatchObject({ externalId: '100002', firstName: 'Grace' });
    const company = await findContactByIdBlock.run(ctxFor(emu), { id: '200001', kind: 'company' }, input);
    expect(company.output.contact).toMatchObject({ kind: 'company', company: 'Analytical LLC', crmUrl: `https://app.hubspot.com/contacts/${PORTAL}/record/0-2/200001` });
    const call = callFor(emu);
    expect(await findContactById(call, { id: '999999' })).toEqual({ found: false, contact: null });
    expect(call.requestLog.at(-1)).toMatchObject({ status: 404 });
    const missing = await findContactByIdBlock.run(ctxFor(emu), { id: 'abc', kind: 'person' }, input);
    expect(missing.port).toBe('notFound');
  });

  it('finds a company by phone', async () => {
    const p = syntheticPerson(3_000_001);
    const r = await findCompanyByPhoneBlock.run(ctxFor(emu), { phone: p.e164 }, input);
    expect(r.port).toBe('found');
    expect(r.output.company).toMatchObject({ externalId: '200002', kind: 'company', company: 'Difference Labs', phones: ['(212) 500-0001'], country: 'US', custom: { domain: 'difference-labs.example.com' } });
    const none = await findCompanyByPhoneBlock.run(ctxFor(emu), { phone: '+1 415 555 0100' }, input);
    expect(none.port).toBe('notFound');
  });

  it('finds a user (owner) by email', async () => {
    const owner = emu.store.owners[1];
    const r = await findUserByEmailBlock.run(ctxFor(emu), { email: owner.email.toUpperCase() }, input);
    expect(r).toMatchObject({ port: 'found', output: { found: true, user: { id: owner.id, email: owner.email, name: `${owner.firstName} ${owner.lastName}` } } });
    expect((await findUserByEmailBlock.run(ctxFor(emu), { email: 'nobody@example.com' }, input)).port).toBe('notFound');
  });

  it('runs in a flow: look up the caller, log the call, answer', async () => {
    const flow = {
      name: 'hs call logging', automation: 'call_logging',
      nodes: [
        { id: 'trigger', type: 'trigger.webhook' },
        { id: 'lookup', type: 'hubspot.findContactByPhone', params: { phone: '=trigger.from' } },
        { id: 'log', type: 'hubspot.logCall', params: { contactId: '=steps.lookup.contact.externalId', direction: 'inbound', status: 'answered', durationSec: '=trigger.seconds', fromNumber: '=trigger.from', toNumber: '+12025550100' } },
        { id: 'done', type: 'respond.json', params: { body: { callId: '=steps.log.callId', contact: '=steps.lookup.contact.lastName' } } },
        { id: 'unknown', type: 'respond.json', params: { body: { callId: null } } },
      ],
      edges: [
        { id: 'a', source: 'trigger', target: 'lookup' },
        { id: 'b', source: 'lookup', sourcePort: 'found', target: 'log' },
        { id: 'c', source: 'log', target: 'done' },
        { id: 'd', source: 'lookup', sourcePort: 'notFound', target: 'unknown' },
      ],
    };
    const r = await runFixture(flow, { from: '+12122000001', seconds: 42 }, { connections: { hubspot: { id: 'conn-hubspot', system: 'hubspot', baseUrl: emu.url, credentials: { token: TOKEN } } } });
    expect(r.status).toBe('succeeded');
    expect(r.steps.map((s) => s.nodeId)).toEqual(['trigger', 'lookup', 'log', 'done']);
    const callId = (r.response?.body as { callId: string }).callId;
    expect(r.response?.body).toEqual({ callId, contact: 'Lovelace' });
    expect(emu.store.get('calls', callId)).toMatchObject({ properties: { hs_call_duration: '42000', hs_call_direction: 'INBOUND' }, associations: { contacts: ['100002'] } });
  });
});

describe('hubspot: writes', () => {
  it('creates a contact with HubSpot\'s calculated phone properties, and returns the existing one for a known email', async () => {
    const r = await createContactBlock.run(ctxFor(emu), { firstName: 'Nina', lastName: 'Simone', email: 'nina@example.com', phone: '0161 496 0000', country: 'United Kingdom', ownerId: emu.store.owners[2].id }, input);
    expect(r.port).toBe('created');
    expect(r.output.contact).toMatchObject({ firstName: 'Nina', phones: ['0161 496 0000'], country: 'GB', ownerId: emu.store.owners[2].id });
    const stored = emu.store.get('contacts', r.output.id)!;
    expect(stored.properties).toMatchObject({ hs_calculated_phone_number: '+441614960000', hs_searchable_calculated_phone_number: '1614960000' });
    const again = await createContact(callFor(emu), { email: 'NINA@example.com', firstName: 'Other' });
    expect(again).toEqual({ id: r.output.id, created: false, contact: null });
    emu.store.remove('contacts', r.output.id);
  });

  it('surfaces HubSpot\'s validation error for an unknown property', async () => {
    const err = await createContact(callFor(emu), { firstName: 'X', properties: { favourite_colour: 'blue' } }).catch((e) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.kind).toBe('bad_request');
    expect(err.message).toMatch(/HubSpot rejected the request \(400\).*favourite_colour.*VALIDATION_ERROR/);
  });

  it('logs a call with outcome, numbers, recording, notes and owner, then updates it', async () => {
    const owner = emu.store.owners[0].id;
    const logged = await logCallBlock.run(ctxFor(emu), {
      contactId: '100003', companyId: '200003', ownerId: owner, startedAt: '2026-11-20T10:15:00Z', durationSec: 95, direction: 'outbound', status: 'missed',
      fromNumber: '+12025550100', toNumber: '+14152000002', recordingUrl: 'https://rec.example.com/1.mp3', notes: 'Left <no> message\nCall back',
    }, input);
    const call = emu.store.get('calls', logged.output.callId)!;
    expect(logged.output).toMatchObject({ hsCallStatus: 'NO_ANSWER', disposition: '73a0d17f-1163-4015-bdd5-ec830791da20' });
    expect(call.properties).toMatchObject({
      hs_timestamp: '2026-11-20T10:15:00.000Z', hs_call_direction: 'OUTBOUND', hs_call_status: 'NO_ANSWER', hs_call_duration: '95000',
      hs_call_from_number: '+12025550100', hs_call_to_number: '+14152000002', hs_call_recording_url: 'https://rec.example.com/1.mp3',
      hs_call_body: 'Left &lt;no&gt; message<br>Call back', hubspot_owner_id: owner, hs_call_title: 'Outbound call (missed) to +14152000002',
    });
    expect(call.associations).toEqual({ contacts: ['100003'], companies: ['200003'] });

    const upd = await updateCallLogBlock.run(ctxFor(emu), { callId: logged.output.callId, notes: 'Customer called back', notesMode: 'append', status: 'answered', recordingUrl: 'https://rec.example.com/2.mp3' }, input);
    expect(upd.output.updated.sort()).toEqual(['hs_call_body', 'hs_call_disposition', 'hs_call_recording_url', 'hs_call_status']);
    expect(emu.store.get('calls', logged.output.callId)!.properties).toMatchObject({
      hs_call_body: 'Left &lt;no&gt; message<br>Call back<br><br>Customer called back', hs_call_status: 'COMPLETED',
      hs_call_disposition: 'f240bbac-87c9-4f6e-bf70-924b57d47db7', hs_call_recording_url: 'https://rec.example.com/2.mp3',
    });
  });

  it('creates a call-back task for a missed call', async () => {
    const r = await createTaskBlock.run(ctxFor(emu), { subject: 'Call back Alan', body: 'Missed call at 10:15', dueAt: '2026-11-21T09:00:00Z', ownerId: emu.store.owners[0].id, contactId: '100003', priority: 'HIGH', type: 'CALL' }, input);
    expect(emu.store.get('tasks', r.output.taskId)).toMatchObject({
      properties: { hs_task_subject: 'Call back Alan', hs_task_body: 'Missed call at 10:15', hs_task_status: 'NOT_STARTED', hs_task_priority: 'HIGH', hs_task_type: 'CALL', hs_timestamp: '2026-11-21T09:00:00.000Z' },
      associations: { contacts: ['100003'] },
    });
  });

  it('a call-back made with a call id is found again by its exact "Call id:" line, not by a longer id sharing its start', async () => {
    const crm = hubspotConnector.crm;
    const call = callFor(emu);
    const id = `cb-${Date.now()}`;
    const task = { subject: 'Call back Alan', contactId: '100003', notes: 'Missed call at 10:15' };
    // The task of call "<id>-2" matches the search for "*<id>*" too: it must not be taken for call <id>'s.
    const longer = await crm.createTask(call, { ...task, callId: `${id}-2` });
    const first = await crm.createTask(call, { ...task, callId: id });
    expect(first.id).not.toBe(longer.id);
    expect(emu.store.get('tasks', first.id)?.properties.hs_task_body).toBe(`Call id: ${id}<br><br>Missed call at 10:15`);
    expect((await crm.createTask(call, { ...task, callId: id })).id).toBe(first.id);
    expect((await crm.createTask(call, { ...task, callId: `${id}-2` })).id).toBe(longer.id);
    expect(emu.store.tasks().filter((t) => (t.properties.hs_task_body ?? '').includes(id))).toHaveLength(2);
  });
});

describe('hubspot: sync', () => {
  it('pages changed contacts oldest first across pages, then picks up an edit', async () => {
    const e = await startHubspotEmulator({ contacts: 25, companies: 0, users: 2, token: TOKEN });
    try {
      const call = callFor(e);
      const ids: string[] = [];
      const times: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      for (;;) {
        const r = await listContactsChangedBlock.run(ctxFor(e), { cursor, pageSize: 10 }, input);
        pages++;
        ids.push(...r.output.contacts.map((c) => c.externalId));
        times.push(...r.output.contacts.map((c) => c.updatedAt!));
        cursor = r.output.nextCursor;
        if (r.output.done) break;
      }
      expect(pages).toBe(3);
      expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => String(100_001 + i)));
      expect([...times].sort()).toEqual(times);

      const nothing = await listContactsChanged(call, { cursor, pageSize: 10 });
      expect(nothing).toEqual({ contacts: [], nextCursor: cursor, done: true });

      e.store.update('contacts', '100005', { jobtitle: 'CEO' });
      const after = await listContactsChanged(call, { cursor, pageSize: 10 });
      expect(after.contacts.map((c) => [c.externalId, c.custom.jobtitle])).toEqual([['100005', 'CEO']]);
      expect(after.done).toBe(true);
    } finally { await e.close(); }
  });

  it('streams from the ContactSource with a resumable cursor, without gaps or duplicates on tied modified times', async () => {
    const e = await startHubspotEmulator({ contacts: 20, companies: 0, users: 1, token: TOKEN });
    try {
      // Four records changed in the same millisecond, straddling page boundaries.
      const tie = Date.now() + 10_000;
      for (const id of ['100003', '100008', '100011', '100017']) e.store.update('contacts', id, { lifecyclestage: 'customer' }, tie);
      const call = callFor(e);
      const pages = [];
      for await (const p of hubspotContactSource.listChanged(call, { kind: 'person', cursor: null, pageSize: 6 })) pages.push(p);
      const all = pages.flatMap((p) => p.contacts.map((c) => c.externalId));
      expect(all).toHaveLength(20);
      expect(new Set(all).size).toBe(20);
      expect(all.slice(-4).sort()).toEqual(['100003', '100008', '100011', '100017']);
      expect(pages.every((p) => p.kind === 'person')).toBe(true);

      // Resume after every page: the rest is exactly what followed.
      for (let i = 0; i < pages.length; i++) {
        const rest = [];
        for await (const p of hubspotContactSource.listChanged(call, { kind: 'person', cursor: pages[i].cursor, pageSize: 6 })) rest.push(...p.contacts.map((c) => c.externalId));
        expect(rest).toEqual(pages.slice(i + 1).flatMap((p) => p.contacts.map((c) => c.externalId)));
      }
      expect(decodeCursor(pages.at(-1)!.cursor)).toEqual({ t: tie, ids: expect.arrayContaining(['100003', '100008', '100011', '100017']) });
    } finally { await e.close(); }
  });

  it('lists every live id in pages, without deleted records', async () => {
    const e = await startHubspotEmulator({ contacts: 23, companies: 5, users: 1, token: TOKEN });
    try {
      e.store.remove('contacts', '100010');
      const pages: string[][] = [];
      for await (const ids of hubspotContactSource.listAllIds(callFor(e), { kind: 'person', pageSize: 5 })) pages.push(ids);
      expect(pages.length).toBe(5);
      const all = pages.flat();
      expect(all).toHaveLength(22);
      expect(all).not.toContain('100010');
      expect(all).toEqual(e.store.list('contacts').map((c) => c.id));

      const first = await listAllIdsBlock.run(ctxFor(e), { kind: 'company', pageSize: 3 }, input);
      expect(first.output).toEqual({ ids: ['200001', '200002', '200003'], nextCursor: '200004', done: false });
      const second = await listAllIdsBlock.run(ctxFor(e), { kind: 'company', pageSize: 3, cursor: first.output.nextCursor }, input);
      expect(second.output).toEqual({ ids: ['200004', '200005'], nextCursor: null, done: true });
    } finally { await e.close(); }
  });

  it('lists changed companies', async () => {
    const r = await listCompaniesChangedBlock.run(ctxFor(emu), { pageSize: 5 }, input);
    expect(r.output.contacts).toHaveLength(5);
    expect(r.output.contacts[0]).toMatchObject({ kind: 'company', externalId: '200001', company: 'Analytical LLC' });
    expect(r.output.done).toBe(false);
  });

  it('gets past the search API\'s 10,000-result cap, which the emulator enforces', async () => {
    const e = await startHubspotEmulator({ contacts: 10_450, companies: 0, users: 1, token: TOKEN });
    try {
      const deep = await fetch(`${e.url}/crm/v3/objects/contacts/search`, {
        method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }], limit: 100, after: '10000' }),
      });
      expect(deep.status).toBe(400);
      expect(await deep.json()).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', message: expect.stringContaining('10000') });

      let count = 0;
      let last = '';
      const seen = new Set<string>();
      for await (const p of hubspotContactSource.listChanged(callFor(e), { kind: 'person', cursor: null, pageSize: 200 })) {
        for (const c of p.contacts) { seen.add(c.externalId); expect(c.updatedAt! >= last).toBe(true); last = c.updatedAt!; count++; }
      }
      expect(count).toBe(10_450);
      expect(seen.size).toBe(10_450);
    } finally { await e.close(); }
  });
});

describe('hubspot: transport', () => {
  it('waits out a 429 with Retry-After and succeeds', async () => {
    const e = await startHubspotEmulator({ contacts: 5, companies: 0, users: 2, token: TOKEN, rateLimit: 5, rateWindowMs: 1000 });
    try {
      const call = callFor(e);
      const seen: number[] = [];
      call.onRateLimit = (i) => { if (i.remaining !== undefined) seen.push(i.remaining); };
      for (let i = 0; i < 7; i++) expect((await findUserByEmail(call, { email: e.store.owners[0].email })).found).toBe(true);
      expect(e.stats.rateLimited).toBeGreaterThan(0);
      expect(call.requestLog.some((r) => r.status === 429)).toBe(true);
      expect(call.requestLog.filter((r) => r.status === 200)).toHaveLength(7);
      expect(seen).toContain(0);

      // HubSpot's headers on every answer, and its 429 body once the budget is spent.
      e.setRateLimit(1, 60_000);
      const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
      const okRes = await fetch(`${e.url}/crm/v3/owners`, auth);
      expect(okRes.status).toBe(200);
      expect([okRes.headers.get('x-hubspot-ratelimit-max'), okRes.headers.get('x-hubspot-ratelimit-remaining'), okRes.headers.get('x-hubspot-ratelimit-interval-milliseconds')]).toEqual(['1', '0', '60000']);
      const limited = await fetch(`${e.url}/crm/v3/owners`, auth);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.json()).toMatchObject({ status: 'error', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING', message: 'You have reached your ten_secondly_rolling limit.' });
    } finally { await e.close(); }
  });

  it('turns a rejected token into a clear connection error', async () => {
    const err = await findContactByPhoneBlock.run(ctxFor(emu, 'US', { token: 'wrong' }), { phone: '+12022000000' }, input).catch((x) => x);
    expect(err).toBeInstanceOf(PatchbayError);
    expect(err.code).toBe('connection_auth');
    expect(err.message).toMatch(/HubSpot rejected the credentials: reconnect HubSpot.*INVALID_AUTHENTICATION/);
    const none = await findContactByPhoneBlock.run(ctxFor(emu, 'US', {}), { phone: '+12022000000' }, input).catch((x) => x);
    expect(none.message).toMatch(/reconnect HubSpot/);
  });

  it('retries a 5xx and surfaces it with the request log when it persists', async () => {
    const e = await startHubspotEmulator({ contacts: 3, companies: 0, users: 1, token: TOKEN });
    try {
      const ok = callFor(e, undefined, { maxRetries: 3, backoffMs: 1 });
      e.failNext(2);
      expect((await findContactById(ok, { id: '100001' })).found).toBe(true);
      expect(ok.requestLog.map((r) => r.status)).toEqual([503, 503, 200, 200]);

      const bad = callFor(e, undefined, { maxRetries: 2, backoffMs: 1 });
      e.failNext(10);
      const err = await findContactByPhone(bad, { phone: '+12022000000' }).catch((x) => x);
      expect(err).toBeInstanceOf(HttpError);
      expect(err.kind).toBe('server');
      expect(err.message).toMatch(/HubSpot failed with 503/);
      expect(err.requestLog).toHaveLength(3);
      expect((err.details as { requestLog: unknown[] }).requestLog).toHaveLength(3);
      e.failNext(0);
    } finally { await e.close(); }
  });

  it('connects with OAuth and refreshes an expired access token', async () => {
    const redirectUri = 'http://localhost:3000/oauth/callback';
    const authorize = buildAuthorizeUrl(`${emu.url}/oauth/authorize`, { clientId: OAUTH.clientId, redirectUri, state: 'st-1', scopes: ['crm.objects.contacts.read'] });
    const res = await fetch(authorize, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st-1');
    const tokens = await exchangeCode(fetch, { tokenUrl: `${emu.url}/oauth/v1/token`, ...OAUTH }, back.searchParams.get('code')!, redirectUri);
    expect(tokens.accessToken).toMatch(/^at_/);

    const saved: Record<string, unknown>[] = [];
    const credentials = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt, ...OAUTH };
    const call = callFor(emu, credentials, {}, saved);
    expect((await findContactById(call, { id: firstId })).found).toBe(true);
    expect(saved).toHaveLength(0);

    emu.expireAccessTokens();
    expect((await findContactById(call, { id: '100002' })).found).toBe(true);
    expect(call.requestLog.map((r) => r.status)).toContain(401);
    expect(saved).toHaveLength(1);
    expect(saved[0].accessToken).not.toBe(tokens.accessToken);
    expect(saved[0].refreshToken).toBe(tokens.refreshToken);
  });

  it('checks the connection against the account details', async () => {
    expect(await hubspotConnector.testConnection!(connection(emu), fetch)).toEqual({ ok: true, account: `HubSpot portal ${PORTAL}`, accountId: String(PORTAL) });
    await expect(hubspotConnector.testConnection!(connection(emu, { token: 'nope' }), fetch)).rejects.toThrow(/reconnect HubSpot/);
  });
});

describe('hubspot: helpers', () => {
  it('reads free-text countries as ISO codes', () => {
    expect(countryToIso2('United States')).toBe('US');
    expect(countryToIso2('germany')).toBe('DE');
    expect(countryToIso2('UK')).toBe('GB');
    expect(countryToIso2('fr')).toBe('FR');
    expect(countryToIso2('United Kingdom')).toBe('GB');
    expect(countryToIso2('Burma')).toBe('MM');
    expect(countryToIso2('Atlantis')).toBeNull();
    expect(countryToIso2('')).toBeNull();
  });

  it('derives the written forms of a number to match stored strings', () => {
    const f = phoneForms('+44 20 7946 0123');
    expect(f).toMatchObject({ e164: '+442079460123', nationalDigits: '2079460123' });
    expect(f.strings).toEqual(expect.arrayContaining(['+44 20 7946 0123', '+442079460123', '020 7946 0123', '02079460123']));
    expect(phoneForms('12', 'US')).toEqual({ e164: null, nationalDigits: null, strings: ['12'] });
  });

  it('declares every block under the hubspot connector', () => {
    expect(hubspotConnector.blocks.map((b) => b.id).sort()).toEqual([
      // Lookups and writes are the generic crm.* blocks; only the change pages stay per CRM.
      'hubspot.listAllIds', 'hubspot.listCompaniesChanged', 'hubspot.listContactsChanged',
    ]);
  });
});
