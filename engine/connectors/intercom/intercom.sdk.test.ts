// Intercom's official Node SDK (intercom-client 6, generated from Intercom's API definition, Intercom-Version 2.11)
// drives the emulator unchanged, pointed at it with `baseUrl`: the emulator speaks the API the SDK was built for —
// contacts search and cursor paging, admins, notes on a contact, ticket types and tickets (and their search), error
// bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IntercomClient, IntercomError } from 'intercom-client';
import { startIntercomEmulator, type IntercomEmulator } from './emulator';

const TOKEN = 'intercom-sdk-token';
let emu: IntercomEmulator;
let client: IntercomClient;

beforeAll(async () => {
  emu = await startIntercomEmulator({ contacts: 23, users: 3, token: TOKEN });
  client = new IntercomClient({ token: TOKEN, baseUrl: emu.url });
});
afterAll(async () => { await emu?.close(); });

describe('the intercom-client SDK against the emulator', () => {
  it('identifies the token\'s admin with its workspace and lists the admins', async () => {
    const me = await client.admins.identify();
    expect(me).toMatchObject({ type: 'admin', id: emu.store.admins[0].id, email: emu.store.admins[0].email, app: { id_code: emu.store.workspaceId } });
    const list = await client.admins.list();
    expect(list.admins?.map((a) => a.id)).toEqual(emu.store.admins.map((a) => a.id));
  });

  it('pages every contact through pages.next.starting_after', async () => {
    const ids: string[] = [];
    for await (const c of await client.contacts.list({ per_page: 5 })) ids.push(c.id);
    expect(ids).toEqual(emu.store.listContacts().map((c) => c.id));
  });

  it('searches contacts by phone and by updated_at (rounded to the day)', async () => {
    const ada = emu.store.listContacts()[0];
    const byPhone = await client.contacts.search({ query: { field: 'phone', operator: '=', value: ada.phone! } });
    expect(byPhone.data.map((c) => c.id)).toEqual([ada.id]);
    const last = emu.store.listContacts().at(-1)!;
    const recent = await client.contacts.search({ query: { operator: 'AND', value: [{ field: 'updated_at', operator: '>', value: last.updated_at - 86_400 }, { field: 'role', operator: '=', value: 'user' }] }, pagination: { per_page: 50 } });
    expect(recent.data.map((c) => c.id)).toContain(last.id);
    expect(recent.data.every((c) => c.updated_at >= Math.floor(last.updated_at / 86_400) * 86_400)).toBe(true);
  });

  it('creates a contact, writes notes on it and reads them back', async () => {
    const contact = await client.contacts.create({ email: 'sdk.caller@example.com', name: 'Sdk Caller', phone: '+14155550177' });
    expect(contact).toMatchObject({ type: 'contact', role: 'user', email: 'sdk.caller@example.com' });
    const agent = emu.store.admins[2];
    const note = await client.notes.create({ contact_id: contact.id, body: 'Called about pricing\nWants a demo', admin_id: agent.id });
    expect(note).toMatchObject({ type: 'note', contact: { id: contact.id }, author: { id: agent.id }, body: '<p>Called about pricing<br>Wants a demo</p>' });
    await client.notes.create({ contact_id: contact.id, body: 'Second note' });
    const notes: string[] = [];
    for await (const n of await client.notes.list({ contact_id: contact.id, per_page: 1 })) notes.push(n.id);
    expect(notes.sort()).toEqual([...emu.store.notes.values()].filter((n) => n.contact.id === contact.id).map((n) => n.id).sort());
    expect(await client.notes.find({ note_id: note.id })).toMatchObject({ id: note.id, body: note.body });
  });

  it('creates a Back-office ticket on a contact and assigns it', async () => {
    const types = await client.ticketTypes.list();
    const callBack = types.ticket_types.find((t) => t.name === 'Call back')!;
    expect(callBack.category).toBe('Back-office');
    const contact = emu.store.listContacts()[3];
    const ticket = await client.tickets.create({ ticket_type_id: callBack.id, contacts: [{ id: contact.id }], ticket_attributes: { _default_title_: 'Call back Ada', _default_description_: 'Missed call' } });
    const agent = emu.store.admins[1];
    await client.tickets.update({ ticket_id: ticket.id, assignment: { admin_id: agent.id, assignee_id: agent.id } });
    const back = await client.tickets.get({ ticket_id: ticket.id });
    expect(back).toMatchObject({ ticket_attributes: { _default_title_: 'Call back Ada' }, admin_assignee_id: agent.id, contacts: { contacts: [{ id: contact.id }] } });
  });

  it("searches a contact's tickets by contact_ids, paging through pages.next.starting_after", async () => {
    const contact = emu.store.listContacts()[4];
    const made: string[] = [];
    for (const title of ['Call back one', 'Call back two', 'Call back three']) {
      made.push((await client.tickets.create({ ticket_type_id: '2', contacts: [{ id: contact.id }], ticket_attributes: { _default_title_: title } })).id);
    }
    const found: string[] = [];
    for await (const t of await client.tickets.search({ query: { field: 'contact_ids', operator: '=', value: contact.id }, pagination: { per_page: 2 } })) found.push(t.id);
    expect(found.sort()).toEqual(made.sort());
  });

  it("raises the SDK's errors from Intercom's error.list bodies", async () => {
    const missing = await client.contacts.find({ contact_id: 'nobody' }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(IntercomError);
    expect(missing).toMatchObject({ statusCode: 404, body: { type: 'error.list', errors: [{ code: 'not_found', message: 'User Not Found' }] } });
    const badToken = await new IntercomClient({ token: 'wrong', baseUrl: emu.url }).admins.list().catch((e: unknown) => e);
    expect(badToken).toMatchObject({ statusCode: 401, body: { errors: [{ code: 'unauthorized' }] } });
  });
});
