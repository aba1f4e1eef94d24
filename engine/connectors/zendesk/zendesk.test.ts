// What the conformance suite does not cover for Zendesk: Basic email/token auth, the call as a block of the end
// user's notes upserted by its call id (other notes and other calls untouched), the ticket option (an internal
// comment by the agent on the caller's unsolved ticket, or a new ticket), the call-back task ticket (found again by
// its external_id), the incremental export as changed-since, rate-limit headers and error bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorHarness } from '../../testing/connector-harness';
import type { RateLimitInfo } from '../../core/http-client';
import { syntheticPerson } from '../kit/synthetic';
import { startZendeskEmulator, ZENDESK_EMULATOR_EMAIL, type ZendeskEmulator } from './emulator';
import { zendeskConnector } from './manifest';

const crm = zendeskConnector.crm;
const TOKEN = 'zd-test-token';
const creds = { email: ZENDESK_EMULATOR_EMAIL, apiToken: TOKEN };
const { callFor } = connectorHarness<ZendeskEmulator>('zendesk', 'conn-zd', creds);
let emu: ZendeskEmulator;

beforeAll(async () => { emu = await startZendeskEmulator({ contacts: 30, users: 3, token: TOKEN }); });
afterAll(async () => { await emu?.close(); });

const userIdOf = async (index: number) => (await crm.findContactsByPhone(callFor(emu), { phone: syntheticPerson(index).e164, defaultCountry: 'US' }))[0].id;

describe('Zendesk connector', () => {
  it('sends Basic email/token:api_token; a wrong token or an end user email is refused in plain words', async () => {
    const seen: Headers[] = [];
    const spy: typeof fetch = async (input, init) => { seen.push(new Headers(init?.headers)); return fetch(input, init); };
    await crm.findUserByEmail({ ...callFor(emu), fetch: spy }, { email: ZENDESK_EMULATOR_EMAIL });
    expect(seen[0].get('authorization')).toBe(`Basic ${Buffer.from(`${ZENDESK_EMULATOR_EMAIL}/token:${TOKEN}`).toString('base64')}`);
    for (const bad of [{ ...creds, apiToken: 'nope' }, { ...creds, email: syntheticPerson(1).email }]) {
      const err = await crm.getContact(callFor(emu, bad), { id: '1' }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'connection_auth', message: "Zendesk rejected the credentials: reconnect Zendesk (Couldn't authenticate you)" });
    }
  });

  it("logs a call as a block of the end user's notes, found again by call id, rewritten in place; other notes stay", async () => {
    const id = await userIdOf(4);
    emu.store.updateUser(Number(id), { notes: 'VIP customer, prefers mornings' });
    const agent = emu.store.agents()[1];
    const p = syntheticPerson(4);
    const ref = await crm.logCall(callFor(emu), { callId: 'pbx-zd-1', direction: 'inbound', status: 'missed', startedAt: '2026-03-02T09:00:00Z', from: p.e164, agent: agent.email!, contactId: id });
    expect(ref).toMatchObject({ system: 'zendesk', type: 'user_notes_call', id: `${id}:pbx-zd-1`, url: `${emu.url}/agent/users/${id}` });
    const other = await crm.logCall(callFor(emu), { callId: 'pbx-zd-2', direction: 'outbound', startedAt: '2026-03-02T10:00:00Z', durationSec: 40, to: p.e164, contactId: id, notes: 'Left a voicemail' });
    expect((await crm.logCall(callFor(emu), { callId: 'pbx-zd-1', direction: 'inbound', status: 'missed', startedAt: '2026-03-02T09:00:00Z', contactId: id })).id).toBe(ref.id);
    await crm.updateCallLog(callFor(emu), ref, { status: 'answered', durationSec: 125, notes: 'Called back' });
    await crm.updateCallLog(callFor(emu), ref, { notes: 'Wants the premium plan' });
    expect(emu.store.users.get(Number(id))!.notes).toBe([
      '[call pbx-zd-2]', `Outbound call to ${p.e164}`, 'Direction: outbound', 'Result: answered', `To: ${p.e164}`, 'Duration: 40 s', 'Call id: pbx-zd-2', '', 'Left a voicemail', '[end of call pbx-zd-2]',
      '',
      '[call pbx-zd-1]', `Inbound call from ${p.e164}`, 'Direction: inbound', 'Result: answered', `From: ${p.e164}`, 'Duration: 2 min 5 s', `Agent: ${agent.name} (user ${agent.id})`, 'Call id: pbx-zd-1', '', 'Wants the premium plan', '[end of call pbx-zd-1]',
      '',
      'VIP customer, prefers mornings',
    ].join('\n'));
    expect(other.id).toBe(`${id}:pbx-zd-2`);
  });

  it('two calls of one caller logged at the same moment both keep their block (one notes write at a time)', async () => {
    const id = await userIdOf(8);
    const log = (callId: string) => crm.logCall(callFor(emu), { callId, direction: 'inbound', startedAt: '2026-03-02T09:00:00Z', contactId: id, notes: `Notes of ${callId}` });
    await Promise.all([log('pbx-same-1'), log('pbx-same-2'), crm.addNote(callFor(emu), { contactId: id, body: 'Asked for a quote' })]);
    const notes = emu.store.users.get(Number(id))!.notes;
    for (const marker of ['[call pbx-same-1]', '[call pbx-same-2]', 'Asked for a quote']) expect(notes).toContain(marker);
  });

  it('with callLogTarget "ticket": an internal comment by the agent on the caller\'s unsolved ticket, or a new ticket; an update adds one comment', async () => {
    const ticketCall = callFor(emu, { ...creds, callLogTarget: 'ticket' });
    const id = Number(await userIdOf(5));
    const agent = emu.store.agents()[2];
    // No ticket yet: one is opened for the call, requested by the caller, assigned to the agent.
    const first = await crm.logCall(ticketCall, { callId: 'pbx-zd-t1', direction: 'inbound', startedAt: '2026-03-02T09:00:00Z', durationSec: 61, agent: agent.id.toString(), contactId: String(id), notes: 'Asked about invoices' });
    const [ticketId, commentId] = first.id.split(':').map(Number);
    const ticket = emu.store.tickets.get(ticketId)!;
    expect(ticket).toMatchObject({ requester_id: id, assignee_id: agent.id, status: 'open', tags: ['patchbay_call'] });
    expect(ticket.comments).toEqual([expect.objectContaining({ id: commentId, public: false, author_id: agent.id, body: expect.stringContaining('Call id: pbx-zd-t1\n\nAsked about invoices') })]);
    // The retry finds the comment; the next call goes on the same unsolved ticket.
    expect((await crm.logCall(ticketCall, { callId: 'pbx-zd-t1', direction: 'inbound', startedAt: '2026-03-02T09:00:00Z', contactId: String(id) })).id).toBe(first.id);
    const second = await crm.logCall(ticketCall, { callId: 'pbx-zd-t2', direction: 'outbound', startedAt: '2026-03-02T11:00:00Z', agent: agent.id.toString(), contactId: String(id) });
    expect(second.id.split(':')[0]).toBe(String(ticketId));
    expect(emu.store.tickets.size).toBe(1);
    const out = await crm.updateCallLog(ticketCall, first, { notes: 'Invoices re-sent', recordingUrl: 'https://rec.example.com/1.mp3' });
    expect(out.note?.type).toBe('ticket_comment');
    expect(ticket.comments.at(-1)).toMatchObject({ public: false, author_id: agent.id, body: 'Update to Inbound call\nRecording: https://rec.example.com/1.mp3\nCall id: pbx-zd-t1\n\nInvoices re-sent' });
    expect(ticket.comments).toHaveLength(3);
    // A solved ticket is not reused.
    ticket.status = 'solved';
    const third = await crm.logCall(ticketCall, { callId: 'pbx-zd-t3', direction: 'inbound', startedAt: '2026-03-03T09:00:00Z', contactId: String(id) });
    expect(third.id.split(':')[0]).not.toBe(String(ticketId));
  });

  it('a call-back is a task ticket with due_at for the agent, requested by the caller', async () => {
    const id = await userIdOf(6);
    const agent = emu.store.agents()[1];
    const ref = await crm.createTask(callFor(emu), { subject: 'Call back +12022000006', due: '2026-03-03T09:00:00Z', owner: agent.email!, contactId: id, notes: 'Missed call' });
    expect(emu.store.tickets.get(Number(ref.id))).toMatchObject({ type: 'task', due_at: '2026-03-03T09:00:00Z', requester_id: Number(id), assignee_id: agent.id, subject: 'Call back +12022000006', tags: ['patchbay_callback'] });
  });

  it("a call-back made for a call keeps the call id as external_id; a retry answers it, another system's ticket with that id is not taken", async () => {
    const id = await userIdOf(7);
    const { ticket: foreign } = await (await fetch(`${emu.url}/api/v2/tickets.json`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${ZENDESK_EMULATOR_EMAIL}/token:${TOKEN}`).toString('base64')}` },
      body: JSON.stringify({ ticket: { subject: 'Imported', external_id: 'pbx-cb-1', requester_id: Number(id), comment: { body: 'From another system' } } }),
    })).json() as { ticket: { id: number } };
    const task = { subject: 'Call back +12022000007', due: '2026-03-03T09:00:00Z', contactId: id, callId: 'pbx-cb-1' };
    const ref = await crm.createTask(callFor(emu), task);
    expect(ref.id).not.toBe(String(foreign.id));
    expect(emu.store.tickets.get(Number(ref.id))).toMatchObject({ type: 'task', external_id: 'pbx-cb-1' });
    expect((await crm.createTask(callFor(emu), task)).id).toBe(ref.id);
    expect([...emu.store.tickets.values()].filter((t) => t.external_id === 'pbx-cb-1')).toHaveLength(2);
  });

  it('reads changed end users from the incremental export, agents left out, and resumes after an edit', async () => {
    const call = callFor(emu);
    let cursor: string | null = null;
    const all: string[] = [];
    for await (const page of crm.listChanged(call, { kind: 'person', cursor: null, pageSize: 8 })) { all.push(...page.contacts.map((c) => c.externalId)); cursor = page.cursor; }
    expect(all.sort()).toEqual(emu.store.endUsers().map((u) => String(u.id)).sort());
    expect(call.requestLog.every((r) => r.url.includes('/api/v2/incremental/users/cursor.json'))).toBe(true);
    const id = emu.store.endUsers()[3].id;
    emu.store.updateUser(id, { name: 'Edited Name' });
    const next: string[] = [];
    for await (const page of crm.listChanged(call, { kind: 'person', cursor, pageSize: 8 })) next.push(...page.contacts.map((c) => `${c.externalId} ${c.firstName}`));
    expect(next).toEqual([`${id} Edited`]);
  });

  it('reports the rate-limit headers and answers Zendesk error bodies', async () => {
    const seen: RateLimitInfo[] = [];
    emu.setRateLimit(700, 60_000);
    try {
      await crm.getContact({ ...callFor(emu), onRateLimit: (i) => seen.push(i) }, { id: String(emu.store.endUsers()[0].id) });
    } finally { emu.setRateLimit(0); }
    expect(seen[0]).toMatchObject({ limit: 700, remaining: 699 });
    const dup = await crm.createContact(callFor(emu), { firstName: 'Dup', email: syntheticPerson(0).email }).catch((e: unknown) => e);
    expect(dup).toMatchObject({ code: 'upstream_error', message: `Zendesk rejected the request (422): email: Email: ${syntheticPerson(0).email} is already being used by another user` });
    const res = await fetch(`${emu.url}/api/v2/users.json`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ user: { name: '' } }) });
    expect([res.status, await res.json()]).toEqual([422, { error: 'RecordInvalid', description: 'Record validation errors', details: { name: [{ description: 'Name: cannot be blank', error: 'BlankValue' }] } }]);
    await expect(crm.logCall(callFor(emu), { direction: 'inbound', startedAt: '2026-03-02T09:00:00Z' })).rejects.toMatchObject({ code: 'invalid_params', path: ['contactId'] });
  });
});
