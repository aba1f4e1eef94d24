import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unifiedContactSchema, type UnifiedContactInput } from '../../core/contact';
import { HttpError } from '../../core/http-client';
import { PatchbayError } from '../../core/errors';
import { createTestContext } from '../../testing/run-fixture';
import { syntheticPerson } from '../kit/synthetic';
import { fillPathTemplate } from './client';
import { phonebookConfigSchema, type PhonebookConfigInput } from './config';
import { deleteContactBlock, deletePhonebookContact } from './delete-contact';
import { startPhoneSystemEmulator, type PhoneSystemEmulator, type PhoneSystemEmulatorOptions } from './emulator';
import { findByExternalIdBlock, findPhonebookContactByExternalId } from './find-by-external-id';
import { findByPhoneBlock, findPhonebookContactByPhone } from './find-by-phone';
import { listAllPhonebookIds, listContactsBlock, listPhonebookContacts } from './list-contacts';
import { phonesystemConnector } from './manifest';
import { fromPhonebookContact, samePhonebookContent, toPhonebookContact } from './map-contact';
import { routeCall, routeCallBlock } from './route-call';
import { upsertContactBlock, upsertPhonebookContact } from './upsert-contact';
import { DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, verifyWebhookSignature } from './webhook-signature';
import { connectorHarness } from '../../testing/connector-harness';

const TOKEN = 'ps-test-token';
const SEEDED = 7;
const input = { trigger: {}, nodeId: 'n1' };

let emu: PhoneSystemEmulator;
const extra: PhoneSystemEmulator[] = [];

beforeAll(async () => {
  emu = await startPhoneSystemEmulator({ contacts: SEEDED, token: TOKEN });
});
afterAll(async () => {
  await emu?.close();
  await Promise.all(extra.map((e) => e.close()));
});

async function another(o: PhoneSystemEmulatorOptions): Promise<PhoneSystemEmulator> {
  const e = await startPhoneSystemEmulator(o);
  extra.push(e);
  return e;
}

const { connection, callFor } = connectorHarness<PhoneSystemEmulator>('phonesystem', 'conn-ps', { token: TOKEN });

function ctxFor(e: PhoneSystemEmulator, credentials: Record<string, unknown> = { token: TOKEN }, defaultCountry = 'US') {
  return createTestContext({ customer: { id: 'c1', defaultCountry }, connections: { phonesystem: { id: 'conn-ps', system: 'phonesystem', baseUrl: e.url, credentials } } });
}

const rosa = (over: Partial<UnifiedContactInput> = {}) => unifiedContactSchema.parse({
  source: 'hubspot', externalId: '5001', kind: 'person', firstName: 'Rosa', lastName: 'Parks', company: 'Montgomery Ltd',
  email: 'rosa@example.com', phones: ['(202) 456-1111', '+1 415 200 1234', 'not a number'], country: 'US',
  crmUrl: 'https://app.hubspot.com/contacts/1/record/0-1/5001', custom: { city: 'Montgomery', score: 5, empty: null }, ...over,
});

describe('phonesystem: config and mapping', () => {
  it('defaults describe the reference API, so baseUrl + token is a whole connection', () => {
    const c = phonebookConfigSchema.parse({});
    expect(c.auth).toEqual({ kind: 'bearer' });
    expect(c.operations.findByPhone).toMatchObject({ method: 'GET', path: '/api/v1/phonebook/contacts?phone={phone}', resultPath: 'data' });
    expect(c.operations.listContacts.pagination).toEqual({ kind: 'cursor', cursorParam: 'cursor', nextCursorPath: 'next_cursor', limitParam: 'limit' });
    // A partial override keeps the other defaults of that operation.
    const custom = phonebookConfigSchema.parse({ operations: { updateContact: { method: 'PATCH' }, listContacts: { pagination: { kind: 'page' } } } });
    expect(custom.operations.updateContact).toMatchObject({ method: 'PATCH', path: '/api/v1/phonebook/contacts/{id}' });
    expect(custom.operations.listContacts.pagination).toEqual({ kind: 'page', pageParam: 'page', perPageParam: 'per_page', firstPage: 1 });
  });

  it('fills path templates: encoded in the path, raw in the query (a + stays a +)', () => {
    expect(fillPathTemplate('/c/{id}?phone={phone}&x=1', { id: 'a/b', phone: '+4930123' }, { ref: '{id}' })).toEqual({ path: '/c/a%2Fb', query: { phone: '+4930123', x: '1', ref: 'a/b' } });
    expect(() => fillPathTemplate('/c/{id}', {})).toThrow(/needs \{id\}/);
  });

  it('maps a CRM contact to a phonebook entry (E.164, typed numbers) and back', () => {
    const pb = toPhonebookContact(rosa(), { defaultCountry: 'US' });
    expect(pb).toEqual({
      id: null, externalId: '5001', source: 'hubspot', firstName: 'Rosa', lastName: 'Parks', company: 'Montgomery Ltd', isCompany: false,
      phones: [{ number: '+12024561111', type: 'work' }, { number: '+14152001234', type: 'mobile' }],
      email: 'rosa@example.com', crmUrl: 'https://app.hubspot.com/contacts/1/record/0-1/5001', customData: { city: 'Montgomery', score: 5 },
    });
    const back = fromPhonebookContact({ ...pb, id: '77' });
    expect(back).toMatchObject({ source: 'hubspot', externalId: '5001', kind: 'person', phones: ['+12024561111', '+14152001234'], custom: { city: 'Montgomery', score: 5, phonebookId: '77' } });
    const fields = phonebookConfigSchema.parse({}).fields;
    // Same content whatever the order of numbers or the type of custom values; a changed field differs.
    expect(samePhonebookContent({ ...pb, phones: [...pb.phones].reverse(), customData: { score: '5', city: 'Montgomery' } }, pb, fields)).toBe(true);
    expect(samePhonebookContent({ ...pb, email: 'other@example.com' }, pb, fields)).toBe(false);
  });
});

describe('phonesystem: phonebook against the reference emulator', () => {
  let rosaId = '';

  it('adds a new contact, then reports unchanged without writing, then updates a change', async () => {
    const added = await upsertContactBlock.run(ctxFor(emu), { contact: rosa() }, input);
    expect(added.output.action).toBe('added');
    rosaId = added.output.id;
    expect(emu.store.get(rosaId)).toMatchObject({
      externalId: '5001', source: 'hubspot', firstName: 'Rosa', phones: [{ number: '+12024561111', type: 'work' }, { number: '+14152001234', type: 'mobile' }],
      customData: { city: 'Montgomery', score: 5 },
    });
    expect(emu.stats).toMatchObject({ adds: 1, writes: 1 });

    const call = callFor(emu);
    const again = await upsertPhonebookContact(call, rosa());
    expect(again).toEqual({ action: 'unchanged', id: rosaId });
    expect(emu.stats.writes).toBe(1);
    expect(call.requestLog.map((r) => r.method)).toEqual(['GET']);

    const changed = await upsertPhonebookContact(callFor(emu), rosa({ email: 'rosa.parks@example.com', phones: ['(202) 456-1111'] }));
    expect(changed).toEqual({ action: 'updated', id: rosaId });
    expect(emu.store.get(rosaId)).toMatchObject({ email: 'rosa.parks@example.com', phones: [{ number: '+12024561111', type: 'work' }] });
    expect(emu.stats).toMatchObject({ adds: 1, updates: 1, writes: 2 });
  });

  it('claims a hand-typed entry with the same number, but never one that mirrors another record', async () => {
    const typed = emu.store.add({ firstName: 'Front', lastName: 'Desk', phones: [{ number: '+16462010000', type: 'work' }] });
    const r = await upsertPhonebookContact(callFor(emu), rosa({ externalId: '5002', firstName: 'Lena', lastName: 'Front', phones: ['(646) 201-0000'] }));
    expect(r).toEqual({ action: 'updated', id: typed.id });
    expect(emu.store.get(typed.id)).toMatchObject({ externalId: '5002', source: 'hubspot', firstName: 'Lena' });

    // Another CRM record sharing that number gets its own entry.
    const other = await upsertPhonebookContact(callFor(emu), rosa({ externalId: '5003', firstName: 'Mo', phones: ['(646) 201-0000'] }));
    expect(other.action).toBe('added');
    expect(other.id).not.toBe(typed.id);
    expect(emu.store.get(typed.id)?.firstName).toBe('Lena');
  });

  it('finds by phone (any format, as E.164) and by external id, with notFound ports', async () => {
    const byPhone = await findByPhoneBlock.run(ctxFor(emu), { phone: '(202) 456-1111' }, input);
    expect(byPhone.port).toBe('found');
    expect(byPhone.output.contact).toMatchObject({ id: rosaId, externalId: '5001', firstName: 'Rosa' });

    const seeded = syntheticPerson(3);
    const gb = await findPhonebookContactByPhone(callFor(emu), { phone: seeded.phoneAsTyped, defaultCountry: seeded.country });
    expect(gb.contact).toMatchObject({ externalId: 'crm-4', lastName: seeded.lastName, phones: [{ number: seeded.e164, type: 'work' }, { number: seeded.mobileE164, type: 'mobile' }] });

    const miss = await findByPhoneBlock.run(ctxFor(emu), { phone: '+1 212 555 0199' }, input);
    expect(miss).toMatchObject({ port: 'notFound', output: { found: false, contact: null } });
    const garbage = callFor(emu);
    expect(await findPhonebookContactByPhone(garbage, { phone: 'n/a' })).toEqual({ found: false, contact: null });
    expect(garbage.requestLog).toHaveLength(0);

    const byExt = await findByExternalIdBlock.run(ctxFor(emu), { externalId: '5001', source: 'hubspot' }, input);
    expect(byExt).toMatchObject({ port: 'found', output: { contact: { id: rosaId } } });
    expect((await findPhonebookContactByExternalId(callFor(emu), { externalId: '5001', source: 'salesforce' })).found).toBe(false);
    const none = await findByExternalIdBlock.run(ctxFor(emu), { externalId: 'nope' }, input);
    expect(none.port).toBe('notFound');
  });

  it('deletes by id and by external id; a missing entry is deleted: false', async () => {
    const tmp = emu.store.add({ externalId: 'tmp-1', source: 'crm', company: 'Temp Co', isCompany: true, phones: [] });
    const byExt = await deleteContactBlock.run(ctxFor(emu), { externalId: 'tmp-1', source: 'crm' }, input);
    expect(byExt.output).toEqual({ deleted: true, id: tmp.id });
    expect(emu.store.get(tmp.id)).toBeUndefined();
    expect(await deletePhonebookContact(callFor(emu), { id: tmp.id })).toEqual({ deleted: false, id: tmp.id });
    expect(await deletePhonebookContact(callFor(emu), { externalId: 'tmp-1' })).toEqual({ deleted: false, id: null });
    const seeded = emu.store.contacts()[0];
    expect((await deleteContactBlock.run(ctxFor(emu), { id: seeded.id }, input)).output.deleted).toBe(true);
    expect(emu.stats.deletes).toBe(2);
  });

  it('lists the phonebook across pages with the cursor, and streams every id', async () => {
    const expected = emu.store.contacts().map((c) => c.id);
    expect(expected.length).toBeGreaterThanOrEqual(9);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const r = await listContactsBlock.run(ctxFor(emu), { cursor, pageSize: 3 }, input);
      pages++;
      seen.push(...r.output.contacts.map((c) => c.id!));
      if (r.output.done) break;
      cursor = r.output.nextCursor;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual(expected);

    const streamed: { id: string; externalId: string | null }[][] = [];
    const call = callFor(emu);
    for await (const page of listAllPhonebookIds(call, { pageSize: 4 })) streamed.push(page);
    expect(streamed.length).toBeGreaterThanOrEqual(3);
    expect(streamed.flat().map((x) => x.id)).toEqual(expected);
    expect(streamed.flat().find((x) => x.id === rosaId)?.externalId).toBe('5001');
    expect(call.requestLog.every((r) => r.url.includes('limit=4'))).toBe(true);
  });

  it('routes a call and the emulator records the decision', async () => {
    const r = await routeCallBlock.run(ctxFor(emu), { callId: 'call-42', target: 'ada@example.com', targetType: 'user' }, input);
    expect(r.output).toMatchObject({ routed: true, callId: 'call-42', response: { status: 'routed', target: 'ada@example.com' } });
    expect(emu.store.routes().at(-1)).toMatchObject({ callId: 'call-42', target: 'ada@example.com', targetType: 'user' });
  });

  it('the connection test lists one entry', async () => {
    await expect(phonesystemConnector.testConnection!(connection(emu), fetch)).resolves.toMatchObject({ ok: true });
    expect(phonesystemConnector.blocks.map((b) => b.id).sort()).toEqual([
      'phonesystem.deleteContact', 'phonesystem.findByExternalId', 'phonesystem.findByPhone', 'phonesystem.listContacts', 'phonesystem.listUsers', 'phonesystem.routeCall', 'phonesystem.upsertContact',
    ]);
  });
});

describe('phonesystem: a differently shaped API from configuration alone', () => {
  const LEGACY: PhonebookConfigInput = {
    name: 'Acme PBX',
    auth: { kind: 'header', name: 'X-Api-Key' },
    operations: {
      addContact: { path: '/rest/addressbook/entries', bodyPath: 'entry', resultPath: 'entry' },
      updateContact: { method: 'PATCH', path: '/rest/addressbook/entries/{id}', bodyPath: 'entry', resultPath: 'entry' },
      deleteContact: { path: '/rest/addressbook/entries/{id}' },
      findByPhone: { path: '/rest/addressbook/entries?number={phone}', resultPath: 'entries' },
      findByExternalId: { path: '/rest/addressbook/entries', query: { ref: '{externalId}' }, resultPath: 'entries' },
      listContacts: { path: '/rest/addressbook/entries', resultPath: 'entries', pagination: { kind: 'page' }, pageSize: 100 },
      routeCall: { path: '/rest/calls/{callId}/transfer' },
    },
    fields: {
      id: 'uid', externalId: 'ref', source: 'origin', firstName: 'name.first', lastName: 'name.last', company: 'organisation', isCompany: 'is_org',
      phones: 'numbers', phoneNumber: 'e164', phoneType: 'label', email: 'mail', crmUrl: 'link', customData: 'extra',
    },
    routeFields: { target: 'destination', targetType: 'destination_type' },
  };

  it('adds, compares, patches, finds, pages, routes and deletes on the legacy dialect', async () => {
    const legacy = await another({ profile: 'legacy', token: 'acme-key', contacts: 4 });
    // The config arrives as JSON text, as from the connection form.
    const creds = { token: 'acme-key', config: JSON.stringify(LEGACY) };
    const call = () => callFor(legacy, creds);

    const added = await upsertPhonebookContact(call(), rosa());
    expect(added.action).toBe('added');
    expect(legacy.store.get(added.id)).toMatchObject({ externalId: '5001', firstName: 'Rosa', lastName: 'Parks', phones: [{ number: '+12024561111', type: 'work' }, { number: '+14152001234', type: 'mobile' }] });
    expect(await upsertPhonebookContact(call(), rosa())).toEqual({ action: 'unchanged', id: added.id });
    const patched = call();
    expect(await upsertPhonebookContact(patched, rosa({ lastName: 'McCauley' }))).toEqual({ action: 'updated', id: added.id });
    expect(patched.requestLog.map((r) => r.method)).toEqual(['GET', 'PATCH']);
    expect(legacy.store.get(added.id)?.lastName).toBe('McCauley');
    expect(legacy.stats).toMatchObject({ adds: 1, updates: 1 });

    const found = await findByPhoneBlock.run(ctxFor(legacy, creds), { phone: '+14152001234' }, input);
    expect(found.output.contact).toMatchObject({ id: added.id, lastName: 'McCauley', customData: { city: 'Montgomery', score: 5 } });
    expect((await findPhonebookContactByExternalId(call(), { externalId: 'crm-2' })).contact?.firstName).toBe(syntheticPerson(1).firstName);

    // Page paging: 5 entries, 2 a page → 3 pages, the short one ends it.
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await listPhonebookContacts(call(), { cursor, pageSize: 2 });
      ids.push(...page.contacts.map((c) => c.id!));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(ids).toEqual(legacy.store.contacts().map((c) => c.id));
    const streamed: string[] = [];
    for await (const page of listAllPhonebookIds(call(), { pageSize: 2 })) streamed.push(...page.map((x) => x.id));
    expect(streamed).toEqual(ids);

    await routeCall(call(), { callId: 'c-9', target: '+14152001234', targetType: 'number' });
    expect(legacy.store.routes()[0]).toMatchObject({ callId: 'c-9', target: '+14152001234', targetType: 'number' });

    expect(await deletePhonebookContact(call(), { externalId: '5001', source: 'hubspot' })).toEqual({ deleted: true, id: added.id });
    expect(legacy.store.get(added.id)).toBeUndefined();

    // The reference config's Bearer token is not what this API takes.
    const wrong = await findPhonebookContactByPhone(callFor(legacy, { token: 'acme-key' }), { phone: '+14152001234' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(HttpError);
  });

  it('supports basic and query-parameter auth', async () => {
    const basic = await another({ token: 's3cret', auth: { kind: 'basic', username: 'api' }, contacts: 2 });
    const viaBasic = await listPhonebookContacts(callFor(basic, { username: 'api', password: 's3cret', config: { auth: { kind: 'basic' } } }));
    expect(viaBasic.contacts).toHaveLength(2);
    const query = await another({ token: 'qtok', auth: { kind: 'query', param: 'api_key' }, contacts: 1 });
    const call = callFor(query, { token: 'qtok', config: { auth: { kind: 'query', param: 'api_key' } } });
    expect((await listPhonebookContacts(call)).contacts).toHaveLength(1);
    // The key is redacted from the request log.
    expect(call.requestLog[0].url).toContain('api_key=***');
  });

  it('names the broken field of an invalid config', async () => {
    const err = await listPhonebookContacts(callFor(emu, { token: TOKEN, config: { operations: { listContacts: { pagination: { kind: 'offset' } } } } })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PatchbayError);
    expect((err as PatchbayError).message).toMatch(/config is invalid at operations\.listContacts\.pagination.*reconnect the phone system/);
  });
});

describe('phonesystem: errors', () => {
  it('waits out a 429 with Retry-After and succeeds', async () => {
    const limited = await another({ token: TOKEN, contacts: 3, rateLimit: 5, rateWindowMs: 1000 });
    const call = callFor(limited);
    const p = syntheticPerson(2);
    for (let i = 0; i < 8; i++) expect((await findPhonebookContactByPhone(call, { phone: p.e164 })).found).toBe(true);
    expect(limited.stats.rateLimited).toBeGreaterThan(0);
    expect(call.requestLog.some((r) => r.status === 429)).toBe(true);
  });

  it('a rejected token is a connection error telling to reconnect the phone system', async () => {
    const err = await upsertContactBlock.run(ctxFor(emu, { token: 'wrong' }), { contact: rosa() }, input).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ kind: 'auth', code: 'connection_auth', status: 401 });
    expect((err as Error).message).toMatch(/^The phone system rejected the credentials: reconnect the phone system \(Invalid or missing API token/);
    await expect(listPhonebookContacts(callFor(emu, {}))).rejects.toThrow(/no API token: reconnect the phone system/);
  });

  it("surfaces the phone system's 400 message", async () => {
    const err = await upsertPhonebookContact(callFor(emu), rosa({ externalId: 'nameless', firstName: null, lastName: null, company: null })).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'bad_request', status: 400 });
    expect((err as Error).message).toMatch(/needs a firstName, lastName or company \[invalid_request\]/);
  });
});

describe('phonesystem: call webhooks', () => {
  const SECRET = 'whsec_test';
  let receiver: Server;
  let receiverUrl = '';
  const received: { headers: Record<string, string | string[] | undefined>; raw: string }[] = [];
  const answers: number[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(answers.shift() ?? 200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const addr = receiver.address();
    receiverUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}/hooks/phonesystem`;
  });
  afterAll(async () => { await new Promise<void>((r) => receiver.close(() => r())); });

  it('posts a signed call event that verifies only with the secret and the exact bytes', async () => {
    const e = await another({ token: TOKEN, webhookUrl: receiverUrl, webhookSecret: SECRET, webhookRetryDelayMs: 10 });
    received.length = 0;
    const d = await e.emitCall({ event: 'call.ended', callId: 'call-1', direction: 'inbound', from: '+12024561111', to: '+14152001234', agentEmail: 'ada@example.com', startedAt: '2026-02-01T10:00:00.000Z', durationSec: 95, status: 'answered' });
    expect(d).toMatchObject({ delivered: true, attempts: [{ status: 200 }] });
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit.headers[EVENT_HEADER]).toBe('call.ended');
    expect(hit.headers[DELIVERY_HEADER]).toBe(d.id);
    expect(JSON.parse(hit.raw)).toMatchObject({ deliveryId: d.id, event: 'call.ended', callId: 'call-1', from: '+12024561111', to: '+14152001234', agentEmail: 'ada@example.com', durationSec: 95, status: 'answered', recordingUrl: null });
    expect(verifyWebhookSignature(SECRET, hit.raw, hit.headers[SIGNATURE_HEADER])).toBe(true);
    expect(verifyWebhookSignature('other-secret', hit.raw, hit.headers[SIGNATURE_HEADER])).toBe(false);
    expect(verifyWebhookSignature(SECRET, hit.raw.replace('call-1', 'call-2'), hit.headers[SIGNATURE_HEADER])).toBe(false);
    expect(verifyWebhookSignature(SECRET, hit.raw, undefined)).toBe(false);
    expect(verifyWebhookSignature(SECRET, hit.raw, 'sha256=zz')).toBe(false);
  });

  it('re-delivers the same delivery id and bytes after a non-2xx answer, at most 3 times', async () => {
    const e = await another({ token: TOKEN, webhookUrl: receiverUrl, webhookSecret: SECRET, webhookRetryDelayMs: 10 });
    received.length = 0;
    answers.push(500, 503);
    const d = await e.emitCall({ event: 'recording.ready', callId: 'call-2', direction: 'outbound', from: '+14152001234', to: '+12024561111', startedAt: '2026-02-01T11:00:00.000Z', recordingUrl: 'https://pbx.example.com/rec/2.mp3' });
    expect(d.attempts.map((a) => a.status)).toEqual([500, 503, 200]);
    expect(d.delivered).toBe(true);
    expect(new Set(received.map((r) => r.headers[DELIVERY_HEADER]))).toEqual(new Set([d.id]));
    expect(new Set(received.map((r) => r.raw)).size).toBe(1);
    expect(received.every((r) => verifyWebhookSignature(SECRET, r.raw, r.headers[SIGNATURE_HEADER]))).toBe(true);

    received.length = 0;
    answers.push(500, 500, 500, 500, 500);
    const failed = await e.emitCall({ event: 'call.ringing', callId: 'call-3', direction: 'inbound', from: '+12024561111', to: '+14152001234', startedAt: '2026-02-01T12:00:00.000Z' });
    expect(failed.delivered).toBe(false);
    expect(failed.attempts).toHaveLength(4);
    expect(received).toHaveLength(4);
    expect(e.stats.webhookAttempts).toBe(7);
    answers.length = 0;
  });
});
