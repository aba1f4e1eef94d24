// What the conformance suite does not cover for Intercom: its headers, a call as a note on the contact (an update is
// a second note, since Intercom's API cannot edit one, and a retried update writes none), call-backs as Back-office
// tickets (found again by their "Call id:" line through Search tickets), lookups of numbers stored in other spellings,
// changed-since on Intercom's day-rounded search, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorHarness } from '../../testing/connector-harness';
import type { RateLimitInfo } from '../../core/http-client';
import { createIntercomClient } from './client';
import { startIntercomEmulator, type IntercomEmulator } from './emulator';
import { intercomConnector } from './manifest';
import { noteHtmlToText } from './note-html';

const crm = intercomConnector.crm;
const TOKEN = 'intercom-test-token';
const { callFor } = connectorHarness<IntercomEmulator>('intercom', 'conn-intercom', { accessToken: TOKEN });
let emu: IntercomEmulator;

beforeAll(async () => { emu = await startIntercomEmulator({ contacts: 30, users: 3, token: TOKEN, rateLimit: 1000 }); });
afterAll(async () => { await emu?.close(); });

const notesOf = (contactId: string) => [...emu.store.notes.values()].filter((n) => n.contact.id === contactId).map((n) => noteHtmlToText(n.body));

describe('Intercom API', () => {
  it('sends the Bearer token and Intercom-Version 2.11, and reports the X-RateLimit headers', async () => {
    const seen: Headers[] = [];
    const limits: RateLimitInfo[] = [];
    const spy: typeof fetch = async (input, init) => { seen.push(new Headers(init?.headers)); return fetch(input, init); };
    await crm.getContact({ ...callFor(emu), fetch: spy, onRateLimit: (i) => limits.push(i) }, { id: emu.store.listContacts()[0].id });
    expect(seen[0].get('authorization')).toBe(`Bearer ${TOKEN}`);
    expect(seen[0].get('intercom-version')).toBe('2.11');
    expect(limits[0]).toMatchObject({ limit: 1000, remaining: expect.any(Number), resetSeconds: expect.any(Number) });
    expect(limits[0].resetSeconds!).toBeLessThanOrEqual(11); // a 10 s window, Reset rounded up to the second
  });

  it('logs a call as a note by the agent on the contact, found again by its call id; an update is one more note, written once', async () => {
    const contact = emu.store.listContacts()[4];
    const agent = emu.store.admins[2];
    const log = { callId: 'pbx-901', direction: 'inbound' as const, status: 'answered' as const, startedAt: '2026-03-02T09:00:00Z', durationSec: 125, from: '+12022000004', agent: agent.email, contactId: contact.id, notes: 'Asked for a quote' };
    const ref = await crm.logCall(callFor(emu), log);
    expect(ref).toMatchObject({ system: 'intercom', type: 'note' });
    const note = emu.store.notes.get(ref.id)!;
    expect(note.author.id).toBe(agent.id);
    expect(note.body).toBe('<p>Inbound call from +12022000004<br>Direction: inbound<br>Result: answered<br>From: +12022000004<br>Duration: 2 min 5 s<br>Call id: pbx-901</p><p>Asked for a quote</p>');
    expect((await crm.logCall(callFor(emu), log)).id).toBe(ref.id);

    const out = await crm.updateCallLog(callFor(emu), ref, { notes: 'Quote sent on Friday', recordingUrl: 'https://rec.example.com/a?x=1&y=2' });
    expect(out).toMatchObject({ mode: 'note', ref: { id: ref.id } });
    expect(emu.store.notes.get(ref.id)!.body).toBe(note.body); // the call's note is never edited
    const update = noteHtmlToText(emu.store.notes.get(out.note!.id)!.body);
    expect(update).toBe('Update to "Inbound call from +12022000004"\nRecording: https://rec.example.com/a?x=1&y=2\nCall id: pbx-901\n\nQuote sent on Friday');
    expect(emu.store.notes.get(out.note!.id)!.author.id).toBe(agent.id);
    // The same update again (a retried run) finds that note instead of writing another.
    const again = await crm.updateCallLog(callFor(emu), ref, { notes: 'Quote sent on Friday', recordingUrl: 'https://rec.example.com/a?x=1&y=2' });
    expect(again.note!.id).toBe(out.note!.id);
    expect(notesOf(contact.id)).toHaveLength(2);
  });

  it('creates a call-back as a "Call back" ticket on the contact assigned to the agent; without a Back-office type it says what to create', async () => {
    const contact = emu.store.listContacts()[5];
    const agent = emu.store.admins[1];
    const ref = await crm.createTask(callFor(emu), { subject: 'Call back +12022000005', due: '2026-03-03T09:00:00Z', owner: agent.email, contactId: contact.id, notes: 'Missed call' });
    expect(ref).toMatchObject({ system: 'intercom', type: 'ticket' });
    expect(emu.store.tickets.get(ref.id)).toMatchObject({ ticket_type: { name: 'Call back', category: 'Back-office' }, admin_assignee_id: agent.id, ticket_attributes: { _default_title_: 'Call back +12022000005', _default_description_: 'Missed call\n\nDue: 2026-03-03T09:00:00Z' }, contacts: { contacts: [{ id: contact.id }] } });
    const bare = await startIntercomEmulator({ contacts: 2, token: TOKEN });
    try {
      bare.store.ticketTypes.splice(0, bare.store.ticketTypes.length, { ...bare.store.ticketTypes[0] });
      const err = await crm.createTask(callFor(bare), { subject: 'Call back', contactId: bare.store.listContacts()[0].id }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'upstream_error', message: expect.stringContaining('create one named "Call back"') });
    } finally { await bare.close(); }
  });

  it("a call-back made for a call ends its description with the call id; a retry finds it past a full search page of the contact's tickets", async () => {
    const contact = emu.store.listContacts()[6];
    const task = { subject: 'Call back +12022000006', due: '2026-03-03T09:00:00Z', contactId: contact.id, notes: 'Missed call', callId: 'pbx-ic-7' };
    const ref = await crm.createTask(callFor(emu), task);
    const first = emu.store.tickets.get(ref.id)!;
    expect(first.ticket_attributes).toMatchObject({ _default_description_: 'Missed call\n\nDue: 2026-03-03T09:00:00Z\nCall id: pbx-ic-7' });
    // Newer tickets of the same contact, a full search page of them (150): the call's ticket is on the second page.
    for (let i = 0; i < 150; i++) {
      const id = emu.store.newTicketId();
      emu.store.tickets.set(id, { ...first, id, ticket_id: id, ticket_attributes: { _default_title_: `Later ticket ${i}`, _default_description_: 'Call id: pbx-other' }, created_at: first.created_at + 1 + i, updated_at: first.created_at + 1 + i });
    }
    expect((await crm.createTask(callFor(emu), task)).id).toBe(ref.id);
    expect([...emu.store.tickets.values()].filter((t) => String(t.ticket_attributes._default_description_).endsWith('Call id: pbx-ic-7'))).toHaveLength(1);
  });

  it('finds a number stored in another spelling, and a caller without an email becomes a lead', async () => {
    const c = emu.store.listContacts()[7];
    emu.store.updateContact(c.id, { phone: '+1 212-555-0199' });
    const found = await crm.findContactsByPhone(callFor(emu), { phone: '(212) 555-0199', defaultCountry: 'US' });
    expect(found.map((x) => x.id)).toEqual([c.id]);
    const { ref } = await crm.createContact(callFor(emu), { phone: '+14155550111', firstName: 'Unknown', lastName: 'Caller' });
    expect(emu.store.contacts.get(ref.id)).toMatchObject({ role: 'lead', phone: '+14155550111', name: 'Unknown Caller', email: null });
  });

  it('reads changes since a cursor on the same day, and reads the last five minutes again (Intercom indexes changes late)', async () => {
    const fresh = await startIntercomEmulator({ contacts: 12, token: TOKEN });
    try {
      const read = async (cursor: string | null) => {
        const out: { ids: string[]; cursor: string | null } = { ids: [], cursor };
        for await (const page of crm.listChanged(callFor(fresh), { kind: 'person', cursor, pageSize: 5 })) { out.ids.push(...page.contacts.map((x) => `${x.externalId} ${x.firstName}`)); out.cursor = page.cursor; }
        return out;
      };
      const all = await read(null);
      expect(all.ids).toHaveLength(12);
      expect((await read(all.cursor)).ids).toEqual([]);
      const edited = fresh.store.listContacts()[7];
      fresh.store.updateContact(edited.id, { name: 'Edited Name' });
      const next = await read(all.cursor);
      expect(next.ids).toEqual([`${edited.id} Edited`]);
      // Changed a moment ago: the cursor stays five minutes back, so the next run reads it again rather than miss
      // a contact Intercom's search showed late.
      expect((await read(next.cursor)).ids).toEqual([`${edited.id} Edited`]);
      fresh.store.contacts.get(edited.id)!.updated_at -= 600;
      expect((await read(next.cursor)).ids).toEqual([]);
    } finally { await fresh.close(); }
  });

  it("answers Intercom's error.list bodies, naming the field", async () => {
    const client = createIntercomClient(callFor(emu));
    const bad = await client.request({ method: 'POST', path: '/contacts/search', body: { query: { field: 'phone', operator: 'LIKE', value: '1' } } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, body: { type: 'error.list', errors: [{ code: 'parameter_invalid', message: 'query.operator: LIKE is not an operator' }] } });
    const err = await crm.getContact(callFor(emu, { accessToken: 'revoked' }), { id: 'x' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('Intercom rejected the credentials: reconnect Intercom (unauthorized: Access Token Invalid)');
    await expect(crm.logCall(callFor(emu), { direction: 'inbound', startedAt: '2026-03-02T09:00:00Z' })).rejects.toMatchObject({ code: 'invalid_params', path: ['contactId'] });
  });
});
