// node-zendesk (npm), the Node client Zendesk's developer docs point to, against the Zendesk emulator, unchanged:
// Basic email/token auth, users.list following cursor paging (page[size]=100, links.next) over more than one page,
// users.search with phone:, users.show/create/update, tickets.create with an internal comment and tickets.update,
// and its error shape on a 422. It also reads back a call our connector logged in the user's notes.
import { createClient, type ZendeskClient } from 'node-zendesk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorHarness } from '../../testing/connector-harness';
import { syntheticPerson } from '../kit/synthetic';
import { startZendeskEmulator, ZENDESK_EMULATOR_EMAIL, type ZendeskEmulator } from './emulator';
import { zendeskConnector } from './manifest';

const TOKEN = 'zd-sdk-token';
let emu: ZendeskEmulator;
let zd: ZendeskClient;
const { callFor } = connectorHarness<ZendeskEmulator>('zendesk', 'conn-zd-sdk', { email: ZENDESK_EMULATOR_EMAIL, apiToken: TOKEN });

beforeAll(async () => {
  emu = await startZendeskEmulator({ contacts: 140, users: 3, token: TOKEN });
  zd = createClient({ username: ZENDESK_EMULATOR_EMAIL, token: TOKEN, endpointUri: `${emu.url}/api/v2` });
});
afterAll(async () => { await emu?.close(); });

describe('node-zendesk against the Zendesk emulator', () => {
  it('authenticates and lists every user across cursor pages', async () => {
    const me = await zd.users.me();
    expect(me.result).toMatchObject({ email: ZENDESK_EMULATOR_EMAIL, role: 'admin' });
    const all = await zd.users.list() as unknown as { id: number }[];
    expect(all).toHaveLength(143);
    expect(new Set(all.map((u) => u.id)).size).toBe(143);
    expect(emu.stats.byRoute.get('GET /api/v2/users.json')).toBe(2);
  });

  it('searches by phone, shows, creates and updates a user', async () => {
    const p = syntheticPerson(7);
    const found = await zd.users.search({ query: `phone:${p.e164.slice(2)}` }) as unknown as { id: number; name: string }[];
    expect(found.map((u) => u.name)).toEqual([`${p.firstName} ${p.lastName}`]);
    const shown = await zd.users.show(found[0].id);
    expect(shown.result).toMatchObject({ id: found[0].id, role: 'end-user' });
    const created = await zd.users.create({ user: { name: 'Sdk Caller', email: 'sdk.caller@example.com', phone: '+14155550177', role: 'end-user' } } as never);
    expect(created.result).toMatchObject({ name: 'Sdk Caller', phone: '+14155550177' });
    const updated = await zd.users.update((created.result as { id: number }).id, { user: { notes: 'Added by the SDK' } } as never);
    expect(updated.result).toMatchObject({ notes: 'Added by the SDK' });
  });

  it('creates a ticket with an internal comment, adds one, and surfaces a 422', async () => {
    const requester = emu.store.endUsers()[0];
    const t = await zd.tickets.create({ ticket: { subject: 'Call from the SDK', requester_id: requester.id, comment: { body: 'Internal call note', public: false } } } as never);
    const ticket = t.result as { id: number; requester_id: number };
    expect(ticket.requester_id).toBe(requester.id);
    await zd.tickets.update(ticket.id, { ticket: { comment: { body: 'Second note', public: false } } } as never);
    expect(emu.store.tickets.get(ticket.id)!.comments.map((c) => [c.body, c.public])).toEqual([['Internal call note', false], ['Second note', false]]);
    await expect(zd.users.create({ user: { name: '' } } as never)).rejects.toThrow(/422|RecordInvalid|Unprocessable/);
  });

  it("reads a call our connector logged in the user's notes", async () => {
    const u = emu.store.endUsers()[2];
    await zendeskConnector.crm.logCall(callFor(emu), { callId: 'sdk-call-1', direction: 'inbound', startedAt: '2026-03-02T09:00:00Z', durationSec: 12, contactId: String(u.id), notes: 'Read by the SDK' });
    const shown = await zd.users.show(u.id);
    expect((shown.result as { notes: string }).notes).toMatch(/^\[call sdk-call-1\]\nInbound call\n[\s\S]*Call id: sdk-call-1\n\nRead by the SDK\n\[end of call sdk-call-1\]$/);
  });
});
