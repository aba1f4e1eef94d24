// What the conformance suite does not cover for ActiveCampaign: the Api-Token header, the call as a Call task plus
// a contact note (both updated in place, the note found again by its call id, a lost note written by the retry), a
// call-back task kept apart from the log of the same call, changed-since paging inside one second, the error bodies,
// and raw requests shaped as the API reference shows them (ActiveCampaign has no maintained official Node SDK to drive
// the emulator with).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorHarness } from '../../testing/connector-harness';
import { syntheticPerson } from '../kit/synthetic';
import { acDate, startActiveCampaignEmulator, type AcEmulator } from './emulator';
import { activecampaignConnector } from './manifest';

const crm = activecampaignConnector.crm;
const TOKEN = 'ac-test-token';
const { callFor } = connectorHarness<AcEmulator>('activecampaign', 'conn-ac', { apiToken: TOKEN });
let emu: AcEmulator;

beforeAll(async () => { emu = await startActiveCampaignEmulator({ contacts: 30, users: 3, token: TOKEN }); });
afterAll(async () => { await emu?.close(); });

const raw = (path: string, init: RequestInit & { json?: unknown } = {}) => fetch(`${emu.url}${path}`, {
  ...init, headers: { 'Api-Token': TOKEN, Accept: 'application/json', ...(init.json !== undefined ? { 'Content-Type': 'application/json' } : {}), ...init.headers },
  body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
});

describe('ActiveCampaign connector', () => {
  it('sends the Api-Token header; a wrong token is refused in plain words', async () => {
    const seen: Headers[] = [];
    const spy: typeof fetch = async (input, init) => { seen.push(new Headers(init?.headers)); return fetch(input, init); };
    await crm.getContact({ ...callFor(emu), fetch: spy }, { id: '1' });
    expect(seen[0].get('api-token')).toBe(TOKEN);
    const err = await crm.getContact(callFor(emu, { apiToken: 'wrong' }), { id: '1' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'connection_auth', message: 'ActiveCampaign rejected the credentials: reconnect ActiveCampaign (An invalid API key was provided)' });
  });

  it('logs a call as a completed Call task plus a contact note; a retry finds both; updates change the same task and note', async () => {
    const p = syntheticPerson(3);
    const [contact] = await crm.findContactsByPhone(callFor(emu), { phone: p.e164, defaultCountry: 'US' });
    expect(contact.id).toBe('4');
    const agent = emu.store.users[2];
    const tasks0 = emu.store.list('dealTasks').length, notes0 = emu.store.list('notes').length;
    const log = { callId: 'pbx-ac-1', direction: 'inbound' as const, status: 'missed' as const, startedAt: '2026-03-02T09:00:00Z', from: p.e164, agent: agent.email, contactId: contact.id, notes: 'Left no message' };
    const ref = await crm.logCall(callFor(emu), log);
    const task = emu.store.tables.dealTasks.get(ref.id)!;
    expect(task).toMatchObject({ title: `Inbound call from ${p.e164} (missed)`, reltype: 'Subscriber', relid: '4', dealTasktype: '1', status: 1, assignee: agent.id, duedate: '2026-03-02T03:00:00-06:00' });
    expect(String(task.note)).toBe(`Direction: inbound\nResult: missed\nFrom: ${p.e164}\nDuration: 0 s\nCall id: pbx-ac-1`);
    const note = emu.store.list('notes').at(-1)!;
    expect(note).toMatchObject({ reltype: 'Subscriber', relid: '4', note: `Inbound call from ${p.e164} (missed)\nDirection: inbound\nResult: missed\nFrom: ${p.e164}\nDuration: 0 s\nCall id: pbx-ac-1\n\nLeft no message` });

    expect((await crm.logCall(callFor(emu), log)).id).toBe(ref.id);
    expect([emu.store.list('dealTasks').length, emu.store.list('notes').length]).toEqual([tasks0 + 1, notes0 + 1]);

    await crm.updateCallLog(callFor(emu), ref, { status: 'answered', durationSec: 125, notes: 'Called back, all good' });
    const out = await crm.updateCallLog(callFor(emu), ref, { notes: 'Wants the premium plan', notesMode: 'append' });
    expect([emu.store.list('dealTasks').length, emu.store.list('notes').length]).toEqual([tasks0 + 1, notes0 + 1]);
    expect(out.note).toMatchObject({ type: 'note', id: note.id });
    expect(task.title).toBe(`Inbound call from ${p.e164}`);
    expect(note.note).toBe(`Inbound call from ${p.e164}\nDirection: inbound\nResult: answered\nFrom: ${p.e164}\nDuration: 2 min 5 s\nCall id: pbx-ac-1\n\nCalled back, all good\n\nWants the premium plan`);
  });

  it('writes the note on the retry when it was lost between the two writes, once', async () => {
    const ref = await crm.logCall(callFor(emu), { callId: 'pbx-ac-lost', direction: 'outbound', startedAt: '2026-03-02T10:00:00Z', durationSec: 30, contactId: '5', notes: 'Quoted 40 seats' });
    const mine = () => emu.store.list('notes').filter((n) => String(n.note).includes('Call id: pbx-ac-lost'));
    emu.store.remove('notes', mine()[0].id);
    expect(mine()).toHaveLength(0);
    expect((await crm.logCall(callFor(emu), { callId: 'pbx-ac-lost', direction: 'outbound', startedAt: '2026-03-02T10:00:00Z', contactId: '5', notes: 'Quoted 40 seats' })).id).toBe(ref.id);
    await crm.logCall(callFor(emu), { callId: 'pbx-ac-lost', direction: 'outbound', startedAt: '2026-03-02T10:00:00Z', contactId: '5' });
    expect(mine().map((n) => n.note)).toEqual([expect.stringContaining('Quoted 40 seats')]);
  });

  it('the call-back after a missed call is its own Call task: neither the log nor the call-back answers for the other', async () => {
    const missed = (callId: string) => ({ callId, direction: 'inbound' as const, status: 'missed' as const, startedAt: '2026-03-02T12:00:00Z', contactId: '7' });
    const callBack = (callId: string) => crm.createTask(callFor(emu), { subject: 'Call back', contactId: '7', notes: 'Missed call', callId });
    // The log first, then the call-back: the call-back is made, not answered by the log.
    const log = await crm.logCall(callFor(emu), missed('pbx-ac-missed'));
    const task = await callBack('pbx-ac-missed');
    expect(task.id).not.toBe(log.id);
    expect(emu.store.list('dealTasks').find((t) => t.id === task.id)?.note).toBe('Call id: pbx-ac-missed\n\nMissed call');
    expect((await callBack('pbx-ac-missed')).id).toBe(task.id);
    // The call-back first and already done by the agent (a log that failed until now): the log is made, not answered by it.
    const early = await callBack('pbx-ac-late-log');
    expect((await raw(`/api/3/dealTasks/${early.id}`, { method: 'PUT', json: { dealTask: { status: 1 } } })).status).toBe(200);
    const late = await crm.logCall(callFor(emu), missed('pbx-ac-late-log'));
    expect(late.id).not.toBe(early.id);
    expect((await crm.logCall(callFor(emu), missed('pbx-ac-late-log'))).id).toBe(late.id);
    expect((await callBack('pbx-ac-late-log')).id).toBe(early.id);
  });

  it('a call without a call id finds its note by the task it belongs to', async () => {
    const ref = await crm.logCall(callFor(emu), { direction: 'inbound', startedAt: '2026-03-02T11:00:00Z', contactId: '6', notes: 'First' });
    await crm.updateCallLog(callFor(emu), ref, { notes: 'Second' });
    const notes = emu.store.list('notes').filter((n) => n.relid === '6');
    expect(notes.map((n) => n.note)).toEqual([expect.stringMatching(new RegExp(`Call task: ${ref.id}\\n\\nSecond$`))]);
  });

  it('pages changed contacts by id inside a window and loses none updated in the same second as the last one seen', async () => {
    const call = callFor(emu);
    let cursor: string | null = null;
    for await (const page of crm.listChanged(call, { kind: 'person', cursor: null, pageSize: 7 })) cursor = page.cursor;
    // Two contacts change in one second: both arrive next time, once; a third changed later in that same second
    // arrives on the run after, alone; then nothing.
    const sameSecond = (id: string, firstName: string, t: number) => { emu.store.update('contacts', id, { firstName }); Object.assign(emu.store.tables.contacts.get(id)!, { __u: t, udate: acDate(t) }); };
    const t = Math.floor(Date.now() / 1000) * 1000 + 3_600_000;
    sameSecond('2', 'Second', t);
    sameSecond('9', 'Ninth', t);
    const run = async () => {
      const got: string[] = [];
      for await (const page of crm.listChanged(call, { kind: 'person', cursor, pageSize: 7 })) { got.push(...page.contacts.map((c) => c.externalId)); cursor = page.cursor; }
      return got;
    };
    expect(await run()).toEqual(['2', '9']);
    sameSecond('12', 'Twelfth', t);
    expect(await run()).toEqual(['12']);
    expect(await run()).toEqual([]);
    expect([...(await (async () => { const out = []; for await (const p of crm.listChanged(call, { kind: 'company', cursor: null })) out.push(p); return out; })())]).toEqual([]);
  });

  it("answers ActiveCampaign's error bodies: 422 with errors[].source.pointer, 404 with a message", async () => {
    const dup = await crm.createContact(callFor(emu), { firstName: 'Dup', email: syntheticPerson(0).email }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 'upstream_error', message: 'ActiveCampaign rejected the request (422): email: Email address already exists in the system.' });
    const res = await raw('/api/3/dealTasks', { method: 'POST', json: { dealTask: { ownerType: 'contact', relid: '1', dealTasktype: '99', duedate: '2026-03-02T10:00:00Z' } } });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({ errors: [{ title: 'Task type is required and must exist', detail: '', code: 'field_invalid', source: { pointer: '/data/attributes/dealTasktype' } }] });
    const missing = await raw('/api/3/contacts/99999');
    expect([missing.status, await missing.json()]).toEqual([404, { message: 'No Result found for Subscriber with id 99999' }]);
    await expect(crm.logCall(callFor(emu), { direction: 'inbound', startedAt: '2026-03-02T09:00:00Z' })).rejects.toMatchObject({ code: 'invalid_params', path: ['contactId'] });
  });
});

describe('ActiveCampaign emulator, driven with requests as the API reference shows them', () => {
  it('creates a contact, lists and searches contacts with meta.total, creates a task and a note', async () => {
    const created = await raw('/api/3/contacts', { method: 'POST', json: { contact: { email: 'johndoe@example.com', firstName: 'John', lastName: 'Doe', phone: '7223224241' } } });
    expect(created.status).toBe(201);
    const { contact } = await created.json() as { contact: { id: string; email: string; phone: string; cdate: string; links: Record<string, string> } };
    expect(contact).toMatchObject({ email: 'johndoe@example.com', phone: '7223224241', links: { notes: `/api/3/contacts/${contact.id}/notes` } });
    expect(contact.cdate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d-06:00$/);
    const list = await (await raw('/api/3/contacts?limit=5&offset=5')).json() as { contacts: { id: string }[]; meta: { total: string } };
    expect(list.contacts.map((c) => c.id)).toEqual(['6', '7', '8', '9', '10']);
    expect(list.meta.total).toBe(String(emu.store.list('contacts').length));
    const found = await (await raw('/api/3/contacts?search=7223224241')).json() as { contacts: { id: string }[]; meta: { total: string } };
    expect(found).toMatchObject({ contacts: [{ id: contact.id }], meta: { total: '1' } });
    const byPhone = await (await raw('/api/3/contacts?phone=722322')).json() as { contacts: { id: string }[] };
    expect(byPhone.contacts.map((c) => c.id)).toEqual([contact.id]);

    const task = await raw('/api/3/dealTasks', { method: 'POST', json: { dealTask: { title: null, ownerType: 'contact', relid: contact.id, status: 0, note: 'Testing Task', duedate: '2017-02-25T12:00:00-06:00', edate: '2017-02-25T12:15:00-06:00', dealTasktype: '1', assignee: '1' } } });
    expect(task.status).toBe(201);
    expect((await task.json() as { dealTask: unknown }).dealTask).toMatchObject({ reltype: 'Subscriber', relid: contact.id, owner: { type: 'contact', id: contact.id }, duedate: '2017-02-25T12:00:00-06:00', status: 0 });
    const tasks = await (await raw(`/api/3/dealTasks?filters[reltype]=Subscriber&filters[relid]=${contact.id}`)).json() as { dealTasks: unknown[] };
    expect(tasks.dealTasks).toHaveLength(1);

    const note = await raw('/api/3/notes', { method: 'POST', json: { note: { note: 'Note for the contact', relid: Number(contact.id), reltype: 'Subscriber' } } });
    expect(note.status).toBe(201);
    const notes = await (await raw(`/api/3/contacts/${contact.id}/notes`)).json() as { notes: { note: string }[] };
    expect(notes.notes.map((n) => n.note)).toEqual(['Note for the contact']);
    const types = await (await raw('/api/3/dealTasktypes')).json() as { dealTasktypes: { title: string }[] };
    expect(types.dealTasktypes.map((t) => t.title)).toContain('Call');
    const user = await (await raw(`/api/3/users/email/${encodeURIComponent(emu.store.users[1].email)}`)).json() as { user: { id: string } };
    expect(user.user.id).toBe('2');
  });

  it('answers 429 with Retry-After past 5 requests per second', async () => {
    emu.setRateLimit(5, 1000);
    try {
      const statuses = [];
      for (let i = 0; i < 7; i++) {
        const res = await raw('/api/3/users');
        statuses.push(res.status);
        if (res.status === 429) expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
    } finally {
      emu.setRateLimit(0);
    }
  });
});
