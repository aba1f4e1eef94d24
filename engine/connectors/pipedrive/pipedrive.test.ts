import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AnyBlock, RunContext } from '../../core/define-block';
import { PatchbayError } from '../../core/errors';
import { HttpError, type RateLimitInfo } from '../../core/http-client';
import { createTestContext, runFixture } from '../../testing/run-fixture';
import { buildAuthorizeUrl, exchangeCode } from '../kit/oauth2';
import { phoneFor, syntheticPerson } from '../kit/synthetic';
import { createContactBlock } from './create-contact';
import { createTaskBlock } from './create-task';
import { startPipedriveEmulator, ORG_PHONE_FIELD_KEY } from './emulator';
import { findCompanyByPhone, findCompanyByPhoneBlock } from './find-company-by-phone';
import { findContactById, findContactByIdBlock } from './find-contact-by-id';
import { findContactByPhone, findContactByPhoneBlock } from './find-contact-by-phone';
import { findUserByEmailBlock } from './find-user-by-email';
import { listAllIdsBlock } from './list-all-ids';
import { listCompaniesChangedBlock } from './list-companies-changed';
import { listContactsChangedBlock } from './list-contacts-changed';
import { logCallBlock } from './log-call';
import { pipedriveConnector, pipedriveContactSource } from './manifest';
import { countryToIso2 } from '../../core/country';
import { updateCallLogBlock } from './update-call-log';
import { connectorHarness } from '../../testing/connector-harness';

type Emu = Awaited<ReturnType<typeof startPipedriveEmulator>>;

const TOKEN = 'pd-test-token';
const OAUTH = { clientId: 'pd-client', clientSecret: 'pd-secret' };
const input = { trigger: {}, nodeId: 'n1' };

const { connection, callFor } = connectorHarness<Emu>('pipedrive', 'conn-pd', { apiToken: TOKEN });

function ctxFor(e: Emu, o: { defaultCountry?: string; credentials?: Record<string, unknown>; now?: Date } = {}): RunContext {
  return createTestContext({
    customer: { id: 'c1', defaultCountry: o.defaultCountry ?? 'US' },
    connections: { pipedrive: { id: 'conn-pd', system: 'pipedrive', baseUrl: e.url, credentials: o.credentials ?? { apiToken: TOKEN } } },
    now: o.now ? () => o.now as Date : undefined,
  });
}

/** Runs a block the way the runner does: params through the block's schema first. */
async function run(block: AnyBlock, ctx: RunContext, params: Record<string, unknown>) {
  return block.run(ctx, block.params.parse(params), input);
}

const pd = (path: string, init: RequestInit & { token?: string } = {}) => (e: Emu) =>
  fetch(e.url + path, { ...init, headers: { 'x-api-token': init.token ?? TOKEN, 'content-type': 'application/json', ...(init.headers as Record<string, string>) } });

let emu: Emu;

beforeAll(async () => {
  emu = await startPipedriveEmulator({ contacts: 300, companies: 20, users: 3, token: TOKEN });
});
afterAll(async () => { await emu?.close(); });

describe('pipedrive: finding people and companies', () => {
  const lookupFlow = {
    name: 'lookup', automation: 'caller_lookup',
    nodes: [
      { id: 'trigger', type: 'trigger.webhook' },
      { id: 'find', type: 'pipedrive.findContactByPhone', params: { phone: '=trigger.phone' } },
      { id: 'found', type: 'respond.json', params: { body: { name: '=steps.find.contact.firstName & " " & steps.find.contact.lastName', id: '=steps.find.contact.externalId', company: '=steps.find.contact.company' } } },
      { id: 'missing', type: 'respond.json', params: { body: { found: false } } },
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'find' },
      { id: 'e2', source: 'find', sourcePort: 'found', target: 'found' },
      { id: 'e3', source: 'find', sourcePort: 'notFound', target: 'missing' },
    ],
  };

  it('finds a person stored with a national number from E.164, national and 00 forms, through a flow', async () => {
    const p3 = syntheticPerson(3); // GB, stored as typed: "020 7000 0003" plus a mobile
    expect(emu.store.persons.get(4)?.phones[0].value).toBe(p3.phoneAsTyped);
    const connections = { pipedrive: { id: 'conn-pd', system: 'pipedrive', baseUrl: emu.url, credentials: { apiToken: TOKEN } } };
    for (const phone of [p3.e164, p3.phoneAsTyped, '0044 ' + p3.phoneAsTyped.slice(1), p3.mobileE164 as string]) {
      const r = await runFixture(lookupFlow, { phone }, { connections, customer: { id: 'c1', defaultCountry: 'GB' } });
      expect(r.status, phone).toBe('succeeded');
      expect(r.byNode.find.port).toBe('found');
      expect(r.response?.body).toEqual({ name: `${p3.firstName} ${p3.lastName}`, id: '4', company: p3.company });
    }
    const miss = await runFixture(lookupFlow, { phone: '+44 20 7946 0999' }, { connections, customer: { id: 'c1', defaultCountry: 'GB' } });
    expect(miss.byNode.find.port).toBe('notFound');
    expect(miss.response?.body).toEqual({ found: false });
  });

  it('maps the whole person: phones as typed, country from the address, owner, link to the web app', async () => {
    const p0 = syntheticPerson(0);
    const r = await run(findContactByPhoneBlock, ctxFor(emu), { phone: '+1 (202) 200-0000' });
    expect(r.port).toBe('found');
    expect(r.output).toMatchObject({ found: true, matches: 1 });
    expect((r.output as { contact: unknown }).contact).toMatchObject({
      source: 'pipedrive', externalId: '1', kind: 'person', firstName: p0.firstName, lastName: p0.lastName, company: p0.company,
      email: p0.email, phones: [p0.phoneAsTyped, p0.mobileAsTyped], country: 'US', crmUrl: `${emu.url}/person/1`, ownerId: '1',
      custom: { city: p0.city, org_id: expect.any(Number) }, updatedAt: new Date(p0.updatedAt).toISOString(),
    });
  });

  it('verifies candidates: a number whose digits merely contain the searched digits is not a match', async () => {
    const e = await startPipedriveEmulator({ contacts: 10, companies: 2, token: TOKEN });
    try {
      // DE person 4 is "030 0000004" (+49 30 0000004); this one's digits contain "300000004" too.
      const other = e.store.addPerson({ name: 'Extension Person', phones: ['+49 30 0000004-99'] });
      const raw = await (await pd('/api/v2/persons/search?term=300000004&fields=phone')(e)).json();
      expect(raw.data.items.map((x: { item: { id: number } }) => x.item.id).sort((a: number, b: number) => a - b)).toEqual([5, other.id]);
      const r = await findContactByPhone(callFor(e), { phone: syntheticPerson(4).e164 });
      expect(r).toMatchObject({ found: true, matches: 1, contact: { externalId: '5' } });
      const ext = await findContactByPhone(callFor(e), { phone: '+49 30 0000004 99' });
      expect(ext.contact?.externalId).toBe(String(other.id));
    } finally {
      await e.close();
    }
  });

  it('reads a person by id, and answers notFound for unknown or malformed ids', async () => {
    const ok = await run(findContactByIdBlock, ctxFor(emu), { id: 7 });
    expect(ok.port).toBe('found');
    expect(ok.output).toMatchObject({ found: true, contact: { externalId: '7', firstName: syntheticPerson(6).firstName } });
    expect((await run(findContactByIdBlock, ctxFor(emu), { id: '999999' })).port).toBe('notFound');
    const call = callFor(emu);
    expect(await findContactById(call, { id: 'abc' })).toEqual({ found: false, contact: null });
    expect(call.requestLog).toHaveLength(0);
  });

  it('finds an organization by its phone field, else through a person who works there', async () => {
    const org3 = syntheticPerson(2); // organization 3 is seeded from synthetic index 2
    const orgPhone = phoneFor(5_000_000 + 2, org3.country);
    expect(emu.store.organizations.get(3)?.custom_fields[ORG_PHONE_FIELD_KEY]).toBe(orgPhone.typed);
    const byOrg = await run(findCompanyByPhoneBlock, ctxFor(emu), { phone: orgPhone.e164 });
    expect(byOrg.port).toBe('found');
    expect(byOrg.output).toMatchObject({
      matchedVia: 'organization', personId: null,
      company: { kind: 'company', externalId: '3', company: org3.company, phones: [orgPhone.typed], country: org3.country, crmUrl: `${emu.url}/organization/3`, custom: { [`0b9e8d7c6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d`]: 'Software' } },
    });
    const p5 = syntheticPerson(5);
    const viaPerson = await run(findCompanyByPhoneBlock, ctxFor(emu, { defaultCountry: 'FR' }), { phone: p5.phoneAsTyped });
    expect(viaPerson.output).toMatchObject({ found: true, matchedVia: 'person', personId: '6', company: { company: p5.company } });
    expect(await findCompanyByPhone(callFor(emu), { phone: p5.e164, viaPersons: false })).toMatchObject({ found: false, company: null });
  });

  it('finds the agent by email, case-insensitively and only on an exact address', async () => {
    const hit = await run(findUserByEmailBlock, ctxFor(emu), { email: 'Billie.Closer@Example.com' });
    expect(hit).toMatchObject({ port: 'found', output: { found: true, user: { id: '2', email: 'billie.closer@example.com', name: 'Billie Closer' } } });
    expect((await run(findUserByEmailBlock, ctxFor(emu), { email: 'closer@example.com' })).port).toBe('notFound');
    expect((await run(findUserByEmailBlock, ctxFor(emu), { email: 'nobody@example.org' })).port).toBe('notFound');
  });

  it('maps countries from the names Pipedrive stores', () => {
    expect(['United Kingdom', 'USA', 'Germany', 'uk', 'de', 'France', 'United States', 'Atlantis', ''].map(countryToIso2)).toEqual(['GB', 'US', 'DE', 'GB', 'DE', 'FR', 'US', null, null]);
  });
});

describe('pipedrive: changed records for sync', () => {
  it('pages persons oldest first across 3 pages with the block, passing nextCursor back', async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    for (;;) {
      const r = await run(listContactsChangedBlock, ctxFor(emu), { cursor, pageSize: 100 });
      const out = r.output as { contacts: { externalId: string; updatedAt: string }[]; nextCursor: string | null; done: boolean };
      pages++;
      ids.push(...out.contacts.map((c) => c.externalId));
      if (out.done) break;
      cursor = out.nextCursor;
    }
    expect(pages).toBe(3);
    expect(ids).toEqual(Array.from({ length: 300 }, (_, i) => String(i + 1)));
  });

  it('pages organizations with their phone field', async () => {
    const seen: { externalId: string; phones: string[] }[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const out = (await run(listCompaniesChangedBlock, ctxFor(emu), { cursor, pageSize: 7 })).output as { contacts: { externalId: string; phones: string[] }[]; nextCursor: string | null; done: boolean };
      seen.push(...out.contacts);
      cursor = out.done ? null : out.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toHaveLength(20);
    expect(seen[0]).toMatchObject({ externalId: '1', phones: [phoneFor(5_000_000, syntheticPerson(0).country).typed] });
  });

  it('streams changes through the ContactSource and resumes from any page cursor without gaps or duplicates', async () => {
    const e = await startPipedriveEmulator({ contacts: 120, companies: 5, token: TOKEN });
    try {
      const call = callFor(e);
      const all: string[] = [];
      const cursors: string[] = [];
      for await (const page of pipedriveContactSource.listChanged(call, { kind: 'person', cursor: null, pageSize: 25 })) {
        all.push(...page.contacts.map((c) => c.externalId));
        cursors.push(page.cursor);
      }
      expect(all).toEqual(Array.from({ length: 120 }, (_, i) => String(i + 1)));
      expect(cursors).toHaveLength(5);

      // A sync that stopped after page 2 resumes with exactly the rest.
      const rest: string[] = [];
      for await (const page of pipedriveContactSource.listChanged(callFor(e), { kind: 'person', cursor: cursors[1], pageSize: 25 })) rest.push(...page.contacts.map((c) => c.externalId));
      expect([...all.slice(0, 50), ...rest]).toEqual(all);

      // Edits after the last cursor come back (oldest second first, a second's changes in id order); deleted records do not.
      const last = cursors[cursors.length - 1];
      e.store.updatePerson(10, { job_title: 'CTO' });
      e.store.deletePerson(11);
      e.store.updatePerson(3, { name: 'Grace Brewster Hopper' });
      const changed: { externalId: string; firstName?: string | null; custom: Record<string, unknown> }[] = [];
      let resume = '';
      for await (const page of pipedriveContactSource.listChanged(callFor(e), { kind: 'person', cursor: last, pageSize: 25 })) { changed.push(...page.contacts); resume = page.cursor; }
      expect(changed.map((c) => c.externalId).sort()).toEqual(['10', '3']);
      const byId = new Map(changed.map((c) => [c.externalId, c]));
      expect(byId.get('10')!.custom.job_title).toBe('CTO');
      expect(byId.get('3')!.firstName).toBe('Grace Brewster');
      // After the newest cursor: only those same changes again, as their second may not be over yet (see below).
      const again: string[] = [];
      for await (const page of pipedriveContactSource.listChanged(callFor(e), { kind: 'person', cursor: resume })) again.push(...page.contacts.map((c) => c.externalId));
      expect(again.sort()).toEqual(['10', '3']);
    } finally {
      await e.close();
    }
  });

  it('resumes inside a second shared by several records (updated_since is inclusive and second-grained)', async () => {
    const e = await startPipedriveEmulator({ contacts: 10, companies: 2, token: TOKEN });
    try {
      const before = (await run(listContactsChangedBlock, ctxFor(e), { pageSize: 10 })).output as { nextCursor: string };
      const t = e.store.stamp();
      for (const id of [4, 7, 9]) {
        const rec = e.store.persons.get(id)!;
        rec.update_time = new Date(t).toISOString().replace(/\.\d{3}Z$/, 'Z');
        e.store.tables.persons.touch(id, t);
      }
      const got: string[] = [];
      let cursor: string | null = before.nextCursor;
      for (let i = 0; i < 5; i++) {
        const out = (await run(listContactsChangedBlock, ctxFor(e), { cursor, pageSize: 1 })).output as { contacts: { externalId: string }[]; nextCursor: string; done: boolean };
        got.push(...out.contacts.map((c) => c.externalId));
        cursor = out.nextCursor;
        if (out.done) break;
      }
      expect(got).toEqual(['4', '7', '9']);
    } finally {
      await e.close();
    }
  });

  it('stamps a burst of changes with the clock\'s second, as Pipedrive does: update_time never runs ahead of the clock', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const second = Date.UTC(2026, 5, 1, 12, 0, 0);
    vi.setSystemTime(second + 250);
    const e = await startPipedriveEmulator({ contacts: 10, companies: 2, token: TOKEN });
    try {
      for (const id of [2, 5, 6, 9]) e.store.updatePerson(id, { job_title: 'Burst' });
      const res = await pd('/api/v2/persons/6', { method: 'PATCH', body: JSON.stringify({ name: 'Over The API' }) })(e);
      expect(res.status).toBe(200);
      expect([2, 5, 6, 9].map((id) => e.store.persons.get(id)!.update_time)).toEqual(Array(4).fill('2026-06-01T12:00:00Z'));
      vi.setSystemTime(second + 1_400);
      expect(e.store.updatePerson(1, { job_title: 'Next second' }).update_time).toBe('2026-06-01T12:00:01Z');
    } finally {
      vi.useRealTimers();
      await e.close();
    }
  });

  it('a change made later within the second the last cursor names is not lost (update_time is second-grained)', async () => {
    // Pipedrive's own clock decides update_time, to the second: a person changed in the same second as the last
    // record a sync read, but after that read, carries the same update_time — with a lower id it sorts before it.
    vi.useFakeTimers({ toFake: ['Date'] });
    const second = Date.UTC(2026, 5, 1, 12, 0, 0);
    vi.setSystemTime(second + 100);
    const e = await startPipedriveEmulator({ contacts: 10, companies: 2, token: TOKEN });
    const changedSince = async (cursor: string | null) => {
      const out: { ids: string[]; cursor: string | null } = { ids: [], cursor };
      for await (const page of pipedriveContactSource.listChanged(callFor(e), { kind: 'person', cursor, pageSize: 4 })) { out.ids.push(...page.contacts.map((c) => c.externalId)); out.cursor = page.cursor; }
      return out;
    };
    try {
      e.store.updatePerson(8, { job_title: 'First in that second' });
      const first = await changedSince(null);
      expect(first.ids.at(-1)).toBe('8');
      vi.setSystemTime(second + 600);
      e.store.updatePerson(3, { job_title: 'Later in that second' });
      expect(e.store.persons.get(3)!.update_time).toBe(e.store.persons.get(8)!.update_time);
      // The next sync, a minute later, gets it (and 8 again: its second was not over when it was read).
      vi.setSystemTime(second + 60_000);
      const next = await changedSince(first.cursor);
      expect(next.ids).toEqual(['3', '8']);
      // That second was long over when this run read it: the run after it gets nothing.
      expect((await changedSince(next.cursor)).ids).toEqual([]);
    } finally {
      vi.useRealTimers();
      await e.close();
    }
  });

  it('lists every live id of both kinds, without deleted records', async () => {
    const e = await startPipedriveEmulator({ contacts: 130, companies: 12, token: TOKEN });
    try {
      e.store.deletePerson(5);
      e.store.deleteOrganization(2);
      const pages: string[][] = [];
      for await (const page of pipedriveContactSource.listAllIds(callFor(e), { kind: 'person', pageSize: 50 })) pages.push(page);
      expect(pages.map((p) => p.length)).toEqual([50, 50, 29]);
      expect(pages.flat()).toEqual(Array.from({ length: 130 }, (_, i) => String(i + 1)).filter((id) => id !== '5'));
      const orgs = await run(listAllIdsBlock, ctxFor(e), { kind: 'company', pageSize: 5 });
      expect(orgs.output).toEqual({ ids: Array.from({ length: 12 }, (_, i) => String(i + 1)).filter((id) => id !== '2'), count: 11 });
    } finally {
      await e.close();
    }
  });
});

describe('pipedrive: writing', () => {
  it('creates a person with the number as typed', async () => {
    const r = await run(createContactBlock, ctxFor(emu), { firstName: 'Nora', lastName: 'Caller', phone: '(415) 555-0101', email: 'nora@example.com', orgId: 2, ownerId: 3 });
    const out = r.output as { id: string; contact: Record<string, unknown> };
    const stored = emu.store.persons.get(Number(out.id))!;
    expect(stored).toMatchObject({ name: 'Nora Caller', owner_id: 3, org_id: 2, phones: [{ value: '(415) 555-0101', primary: true, label: 'work' }], emails: [{ value: 'nora@example.com', primary: true }] });
    expect(out.contact).toMatchObject({ externalId: out.id, firstName: 'Nora', lastName: 'Caller', phones: ['(415) 555-0101'], company: emu.store.organizations.get(2)?.name, ownerId: '3' });
    const found = await findContactByPhone(callFor(emu), { phone: '+14155550101' });
    expect(found.contact?.externalId).toBe(out.id);
  });

  it('logs a call as a done call activity plus a note with the recording, then updates both', async () => {
    const logged = await run(logCallBlock, ctxFor(emu), {
      personId: '12', ownerId: 2, direction: 'inbound', status: 'answered', startedAt: '2026-03-01T10:15:30Z', durationSec: 125,
      from: '+12125550142', to: '+12025550100', recordingUrl: 'https://rec.example.com/r/1.mp3', notes: 'Wants a demo.\nCall back Friday.',
    });
    const out = logged.output as { activityId: string; noteId: string; subject: string };
    const activity = emu.store.activities.get(Number(out.activityId))!;
    expect(activity).toMatchObject({
      type: 'call', done: true, person_id: 12, owner_id: 2, due_date: '2026-03-01', due_time: '10:15:00', duration: '00:03:00',
      subject: 'Inbound call from +12125550142', participants: [{ person_id: 12, primary: true }],
    });
    expect(activity.note).toContain('<li>Duration: 2m 5s</li>');
    expect(activity.note).toContain('href="https://rec.example.com/r/1.mp3"');
    const note = emu.store.notes.get(Number(out.noteId))!;
    expect(note).toMatchObject({ person_id: 12 });
    expect(note.content).toContain('https://rec.example.com/r/1.mp3');
    expect(note.content).toContain('Wants a demo.<br>Call back Friday.');

    const updated = await run(updateCallLogBlock, ctxFor(emu, { now: new Date('2026-03-01T11:00:00Z') }), {
      activityId: out.activityId, noteId: out.noteId, status: 'voicemail', recordingUrl: 'https://rec.example.com/r/2.mp3', notes: 'Left a voicemail.',
    });
    expect(updated.output).toEqual({ activityId: out.activityId, noteId: out.noteId, updated: true });
    const after = emu.store.activities.get(Number(out.activityId))!;
    expect(after.subject).toBe('Inbound call from +12125550142 (voicemail)');
    expect(after.note).toContain('https://rec.example.com/r/2.mp3');
    expect(after.note).toContain('Result: voicemail');
    expect(emu.store.notes.get(Number(out.noteId))!.content).toContain('Left a voicemail.');
    expect(emu.store.notesFor(12)).toHaveLength(1);
  });

  it('logs a missed outbound call on an organization and adds a note when none is known on update', async () => {
    const logged = await run(logCallBlock, ctxFor(emu), { orgId: '4', direction: 'outbound', status: 'no_answer', startedAt: '2026-03-02T08:00:00Z', to: '020 7946 0000' });
    const out = logged.output as { activityId: string; noteId: string | null };
    expect(emu.store.activities.get(Number(out.activityId))).toMatchObject({ subject: 'Outbound call to 020 7946 0000 (no answer)', org_id: 4, person_id: null, duration: '00:00:00', owner_id: 1 });
    const upd = await run(updateCallLogBlock, ctxFor(emu), { activityId: out.activityId, status: 'answered', notes: 'They called back.' });
    const o = upd.output as { noteId: string };
    expect(o.noteId).not.toBe(out.noteId);
    expect(emu.store.notes.get(Number(o.noteId))).toMatchObject({ org_id: 4 });
    expect(emu.store.activities.get(Number(out.activityId))?.subject).toBe('Outbound call to 020 7946 0000');
  });

  it('creates an open task for a missed call', async () => {
    const r = await run(createTaskBlock, ctxFor(emu, { now: new Date('2026-03-03T09:30:00Z') }), { subject: 'Call back +12125550142', personId: 12, ownerId: 2, dueInMinutes: 60, note: 'Missed call' });
    const out = r.output as { activityId: string };
    expect(out).toMatchObject({ dueDate: '2026-03-03', dueTime: '10:30' });
    expect(emu.store.activities.get(Number(out.activityId))).toMatchObject({ type: 'task', done: false, person_id: 12, owner_id: 2, due_date: '2026-03-03', due_time: '10:30:00', note: '<p>Missed call</p>' });
    expect(emu.store.openActivities().map((a) => a.id)).toContain(Number(out.activityId));
  });

  it('a call-back made with a call id is found again among the person\'s activities: not a longer id\'s task, not the call log', async () => {
    const crm = pipedriveConnector.crm;
    const call = callFor(emu);
    const id = `pd-cb-${Date.now()}`;
    const task = { subject: 'Call back +12125550142', contactId: '13', notes: 'Missed call' };
    const log = await crm.logCall(call, { direction: 'inbound', status: 'missed', startedAt: '2026-03-03T09:00:00Z', durationSec: 0, contactId: '13', callId: id });
    const longer = await crm.createTask(call, { ...task, callId: `${id}-2` });
    const first = await crm.createTask(call, { ...task, callId: id });
    expect(new Set([log.id, longer.id, first.id]).size).toBe(3);
    expect(emu.store.activities.get(Number(first.id))).toMatchObject({ type: 'task', person_id: 13, note: `<p>Call id: ${id}</p><p>Missed call</p>` });
    expect((await crm.createTask(call, { ...task, callId: id })).id).toBe(first.id);
    expect((await crm.createTask(call, { ...task, callId: `${id}-2` })).id).toBe(longer.id);
    expect([...emu.store.activities.values()].filter((a) => a.type === 'task' && (a.note ?? '').includes(id))).toHaveLength(2);
  });

  it('emulates Pipedrive validation: unknown body fields are rejected with its error envelope', async () => {
    const res = await pd('/api/v2/activities', { method: 'POST', body: JSON.stringify({ subject: 'x', type: 'call', user_id: 1 }) })(emu);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ success: false, code: 'ERR_SCHEMA_VALIDATION_FAILED', error: expect.stringContaining('user_id'), data: null });
    const missing = await pd('/api/v2/persons/424242')(emu);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ success: false, error: 'Person not found' });
  });
});

describe('pipedrive: failures, limits and auth', () => {
  it('waits out 429 + Retry-After and reports the x-ratelimit headers', async () => {
    const e = await startPipedriveEmulator({ contacts: 10, companies: 1, token: TOKEN, rateLimit: 5, rateWindowMs: 1000 });
    try {
      const raw = [];
      for (let i = 0; i < 6; i++) raw.push(await pd('/api/v2/persons/1')(e));
      const limited = raw[5];
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('1');
      expect(limited.headers.get('x-ratelimit-limit')).toBe('5');
      expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
      expect(await limited.json()).toMatchObject({ success: false, error: 'Request over limit', errorCode: 429 });

      const infos: RateLimitInfo[] = [];
      const call = { ...callFor(e), onRateLimit: (i: RateLimitInfo) => infos.push(i) };
      const results = [];
      for (let i = 1; i <= 8; i++) results.push(await findContactById(call, { id: String(i) }));
      expect(results.every((r) => r.found)).toBe(true);
      expect(e.stats.rateLimited).toBeGreaterThan(1);
      expect(call.requestLog.some((l) => l.status === 429)).toBe(true);
      expect(infos.some((i) => i.limit === 5 && i.remaining !== undefined)).toBe(true);
    } finally {
      await e.close();
    }
  });

  it('turns a rejected token into a clear connection error', async () => {
    const raw = await pd('/api/v2/persons', { token: 'wrong' })(emu);
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com' });
    const err = await run(findContactByIdBlock, ctxFor(emu, { credentials: { apiToken: 'wrong' } }), { id: '1' }).catch((x) => x);
    expect(err).toBeInstanceOf(PatchbayError);
    expect(err.code).toBe('connection_auth');
    expect(err.message).toMatch(/rejected the credentials: reconnect Pipedrive \(unauthorized access\)/);
  });

  it('retries a 5xx, and surfaces a persistent one with the request log', async () => {
    emu.failNext(2);
    const call = callFor(emu);
    expect((await findContactById(call, { id: '2' })).found).toBe(true);
    // GET person (two injected 503s, then 200), then its organization.
    expect(call.requestLog.map((l) => `${l.status} ${l.url}`)).toEqual(['503 /api/v2/persons/2', '503 /api/v2/persons/2', '200 /api/v2/persons/2', expect.stringMatching(/^200 \/api\/v2\/organizations\?ids=\d+/)]);

    emu.failNext(10);
    const failing = callFor(emu, undefined, { maxRetries: 2, backoffMs: 1 });
    const err = await findContactById(failing, { id: '2' }).catch((x) => x);
    emu.failNext(0);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.kind).toBe('server');
    expect(err.message).toMatch(/Pipedrive failed with 503/);
    expect(err.requestLog.map((l: { status: number }) => l.status)).toEqual([503, 503, 503]);
    expect(err.requestLog[0].url).toBe('/api/v2/persons/2');
  });

  it('connects with OAuth (authorize → code → token) and refreshes an expired access token', async () => {
    const e = await startPipedriveEmulator({ contacts: 5, companies: 1, token: TOKEN, oauth: OAUTH, accessTokenTtlSec: 3600 });
    try {
      const redirectUri = 'https://patchbay.example.com/oauth/callback';
      const authorize = buildAuthorizeUrl(`${e.url}/oauth/authorize`, { clientId: OAUTH.clientId, redirectUri, state: 'st-1', scopes: ['base', 'contacts:full'] });
      const redirect = await fetch(authorize, { redirect: 'manual' });
      expect(redirect.status).toBe(302);
      const back = new URL(redirect.headers.get('location')!);
      expect(back.searchParams.get('state')).toBe('st-1');
      const tokens = await exchangeCode(fetch, { tokenUrl: `${e.url}/oauth/token`, ...OAUTH }, back.searchParams.get('code')!, redirectUri);
      expect(tokens.raw.api_domain).toBe(e.url);

      const saved: Record<string, unknown>[] = [];
      const creds = { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt, ...OAUTH };
      expect((await findContactById(callFor(e, { ...creds }, {}, saved), { id: '1' })).found).toBe(true);
      expect(saved).toHaveLength(0);

      e.expireAccessTokens();
      const call = callFor(e, { ...creds }, {}, saved);
      expect((await findContactById(call, { id: '2' })).found).toBe(true);
      expect(call.requestLog.map((l) => l.status)).toEqual([401, 200]);
      expect(saved).toHaveLength(1);
      expect(saved[0].accessToken).toEqual(expect.any(String));
      expect(saved[0].accessToken).not.toBe(tokens.accessToken);
      expect(saved[0].refreshToken).toBe(tokens.refreshToken);
    } finally {
      await e.close();
    }
  });

  it('serves the record pages crmUrl points at, without a token', async () => {
    const res = await fetch(`${emu.url}/person/4`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(syntheticPerson(3).phoneAsTyped);
    expect((await fetch(`${emu.url}/api/v2/persons/4`)).status).toBe(401);
    expect((await fetch(`${emu.url}/api/v2/persons/4`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(401);
  });

  it('tests a connection with /v1/users/me', async () => {
    expect(await pipedriveConnector.testConnection!(connection(emu), fetch)).toEqual({ ok: true, account: 'Patchbay Demo Ltd — alex.agent@example.com' });
    expect(pipedriveConnector.blocks.map((b) => b.id).sort()).toEqual(['pipedrive.listAllIds', 'pipedrive.listCompaniesChanged', 'pipedrive.listContactsChanged']);
  });
});

describe('pipedrive emulator at scale', () => {
  it('serves 50,000 persons: quick start, seeks by updated_since, searches by phone', async () => {
    const t0 = performance.now();
    const e = await startPipedriveEmulator({ contacts: 50_000, token: TOKEN });
    try {
      expect(performance.now() - t0).toBeLessThan(5000);
      const last = syntheticPerson(49_999);
      const since = new Date(last.updatedAt - 2000).toISOString().replace(/\.\d{3}Z$/, 'Z');
      const t1 = performance.now();
      const page = await (await pd(`/api/v2/persons?sort_by=update_time&updated_since=${since}&limit=500`)(e)).json();
      expect(page.data.map((p: { id: number }) => p.id)).toEqual([49_998, 49_999, 50_000]);
      expect(page.additional_data.next_cursor).toBeNull();
      const found = await findContactByPhone(callFor(e), { phone: last.e164 });
      expect(found.contact?.externalId).toBe('50000');
      expect(performance.now() - t1).toBeLessThan(2000);
    } finally {
      await e.close();
    }
  });
});
