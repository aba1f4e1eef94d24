import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PatchbayError } from '../../core/errors';
import { HttpError } from '../../core/http-client';
import { createTestContext, runFixture } from '../../testing/run-fixture';
import type { ConnectorCall } from '../kit/contact-source';
import { buildAuthorizeUrl, exchangeCode } from '../kit/oauth2';
import { syntheticPerson } from '../kit/synthetic';
import { readSalesforceRateLimit, salesforceErrorMessage } from './client';
import { createContact, salesforceCreateContact } from './create-contact';
import { salesforceCreateTask } from './create-task';
import { caseSafeId, salesforceId, startSalesforceEmulator, type SalesforceEmulator } from './emulator';
import { salesforceFindCompanyByPhone } from './find-company-by-phone';
import { findContactById, salesforceFindContactById } from './find-contact-by-id';
import { findContactByPhone, salesforceFindContactByPhone } from './find-contact-by-phone';
import { findUserByEmail, salesforceFindUserByEmail } from './find-user-by-email';
import { decodeCursor } from './list-changed';
import { salesforceListAllIds } from './list-all-ids';
import { salesforceListCompaniesChanged } from './list-companies-changed';
import { salesforceListContactsChanged } from './list-contacts-changed';
import { logCall, salesforceLogCall } from './log-call';
import { salesforceConnector, salesforceContactSource } from './manifest';
import { countryToIso2 } from '../../core/country';
import { phoneSearchTerms } from './search-by-phone';
import { salesforceUpdateCallLog } from './update-call-log';
import { connectorHarness } from '../../testing/connector-harness';

const TOKEN = '00D5g000004ABCD!AQ4AQEmulatorSessionToken';
const OAUTH = { clientId: '3MVG9sf-emulator-client', clientSecret: 'sf-secret' };
const input = { trigger: {}, nodeId: 'n1' };

let emu: SalesforceEmulator;

beforeAll(async () => {
  emu = await startSalesforceEmulator({ contacts: 450, companies: 20, users: 3, token: TOKEN, oauth: OAUTH });
});
afterAll(async () => { await emu?.close(); });

const { connection, callFor } = connectorHarness<SalesforceEmulator>('salesforce', 'conn-sf', { token: TOKEN });

function ctxFor(e: SalesforceEmulator, defaultCountry = 'US', credentials: Record<string, unknown> = { token: TOKEN }) {
  return createTestContext({ customer: { id: 'c1', defaultCountry }, connections: { salesforce: { id: 'conn-sf', system: 'salesforce', baseUrl: e.url, credentials } } });
}

const contactAt = (i: number) => emu.store.list('Contact')[i];

describe('salesforce: lookups', () => {
  it('finds a contact by E.164, by the number as typed and by its mobile', async () => {
    const p0 = syntheticPerson(0);
    const c0 = contactAt(0);
    const byE164 = await salesforceFindContactByPhone.run(ctxFor(emu), { phone: p0.e164 }, input);
    expect(byE164.port).toBe('found');
    expect(byE164.output.contact).toMatchObject({
      source: 'salesforce', externalId: c0.Id, kind: 'person', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Ltd',
      email: p0.email, phones: ['(202) 200-0000', '202.200.0000'], country: 'US',
      crmUrl: `${emu.url}/lightning/r/Contact/${c0.Id}/view`, ownerId: c0.OwnerId,
      custom: { Title: 'Engineer', Department: 'R&D', MailingCity: 'Washington', AccountId: c0.AccountId },
    });
    expect(byE164.output.contact?.updatedAt).toBe(new Date(p0.updatedAt).toISOString());

    const typed = await salesforceFindContactByPhone.run(ctxFor(emu), { phone: '202-200-0000' }, input);
    expect(typed.output.contact?.externalId).toBe(c0.Id);

    // GB contact 3: mobile typed "07911 000003", found from E.164 and from the national form.
    const p3 = syntheticPerson(3);
    const mobile = await salesforceFindContactByPhone.run(ctxFor(emu), { phone: p3.mobileE164! }, input);
    expect(mobile.output.contact).toMatchObject({ externalId: contactAt(3).Id, country: 'GB', phones: ['020 7000 0003', '07911 000003'] });
    const national = await salesforceFindContactByPhone.run(ctxFor(emu, 'GB'), { phone: '020 7000 0003' }, input);
    expect(national.output.contact?.externalId).toBe(contactAt(3).Id);
  });

  it('answers notFound for an unknown number and rejects a same-digits number of another country', async () => {
    const miss = await salesforceFindContactByPhone.run(ctxFor(emu), { phone: '+1 202 555 0199' }, input);
    expect(miss).toMatchObject({ port: 'notFound', output: { found: false, contact: null, matchCount: 0 } });

    // A Maine number with the digits of a London one: SOSL returns it for "2079460123", the check drops it.
    const maine = emu.store.addContact({ LastName: 'Caller', Phone: '(207) 946-0123', MailingCountry: 'United States' });
    try {
      const london = await findContactByPhone(callFor(emu), { phone: '+44 20 7946 0123' });
      expect(london.found).toBe(false);
      const us = await findContactByPhone(callFor(emu), { phone: '+1 207 946 0123' });
      expect(us.contact?.externalId).toBe(maine.Id);
    } finally { emu.store.deleteContact(maine.Id); }
  });

  it('finds a number stored with a country code, or with "(0)", from its national form', async () => {
    const a = emu.store.addContact({ LastName: 'Intl', Phone: '+49 30 901820', MailingCountry: 'Germany' });
    const b = emu.store.addContact({ LastName: 'Trunk', MobilePhone: '+44 (0)7911 123456', MailingCountry: 'UK' });
    try {
      expect((await findContactByPhone(callFor(emu), { phone: '030 901820', defaultCountry: 'DE' })).contact?.externalId).toBe(a.Id);
      expect((await findContactByPhone(callFor(emu), { phone: '07911 123456', defaultCountry: 'GB' })).contact?.externalId).toBe(b.Id);
    } finally { emu.store.deleteContact(a.Id); emu.store.deleteContact(b.Id); }
  });

  it('finds a contact by id (18 or 15 characters), and notFound for a missing or malformed id', async () => {
    const c5 = contactAt(5);
    const r = await salesforceFindContactById.run(ctxFor(emu), { id: c5.Id }, input);
    expect(r).toMatchObject({ port: 'found', output: { found: true, contact: { externalId: c5.Id, firstName: 'Margaret', country: 'FR' } } });
    expect((await findContactById(callFor(emu), { id: c5.Id.slice(0, 15) })).contact?.externalId).toBe(c5.Id);
    expect((await salesforceFindContactById.run(ctxFor(emu), { id: salesforceId('003', 9_999_999) }, input)).port).toBe('notFound');
    const malformed = callFor(emu);
    expect(await findContactById(malformed, { id: "x' OR Name != '" })).toEqual({ found: false, contact: null });
    expect(malformed.requestLog).toHaveLength(0);
  });

  it('finds an account by phone', async () => {
    const acc = emu.store.list('Account')[2];
    const r = await salesforceFindCompanyByPhone.run(ctxFor(emu), { phone: acc.Phone as string }, input);
    expect(r.port).toBe('found');
    expect(r.output.company).toMatchObject({ source: 'salesforce', kind: 'company', externalId: acc.Id, company: acc.Name, phones: [acc.Phone], crmUrl: `${emu.url}/lightning/r/Account/${acc.Id}/view` });
    expect((await salesforceFindCompanyByPhone.run(ctxFor(emu), { phone: '+1 415 555 0000' }, input)).port).toBe('notFound');
  });

  it('finds an active user by email, case-insensitively', async () => {
    const u = emu.store.list('User')[1];
    const r = await salesforceFindUserByEmail.run(ctxFor(emu), { email: String(u.Email).toUpperCase() }, input);
    expect(r).toEqual({ output: { found: true, user: { id: u.Id, email: u.Email, name: u.Name } }, port: 'found' });
    expect((await salesforceFindUserByEmail.run(ctxFor(emu), { email: "nobody'@example.com" }, input)).port).toBe('notFound');
    emu.store.update('User', u.Id, { IsActive: false });
    try {
      expect((await findUserByEmail(callFor(emu), { email: String(u.Email) })).found).toBe(false);
    } finally { emu.store.update('User', u.Id, { IsActive: true }); }
  });

  it('runs in a flow: look up the caller, log the call on the owner, answer', async () => {
    const flow = {
      name: 'sf call logging', automation: 'call_logging',
      nodes: [
        { id: 'trigger', type: 'trigger.webhook' },
        { id: 'lookup', type: 'salesforce.findContactByPhone', params: { phone: '=trigger.from' } },
        { id: 'log', type: 'salesforce.logCall', params: { contactId: '=steps.lookup.contact.externalId', ownerId: '=steps.lookup.contact.ownerId', direction: 'inbound', status: 'answered', startedAt: '=trigger.at', durationSec: '=trigger.seconds', from: '=trigger.from', to: '+12025550100' } },
        { id: 'done', type: 'respond.json', params: { body: { taskId: '=steps.log.taskId', contact: '=steps.lookup.contact.lastName' } } },
        { id: 'unknown', type: 'respond.json', params: { body: { taskId: null } } },
      ],
      edges: [
        { id: 'a', source: 'trigger', target: 'lookup' },
        { id: 'b', source: 'lookup', sourcePort: 'found', target: 'log' },
        { id: 'c', source: 'log', target: 'done' },
        { id: 'd', source: 'lookup', sourcePort: 'notFound', target: 'unknown' },
      ],
    };
    const r = await runFixture(flow, { from: '+12122000001', seconds: 42, at: '2026-03-02T10:15:00Z' }, { connections: { salesforce: { id: 'conn-sf', system: 'salesforce', baseUrl: emu.url, credentials: { token: TOKEN } } } });
    expect(r.status).toBe('succeeded');
    expect(r.steps.map((s) => s.nodeId)).toEqual(['trigger', 'lookup', 'log', 'done']);
    const taskId = (r.response?.body as { taskId: string }).taskId;
    expect(r.response?.body).toEqual({ taskId, contact: 'Lovelace' });
    expect(emu.store.get('Task', taskId)).toMatchObject({ TaskSubtype: 'Call', CallType: 'Inbound', CallDurationInSeconds: 42, WhoId: contactAt(1).Id, OwnerId: contactAt(1).OwnerId, ActivityDate: '2026-03-02' });
    expect(r.byNode.lookup.requestLog?.[0].url).toMatch(/^\/services\/data\/v59\.0\/search\?q=FIND/);
  });
});

describe('salesforce: writes', () => {
  it('creates a contact and reads it back with its account', async () => {
    const acc = emu.store.list('Account')[0];
    const r = await salesforceCreateContact.run(ctxFor(emu), { firstName: 'Radia', lastName: 'Perlman', email: 'radia@example.com', phone: '+1 (415) 555-0142', accountId: acc.Id, country: 'United States', fields: { Languages__c: 'English' } }, input);
    const stored = emu.store.get('Contact', r.output.id)!;
    expect(stored).toMatchObject({ FirstName: 'Radia', LastName: 'Perlman', Name: 'Radia Perlman', Phone: '+1 (415) 555-0142', AccountId: acc.Id, OwnerId: emu.store.apiUserId, Languages__c: 'English' });
    expect(r.output).toMatchObject({ id: stored.Id, crmUrl: `${emu.url}/lightning/r/Contact/${stored.Id}/view`, contact: { company: acc.Name, country: 'US', phones: ['+1 (415) 555-0142'] } });
    expect((await findContactByPhone(callFor(emu), { phone: '4155550142', defaultCountry: 'US' })).contact?.externalId).toBe(stored.Id);

    const unknown = await createContact(callFor(emu), { phone: '+44 20 7946 0999' });
    expect(emu.store.get('Contact', unknown.id)).toMatchObject({ LastName: 'Unknown caller', FirstName: null });
  });

  it("surfaces Salesforce's validation errors", async () => {
    const err = await createContact(callFor(emu), { lastName: 'X', email: 'not-an-email' }).catch((x) => x);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.code).toBe('upstream_error');
    expect(err.message).toBe('Salesforce rejected the request (400): INVALID_EMAIL_ADDRESS: Email: invalid email address: not-an-email');
    const unknownField = await createContact(callFor(emu), { lastName: 'X', fields: { Shoe_Size: 42 } }).catch((x) => x);
    expect(unknownField.message).toMatch(/INVALID_FIELD: No such column 'Shoe_Size' on sobject of type Contact/);
  });

  it('logs a call as a call Task with type, duration, result, numbers, recording and notes, then updates it', async () => {
    const c = contactAt(7);
    const owner = emu.store.list('User')[2];
    const logged = await salesforceLogCall.run(ctxFor(emu), {
      contactId: c.Id, ownerId: owner.Id, direction: 'outbound', status: 'no-answer', startedAt: '2026-03-02T23:30:00+01:00', durationSec: 0,
      from: '+12025550100', to: c.Phone as string, recordingUrl: 'https://rec.example/1.mp3', notes: 'Tried once', callId: 'call-77',
    }, input);
    const task = emu.store.get('Task', logged.output.taskId)!;
    expect(logged.output.crmUrl).toBe(`${emu.url}/lightning/r/Task/${task.Id}/view`);
    expect(task).toMatchObject({
      TaskSubtype: 'Call', Type: 'Call', Status: 'Completed', IsClosed: true, CallType: 'Outbound', CallDurationInSeconds: 0, CallDisposition: 'No answer', CallObject: 'call-77',
      WhoId: c.Id, AccountId: c.AccountId, OwnerId: owner.Id, ActivityDate: '2026-03-02', Subject: `No answer – Outbound call to ${c.Phone}`,
    });
    expect(task.Description).toBe(`Outbound call, no answer\nFrom: +12025550100\nTo: ${c.Phone}\nStarted: 2026-03-02T22:30:00.000Z\nDuration: 0s\nRecording: https://rec.example/1.mp3\n\nTried once`);

    const upd = await salesforceUpdateCallLog.run(ctxFor(emu), { taskId: task.Id, notes: 'Called back, all good', replaceNotes: false, status: 'answered', durationSec: 95, recordingUrl: 'https://rec.example/2.mp3' }, input);
    expect(upd.output.updated.sort()).toEqual(['CallDisposition', 'CallDurationInSeconds', 'Description']);
    expect(emu.store.get('Task', task.Id)).toMatchObject({ TaskSubtype: 'Call', CallDisposition: 'Answered', CallDurationInSeconds: 95 });
    expect(emu.store.get('Task', task.Id)!.Description).toBe(`Outbound call, no answer\nFrom: +12025550100\nTo: ${c.Phone}\nStarted: 2026-03-02T22:30:00.000Z\nDuration: 0s\nRecording: https://rec.example/2.mp3\n\nTried once\n\nCalled back, all good`);

    const missing = await salesforceUpdateCallLog.run(ctxFor(emu), { taskId: salesforceId('00T', 9_999_999), replaceNotes: false, disposition: 'x' }, input).catch((x) => x);
    expect(missing.code).toBe('not_found');
    expect(missing.message).toMatch(/NOT_FOUND: The requested resource does not exist/);
  });

  it('logs a call without a known contact and rejects an unknown owner', async () => {
    const r = await logCall(callFor(emu), { direction: 'inbound', status: 'missed', startedAt: '2026-03-03T08:00:00Z', from: '+15550001111' });
    expect(emu.store.get('Task', r.taskId)).toMatchObject({ WhoId: null, CallType: 'Inbound', CallDisposition: 'Missed', Subject: 'Missed – Inbound call from +15550001111' });
    const err = await logCall(callFor(emu), { direction: 'inbound', startedAt: '2026-03-03T08:00:00Z', ownerId: salesforceId('005', 9_999_999) }).catch((x) => x);
    expect(err.message).toMatch(/INVALID_CROSS_REFERENCE_KEY/);
  });

  it('creates a call-back task for a missed call', async () => {
    const c = contactAt(9);
    const r = await salesforceCreateTask.run(ctxFor(emu), { subject: 'Call back +12025550100', contactId: c.Id, ownerId: c.OwnerId as string, priority: 'High', dueDate: '2026-03-04', reminderAt: '2026-03-04T09:00:00Z' }, input);
    expect(emu.store.get('Task', r.output.taskId)).toMatchObject({
      Subject: 'Call back +12025550100', TaskSubtype: 'Task', Status: 'Not Started', IsClosed: false, Priority: 'High', ActivityDate: '2026-03-04', WhoId: c.Id, OwnerId: c.OwnerId,
      IsReminderSet: true, ReminderDateTime: '2026-03-04T09:00:00.000+0000',
    });
    expect(emu.store.calls().map((t) => t.Id)).not.toContain(r.output.taskId);
  });

  it('a call-back and the call log share the call id in CallObject, and each finds only its own Task again', async () => {
    const crm = salesforceConnector.crm;
    const call = callFor(emu);
    const c = contactAt(10);
    const callId = `sf-cb-${Date.now()}`;
    const log = await crm.logCall(call, { direction: 'inbound', status: 'missed', startedAt: '2026-03-04T08:00:00Z', durationSec: 0, contactId: c.Id, callId });
    const task = await crm.createTask(call, { subject: 'Call back the missed caller', contactId: c.Id, callId });
    expect(task.id).not.toBe(log.id);
    expect(emu.store.get('Task', task.id)).toMatchObject({ CallObject: callId, TaskSubtype: 'Task', WhoId: c.Id, IsClosed: false });
    expect((await crm.createTask(call, { subject: 'Call back the missed caller', contactId: c.Id, callId })).id).toBe(task.id);
    expect((await crm.logCall(call, { direction: 'inbound', status: 'missed', startedAt: '2026-03-04T08:00:00Z', durationSec: 0, contactId: c.Id, callId })).id).toBe(log.id);
    expect(emu.store.list('Task').filter((t) => t.CallObject === callId)).toHaveLength(2);
  });
});

describe('salesforce: sync', () => {
  it('pages changed contacts oldest first across pages, then picks up an edit', async () => {
    const e = await startSalesforceEmulator({ contacts: 25, companies: 5, users: 2, token: TOKEN });
    try {
      const ctx = () => ctxFor(e);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      for (;;) {
        const r = await salesforceListContactsChanged.run(ctx(), { cursor, pageSize: 10 }, input);
        seen.push(...r.output.contacts.map((c) => c.externalId));
        pages++;
        cursor = r.output.nextCursor;
        if (r.output.done) break;
      }
      expect(pages).toBe(3);
      expect(seen).toEqual(e.store.list('Contact').map((c) => c.Id));
      const edited = e.store.list('Contact')[4];
      e.store.updateContact(edited.Id, { Title: 'VP' });
      const next = await salesforceListContactsChanged.run(ctx(), { cursor, pageSize: 10 }, input);
      expect(next.output.contacts.map((c) => [c.externalId, c.custom.Title])).toEqual([[edited.Id, 'VP']]);
      expect(next.output.done).toBe(true);
      // Its second was not over when it was read, so the next listing reads it again (see below); nothing else.
      const again = await salesforceListContactsChanged.run(ctx(), { cursor: next.output.nextCursor, pageSize: 10 }, input);
      expect(again.output.contacts.map((c) => c.externalId)).toEqual([edited.Id]);
      expect(again.output.done).toBe(true);
    } finally { await e.close(); }
  });

  it("stamps a burst of changes with the clock's second, as Salesforce does: LastModifiedDate never runs ahead of the clock", async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const second = Date.UTC(2026, 5, 1, 12, 0, 0);
    vi.setSystemTime(second + 250);
    const e = await startSalesforceEmulator({ contacts: 10, companies: 2, users: 2, token: TOKEN });
    try {
      const ids = e.store.list('Contact').map((c) => c.Id);
      for (const id of [ids[1], ids[4], ids[5], ids[8]]) e.store.updateContact(id, { Title: 'Burst' });
      const res = await fetch(`${e.url}/services/data/v59.0/sobjects/Contact/${ids[5]}`, { method: 'PATCH', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ Department: 'Over the API' }) });
      expect(res.status).toBe(204);
      const stamps = [ids[1], ids[4], ids[5], ids[8]].map((id) => e.store.get('Contact', id)!);
      expect(stamps.map((c) => c.LastModifiedDate)).toEqual(Array(4).fill('2026-06-01T12:00:00.000+0000'));
      expect(stamps.map((c) => c.SystemModstamp)).toEqual(Array(4).fill('2026-06-01T12:00:00.000+0000'));
      vi.setSystemTime(second + 1_400);
      expect(e.store.updateContact(ids[0], { Title: 'Next second' }).LastModifiedDate).toBe('2026-06-01T12:00:01.000+0000');
    } finally {
      vi.useRealTimers();
      await e.close();
    }
  });

  it('a change made later within the second the last cursor names is not lost (LastModifiedDate is second-grained)', async () => {
    // Salesforce's own clock decides LastModifiedDate, to the second: a contact changed in the same second as the
    // last record a sync read, but after that read, carries the same LastModifiedDate — with a lower Id it sorts
    // before the cursor.
    vi.useFakeTimers({ toFake: ['Date'] });
    const second = Date.UTC(2026, 5, 1, 12, 0, 0);
    vi.setSystemTime(second + 100);
    const e = await startSalesforceEmulator({ contacts: 10, companies: 2, users: 2, token: TOKEN });
    const changedSince = async (cursor: string | null) => {
      const out: { ids: string[]; cursor: string | null } = { ids: [], cursor };
      for await (const page of salesforceContactSource.listChanged(callFor(e), { kind: 'person', cursor, pageSize: 4 })) { out.ids.push(...page.contacts.map((c) => c.externalId)); out.cursor = page.cursor; }
      return out;
    };
    try {
      const [low, high] = [e.store.list('Contact')[2].Id, e.store.list('Contact')[7].Id];
      expect(low < high).toBe(true);
      e.store.updateContact(high, { Title: 'First in that second' });
      const first = await changedSince(null);
      expect(first.ids).toHaveLength(10);
      expect(first.ids.at(-1)).toBe(high);
      vi.setSystemTime(second + 600);
      e.store.updateContact(low, { Title: 'Later in that second' });
      expect(e.store.get('Contact', low)!.LastModifiedDate).toBe(e.store.get('Contact', high)!.LastModifiedDate);
      // The next sync, a minute later, gets it (and the other again: its second was not over when it was read).
      vi.setSystemTime(second + 60_000);
      const next = await changedSince(first.cursor);
      expect(next.ids).toEqual([low, high]);
      // That second was long over when this run read it: the run after it gets nothing.
      expect((await changedSince(next.cursor)).ids).toEqual([]);
      expect(await salesforceContactSource.countChanged!(callFor(e), { kind: 'person', cursor: next.cursor })).toBe(0);
    } finally {
      vi.useRealTimers();
      await e.close();
    }
  });

  it('streams from the ContactSource with a resumable cursor, without gaps or duplicates on tied modified times', async () => {
    const e = await startSalesforceEmulator({ contacts: 40, companies: 3, users: 2, token: TOKEN });
    try {
      // Six records share one LastModifiedDate and straddle a page boundary.
      const tie = Date.UTC(2026, 5, 1);
      const all = e.store.list('Contact');
      for (const c of all.slice(10, 16)) e.store.updateContact(c.Id, { Department: 'Tied' }, { at: tie });
      const call = callFor(e);
      const pages = [];
      for await (const p of salesforceContactSource.listChanged(call, { kind: 'person', cursor: null, pageSize: 7 })) pages.push(p);
      const ids = pages.flatMap((p) => p.contacts.map((c) => c.externalId));
      expect(new Set(ids).size).toBe(40);
      expect(ids).toHaveLength(40);
      const times = pages.flatMap((p) => p.contacts.map((c) => c.updatedAt!));
      expect([...times].sort()).toEqual(times);
      expect(call.requestLog.every((r) => r.url.includes('ORDER+BY+LastModifiedDate+ASC%2C+Id+ASC'))).toBe(true);

      // Resume from the page that ends inside the tie: the rest follows with nothing lost or repeated.
      const k = pages.findIndex((p) => p.contacts.some((c) => c.custom.Department === 'Tied') && decodeCursor(p.cursor).ms === tie);
      expect(k).toBeGreaterThanOrEqual(0);
      const rest: string[] = [];
      for await (const p of salesforceContactSource.listChanged(callFor(e), { kind: 'person', cursor: pages[k].cursor, pageSize: 7 })) rest.push(...p.contacts.map((c) => c.externalId));
      expect(rest).toEqual(ids.slice(pages.slice(0, k + 1).reduce((n, p) => n + p.contacts.length, 0)));

      const fromLast: string[] = [];
      for await (const p of salesforceContactSource.listChanged(callFor(e), { kind: 'person', cursor: pages[pages.length - 1].cursor })) fromLast.push(...p.contacts.map((c) => c.externalId));
      expect(fromLast).toEqual([]);

      // The sync's progress total: COUNT() with the same filter counts exactly what a sync from there reads.
      const count = (cursor: string | null) => salesforceContactSource.countChanged!(callFor(e), { kind: 'person', cursor });
      expect(await count(null)).toBe(40);
      expect(await count(pages[k].cursor)).toBe(rest.length);
      expect(await count(pages[pages.length - 1].cursor)).toBe(0);
      expect(await salesforceContactSource.countChanged!(callFor(e), { kind: 'company', cursor: null })).toBe(3);
    } finally { await e.close(); }
  });

  it('keeps going when Salesforce answers a smaller batch than LIMIT', async () => {
    const e = await startSalesforceEmulator({ contacts: 120, companies: 3, users: 2, token: TOKEN, maxBatchSize: 25 });
    try {
      const first = await salesforceListContactsChanged.run(ctxFor(e), { cursor: null, pageSize: 100 }, input);
      expect(first.output).toMatchObject({ done: false });
      expect(first.output.contacts).toHaveLength(25);
      const ids: string[] = [];
      for await (const p of salesforceContactSource.listChanged(callFor(e), { kind: 'person', cursor: null, pageSize: 100 })) ids.push(...p.contacts.map((c) => c.externalId));
      expect(ids).toEqual(e.store.list('Contact').map((c) => c.Id));
    } finally { await e.close(); }
  });

  it('lists every live id in pages that follow nextRecordsUrl, without deleted records', async () => {
    const call = callFor(emu);
    const pages: string[][] = [];
    for await (const ids of salesforceContactSource.listAllIds(call, { kind: 'person', pageSize: 200 })) pages.push(ids);
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages.flat()).toEqual(emu.store.list('Contact').map((c) => c.Id).sort());
    expect(call.requestLog[1].url).toMatch(/^\/services\/data\/v59\.0\/query\/01g[A-Za-z0-9]+-200$/);

    const gone = emu.store.addContact({ LastName: 'Temp' });
    emu.store.deleteContact(gone.Id);
    const block = await salesforceListAllIds.run(ctxFor(emu), { kind: 'person', pageSize: 500 }, input);
    expect(block.output.count).toBe(emu.store.count('Contact'));
    expect(block.output.ids).not.toContain(gone.Id);
    const accounts = await salesforceListAllIds.run(ctxFor(emu), { kind: 'company', pageSize: 2000 }, input);
    expect(accounts.output.ids).toEqual(emu.store.list('Account').map((a) => a.Id));
  });

  it('lists changed accounts', async () => {
    const r = await salesforceListCompaniesChanged.run(ctxFor(emu), { cursor: null, pageSize: 8 }, input);
    expect(r.output.contacts).toHaveLength(8);
    expect(r.output.done).toBe(false);
    expect(r.output.contacts[0]).toMatchObject({ kind: 'company', company: 'Analytical Ltd', country: 'US' });
    const rest = await salesforceListCompaniesChanged.run(ctxFor(emu), { cursor: r.output.nextCursor, pageSize: 2000 }, input);
    expect(rest.output.done).toBe(true);
    expect([...r.output.contacts, ...rest.output.contacts].map((c) => c.externalId)).toEqual(emu.store.sortedByModified('Account').records.map((a) => a.Id));
  });

  it('rejects a cursor it did not issue', async () => {
    await expect(salesforceListContactsChanged.run(ctxFor(emu), { cursor: "2026' OR Id != '", pageSize: 5 }, input)).rejects.toThrow(/Not a Salesforce sync cursor/);
  });
});

describe('salesforce: transport', () => {
  it("treats the org's used-up daily API allocation (403 REQUEST_LIMIT_EXCEEDED) as a rate limit, not a broken connection", async () => {
    const e = await startSalesforceEmulator({ contacts: 5, companies: 1, users: 2, token: TOKEN, dailyApiLimit: 3 });
    try {
      const call = callFor(e);
      const email = String(e.store.list('User')[1].Email);
      for (let i = 0; i < 3; i++) expect((await findUserByEmail(call, { email })).found).toBe(true);
      const err = await findUserByEmail(call, { email }).catch((x: unknown) => x);
      expect(err).toBeInstanceOf(HttpError);
      expect(err).toMatchObject({ kind: 'rate_limited', code: 'rate_limited', status: 403 });
      expect((err as Error).message).toMatch(/API request limit reached.*24-hour window/);
      // answered at once: nothing to wait out within the request
      expect(call.requestLog.filter((r) => r.status === 403)).toHaveLength(1);
      const raw = await fetch(`${e.url}/services/data/v59.0/limits`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(raw.status).toBe(403);
      expect(await raw.json()).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    } finally { await e.close(); }
  });

  it('still reports other 403s as a permissions problem', async () => {
    const e = await startSalesforceEmulator({ contacts: 5, companies: 1, users: 2, token: TOKEN });
    try {
      e.failNext(1, 403);
      const err = await findUserByEmail(callFor(e), { email: 'x@example.com' }).catch((x: unknown) => x);
      expect(err).toMatchObject({ kind: 'forbidden', code: 'connection_auth' });
    } finally { await e.close(); }
  });

  it('waits out a 429 with Retry-After and succeeds', async () => {
    const e = await startSalesforceEmulator({ contacts: 5, companies: 1, users: 2, token: TOKEN, rateLimit: 5, rateWindowMs: 1000 });
    try {
      const call = callFor(e);
      const seen: number[] = [];
      call.onRateLimit = (i) => { if (i.remaining !== undefined) seen.push(i.remaining); };
      const email = String(e.store.list('User')[1].Email);
      for (let i = 0; i < 7; i++) expect((await findUserByEmail(call, { email })).found).toBe(true);
      expect(e.stats.rateLimited).toBeGreaterThan(0);
      expect(call.requestLog.some((r) => r.status === 429)).toBe(true);
      expect(call.requestLog.filter((r) => r.status === 200)).toHaveLength(7);
      expect(seen).toContain(0);

      e.setRateLimit(1, 60_000);
      const auth = { headers: { authorization: `Bearer ${TOKEN}` } };
      const okRes = await fetch(`${e.url}/services/data/v59.0/limits`, auth);
      expect(okRes.headers.get('sforce-limit-info')).toBe('api-usage=1/1');
      const limited = await fetch(`${e.url}/services/data/v59.0/limits`, auth);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(await limited.json()).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);

      e.setRateLimit(0);
      const free = await fetch(`${e.url}/services/data/v59.0/limits`, auth);
      expect(free.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/100000$/);
      expect(await free.json()).toMatchObject({ DailyApiRequests: { Max: 100000 } });
    } finally { await e.close(); }
  });

  it('turns a rejected token into a clear connection error', async () => {
    const err = await salesforceFindContactByPhone.run(ctxFor(emu, 'US', { token: 'wrong' }), { phone: '+12022000000' }, input).catch((x) => x);
    expect(err).toBeInstanceOf(PatchbayError);
    expect(err.code).toBe('connection_auth');
    expect(err.message).toBe('Salesforce rejected the credentials: reconnect Salesforce (INVALID_SESSION_ID: Session expired or invalid)');
    const none = await salesforceFindContactByPhone.run(ctxFor(emu, 'US', {}), { phone: '+12022000000' }, input).catch((x) => x);
    expect(none.message).toMatch(/reconnect Salesforce/);
  });

  it('retries a 5xx and surfaces it with the request log when it persists', async () => {
    const e = await startSalesforceEmulator({ contacts: 3, companies: 1, users: 1, token: TOKEN });
    try {
      const id = e.store.list('Contact')[0].Id;
      const ok = callFor(e, undefined, { maxRetries: 3, backoffMs: 1 });
      e.failNext(2);
      expect((await findContactById(ok, { id })).found).toBe(true);
      expect(ok.requestLog.map((r) => r.status)).toEqual([503, 503, 200]);

      const bad = callFor(e, undefined, { maxRetries: 2, backoffMs: 1 });
      e.failNext(10);
      const err = await findContactByPhone(bad, { phone: '+12022000000' }).catch((x) => x);
      expect(err).toBeInstanceOf(HttpError);
      expect(err.kind).toBe('server');
      expect(err.message).toMatch(/Salesforce failed with 503/);
      expect(err.requestLog).toHaveLength(3);
      expect((err.details as { requestLog: unknown[] }).requestLog).toHaveLength(3);

      // A create is not retried blindly: one attempt, then the error.
      const post = callFor(e, undefined, { maxRetries: 2, backoffMs: 1 });
      await expect(createContact(post, { lastName: 'Once' })).rejects.toThrow(/Salesforce failed with 503/);
      expect(post.requestLog).toHaveLength(1);
      e.failNext(0);
    } finally { await e.close(); }
  });

  it('connects with OAuth (instance_url) and refreshes an expired access token', async () => {
    const redirectUri = 'http://localhost:3000/oauth/callback';
    const authorize = buildAuthorizeUrl(`${emu.url}/services/oauth2/authorize`, { clientId: OAUTH.clientId, redirectUri, state: 'st-1', scopes: ['api', 'refresh_token'] });
    const res = await fetch(authorize, { redirect: 'manual' });
    expect(res.status).toBe(302);
    const back = new URL(res.headers.get('location')!);
    expect(back.searchParams.get('state')).toBe('st-1');
    const tokens = await exchangeCode(fetch, { tokenUrl: `${emu.url}/services/oauth2/token`, ...OAUTH }, back.searchParams.get('code')!, redirectUri);
    expect(tokens.raw).toMatchObject({ instance_url: emu.url, token_type: 'Bearer', scope: 'api refresh_token' });
    expect(String(tokens.raw.id)).toBe(`${emu.url}/id/00D5g000004ABCDEAY/${emu.store.apiUserId}`);

    // The connection still points at login.salesforce.com; the stored instance_url wins.
    const saved: Record<string, unknown>[] = [];
    const credentials = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, instanceUrl: tokens.raw.instance_url, ...OAUTH };
    const conn = { ...connection(emu, credentials, saved), baseUrl: 'https://login.salesforce.com' };
    const call: ConnectorCall = { fetch, conn, requestLog: [], http: { backoffMs: 5 } };
    expect((await findContactById(call, { id: contactAt(0).Id })).found).toBe(true);
    expect(saved).toHaveLength(0);

    emu.expireAccessTokens();
    expect((await findContactById(call, { id: contactAt(1).Id })).found).toBe(true);
    expect(call.requestLog.map((r) => r.status)).toEqual([200, 401, 200]);
    expect(saved).toHaveLength(1);
    expect(saved[0].accessToken).not.toBe(tokens.accessToken);
    expect(saved[0].refreshToken).toBe(tokens.refreshToken);
    expect(saved[0].instanceUrl).toBe(emu.url);
  });

  it('checks the connection against /limits', async () => {
    expect(await salesforceConnector.testConnection!(connection(emu), fetch)).toEqual({ ok: true, account: new URL(emu.url).host });
    await expect(salesforceConnector.testConnection!(connection(emu, { token: 'nope' }), fetch)).rejects.toThrow(/reconnect Salesforce/);
  });
});

describe('salesforce: emulator', () => {
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${emu.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}`, ...headers } });
  const q = (soql: string) => get(`/services/data/v59.0/query?q=${encodeURIComponent(soql)}`);

  it('answers SOQL errors with Salesforce error codes', async () => {
    const bad = await q('SELECT Id, Shoe_Size FROM Contact');
    expect(bad.status).toBe(400);
    expect((await bad.json())[0]).toMatchObject({ errorCode: 'INVALID_FIELD', message: expect.stringContaining("No such column 'Shoe_Size' on entity 'Contact'") });
    expect((await (await q("SELECT Id FROM Contact WHERE LastModifiedDate > '2026-01-01'")).json())[0].errorCode).toBe('INVALID_QUERY_FILTER_OPERATOR');
    expect((await (await q("SELECT Id FROM Contact WHERE Id = 'abc'")).json())[0]).toMatchObject({ errorCode: 'INVALID_QUERY_FILTER_OPERATOR', message: expect.stringContaining('invalid ID field: abc') });
    expect((await (await q('SELECT Id FROM Contct')).json())[0].errorCode).toBe('INVALID_TYPE');
    expect((await (await q('SELECT Id FROM Contact WHERE')).json())[0].errorCode).toBe('MALFORMED_QUERY');
    expect((await (await get('/services/data/v59.0/query/01gDEADBEEF-2000')).json())[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
    expect((await get('/services/data/v59.0/sobjects/Contact/003000000000000AAA')).status).toBe(404);
  });

  it('evaluates filters, relationships, ordering and COUNT()', async () => {
    const c0 = contactAt(0);
    const one = await (await q(`SELECT Id, Name, Account.Name, Owner.Email FROM Contact WHERE Email = '${String(c0.Email).toUpperCase()}'`)).json();
    expect(one).toMatchObject({ totalSize: 1, done: true, records: [{ attributes: { type: 'Contact', url: `/services/data/v59.0/sobjects/Contact/${c0.Id}` }, Id: c0.Id, Name: 'Ada Lovelace', Account: { Name: 'Analytical Ltd' }, Owner: { Email: emu.store.get('User', c0.OwnerId as string)!.Email } }] });
    const count = await (await q("SELECT COUNT() FROM Contact WHERE MailingCountry IN ('Germany', 'France') AND (NOT LastName LIKE 'Lov%')")).json();
    const expected = emu.store.list('Contact').filter((c) => ['Germany', 'France'].includes(c.MailingCountry as string) && !String(c.LastName).startsWith('Lov')).length;
    expect(count).toEqual({ totalSize: expected, done: true, records: [] });
    const desc = await (await q('SELECT Id, LastName FROM Contact ORDER BY LastName DESC, Id ASC LIMIT 3 OFFSET 1')).json();
    expect(desc.records.map((r: { LastName: string }) => r.LastName)).toEqual(['Turing', 'Turing', 'Turing']);
  });

  it('serves SOSL phone search over every phone field, ignoring formatting', async () => {
    const p3 = syntheticPerson(3);
    const sosl = `FIND {${p3.mobileAsTyped!.replace(/\D/g, '')}} IN PHONE FIELDS RETURNING Contact(Id, MobilePhone), Account(Id)`;
    const res = await (await get(`/services/data/v59.0/search?q=${encodeURIComponent(sosl)}`)).json();
    expect(res).toEqual({ searchRecords: [{ attributes: { type: 'Contact', url: `/services/data/v59.0/sobjects/Contact/${contactAt(3).Id}` }, Id: contactAt(3).Id, MobilePhone: '07911 000003' }] });
    const short = await get(`/services/data/v59.0/search?q=${encodeURIComponent('FIND {1} IN PHONE FIELDS')}`);
    expect((await short.json())[0].errorCode).toBe('INVALID_SEARCH');
  });

  it('creates, patches and deletes sObject rows with Salesforce validation', async () => {
    const post = (type: string, body: unknown) => fetch(`${emu.url}/services/data/v59.0/sobjects/${type}`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const created = await post('Account', { Name: 'Hedy Labs', Phone: '+1 (212) 555-0100' });
    expect(created.status).toBe(201);
    const { id, success, errors } = await created.json();
    expect({ success, errors }).toEqual({ success: true, errors: [] });
    expect(emu.store.get('Account', id)).toMatchObject({ Name: 'Hedy Labs', OwnerId: emu.store.apiUserId });
    expect(await (await post('Contact', { FirstName: 'No', Name: 'x' })).json()).toEqual([{ message: expect.stringContaining('Unable to create/update fields: Name.'), errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Name'] }]);
    expect(await (await post('Contact', { FirstName: 'No' })).json()).toEqual([{ message: 'Required fields are missing: [LastName]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] }]);
    expect((await (await post('Task', { Subject: 'x', CallType: 'Sideways' })).json())[0].errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    const rowUrl = `${emu.url}/services/data/v59.0/sobjects/Account/${id}`;
    const patched = await fetch(rowUrl, { method: 'PATCH', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ Industry: 'Media' }) });
    expect(patched.status).toBe(204);
    expect(await (await get(`/services/data/v59.0/sobjects/Account/${id}?fields=Name,Industry`)).json()).toEqual({ attributes: { type: 'Account', url: `/services/data/v59.0/sobjects/Account/${id}` }, Name: 'Hedy Labs', Industry: 'Media' });
    expect((await fetch(rowUrl, { method: 'DELETE', headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(204);
    expect(emu.store.get('Account', id)).toBeUndefined();
  });

  // Correctness at size only; how fast a full pull is (and its memory) is measured by `npm run bench:connectors`.
  it('serves 100,000 contacts: pages a full sync to the last contact', async () => {
    const big = await startSalesforceEmulator({ contacts: 100_000, companies: 200, users: 5, token: TOKEN });
    try {
      let n = 0;
      let last = '';
      for await (const p of salesforceContactSource.listChanged(callFor(big), { kind: 'person', cursor: null, pageSize: 2000 })) { n += p.contacts.length; last = p.cursor; }
      expect(n).toBe(100_000);
      expect(last.endsWith(big.store.sortedByModified('Contact').records.at(-1)!.Id)).toBe(true);
    } finally { await big.close(); }
  }, 120_000);
});

describe('salesforce: helpers', () => {
  it('reads free-text countries as ISO codes', () => {
    expect(countryToIso2('United States')).toBe('US');
    expect(countryToIso2('germany')).toBe('DE');
    expect(countryToIso2('UK')).toBe('GB');
    expect(countryToIso2('France')).toBe('FR');
    expect(countryToIso2('United Kingdom')).toBe('GB');
    expect(countryToIso2('Atlantis')).toBeNull();
    expect(countryToIso2(null)).toBeNull();
  });

  it('derives every digit form a number may be stored in', () => {
    expect(phoneSearchTerms('+442079460000')).toEqual(['442079460000', '2079460000', '02079460000', '4402079460000']);
    expect(phoneSearchTerms('(202) 555-0143', 'US')).toEqual(['12025550143', '2025550143']);
    expect(phoneSearchTerms('12')).toEqual([]);
  });

  it('reads Sforce-Limit-Info and Salesforce error bodies', () => {
    expect(readSalesforceRateLimit(new Headers({ 'Sforce-Limit-Info': 'api-usage=18/5000' }))).toEqual({ limit: 5000, remaining: 4982 });
    expect(readSalesforceRateLimit(new Headers())).toEqual({});
    expect(salesforceErrorMessage(400, [{ message: '\nSELECT x\n^\nERROR at Row:1:Column:8\nNo such column', errorCode: 'INVALID_FIELD' }])).toBe('INVALID_FIELD: No such column');
    expect(salesforceErrorMessage(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' })).toBe('expired access/refresh token');
  });

  it('makes 18-character ids with the case-safe suffix', () => {
    expect(caseSafeId('001D000000IqhSL')).toBe('001D000000IqhSLIAZ'); // the pair in Salesforce's REST examples
    const id = salesforceId('003', 1_000_001);
    expect(id).toMatch(/^0035g0[0-9A-Za-z]{9}[A-Z0-5]{3}$/);
    expect(salesforceId('003', 1_000_002) > id).toBe(true);
  });

  it('declares every block under the salesforce connector', () => {
    expect(salesforceConnector.blocks.map((b) => b.id).sort()).toEqual([
      // Lookups and writes are the generic crm.* blocks; only the change pages stay per CRM.
      'salesforce.listAllIds', 'salesforce.listCompaniesChanged', 'salesforce.listContactsChanged',
    ]);
    expect(salesforceConnector.auth.map((a) => a.type)).toEqual(['oauth2', 'apiKey']);
  });
});
