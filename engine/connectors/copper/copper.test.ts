// What the conformance suite does not cover for Copper: its three headers, paging past the search cap, the Phone
// Call activity type looked up per account, an update in place of the subject and outcome, companies, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorHarness } from '../../testing/connector-harness';
import { createCopperClient } from './client';
import { COPPER_EMULATOR_EMAIL, COPPER_PHONE_CALL_TYPE_ID, startCopperEmulator, type CopperEmulator } from './emulator';
import { copperConnector } from './manifest';

const crm = copperConnector.crm;
const TOKEN = 'copper-test-key';
const { callFor } = connectorHarness<CopperEmulator>('copper', 'conn-copper', { apiKey: TOKEN, email: COPPER_EMULATOR_EMAIL });
let emu: CopperEmulator;

beforeAll(async () => { emu = await startCopperEmulator({ contacts: 47, companies: 6, users: 3, token: TOKEN, searchCap: 20 }); });
afterAll(async () => { await emu?.close(); });

describe('Copper API', () => {
  it('sends X-PW-AccessToken, X-PW-Application and X-PW-UserEmail; a key with another email is refused in plain words', async () => {
    const seen: Headers[] = [];
    const spy: typeof fetch = async (input, init) => { seen.push(new Headers(init?.headers)); return fetch(input, init); };
    await crm.getContact({ ...callFor(emu), fetch: spy }, { id: '10001' });
    expect(seen[0].get('x-pw-accesstoken')).toBe(TOKEN);
    expect(seen[0].get('x-pw-application')).toBe('developer_api');
    expect(seen[0].get('x-pw-useremail')).toBe(COPPER_EMULATOR_EMAIL);
    const err = await crm.getContact(callFor(emu, { apiKey: TOKEN, email: 'someone.else@example.com' }), { id: '10001' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'connection_auth' });
    expect((err as Error).message).toBe('Copper rejected the credentials: reconnect Copper (Invalid User Email or API Key)');
  });

  it('pages past the search cap (X-PW-TOTAL says more matched) by restarting from the last date, without duplicates', async () => {
    const call = callFor(emu);
    const ids: string[] = [];
    for await (const page of crm.listAllIds(call, { kind: 'person', pageSize: 8 })) ids.push(...page);
    expect(ids).toEqual(emu.store.list('people').map((p) => String(p.id)));
    const changed: string[] = [];
    for await (const page of crm.listChanged(call, { kind: 'person', cursor: null, pageSize: 8 })) changed.push(...page.contacts.map((c) => c.externalId));
    expect([...changed].sort()).toEqual([...ids].sort());
    // The restarts show as searches with a minimum date.
    expect(call.requestLog.length).toBeGreaterThan(2 * Math.ceil(47 / 8));
  });

  it('logs a call as a Phone Call activity on the person, found again by call id, and edits it in place', async () => {
    const [person] = await crm.findContactsByPhone(callFor(emu), { phone: '+1 212-200-0001', defaultCountry: 'US' });
    expect(person.id).toBe('10002');
    const before = emu.store.list('activities').length;
    const ref = await crm.logCall(callFor(emu), { callId: 'pbx-77', direction: 'inbound', status: 'missed', startedAt: '2026-03-02T09:00:00Z', from: '+12122000001', contactId: person.id });
    const act = emu.store.tables.activities.get(Number(ref.id))!;
    expect(act).toMatchObject({ type: { category: 'user', id: COPPER_PHONE_CALL_TYPE_ID }, parent: { type: 'person', id: 10002 }, user_id: emu.store.users[0].id, activity_date: Date.parse('2026-03-02T09:00:00Z') / 1000 });
    expect(String(act.details).split('\n')[0]).toBe('Inbound call from +12122000001 (missed)');
    expect((await crm.logCall(callFor(emu), { callId: 'pbx-77', direction: 'inbound', status: 'missed', startedAt: '2026-03-02T09:00:00Z', contactId: person.id })).id).toBe(ref.id);
    await crm.updateCallLog(callFor(emu), ref, { status: 'answered', durationSec: 125, notes: 'Called back' });
    expect(emu.store.list('activities').length).toBe(before + 1);
    expect(String(act.details)).toBe('Inbound call from +12122000001\nDirection: inbound\nResult: answered\nFrom: +12122000001\nDuration: 2 min 5 s\nCall id: pbx-77\n\nCalled back');
  });

  it('finds a company by its phone and refuses a call log that names no person or company', async () => {
    const company = emu.store.list('companies').find((c) => (c.address as { country: string }).country === 'GB')!;
    const number = (company.phone_numbers as { number: string }[])[0].number;
    const found = await crm.findContactsByPhone(callFor(emu), { phone: number, kind: 'company', defaultCountry: 'GB' });
    expect(found.map((c) => [c.id, c.kind, c.company])).toEqual([[String(company.id), 'company', company.name]]);
    const call = callFor(emu);
    await expect(crm.logCall(call, { direction: 'inbound', startedAt: '2026-03-02T09:00:00Z' })).rejects.toMatchObject({ code: 'invalid_params', path: ['contactId'] });
    expect(call.requestLog).toEqual([]);
  });

  it("answers Copper's error bodies: only user activities can be written, page_size is at most 200", async () => {
    const client = createCopperClient(callFor(emu));
    const system = await client.request({ method: 'POST', path: '/activities', body: { type: { category: 'system', id: 1 }, parent: { type: 'person', id: 10001 }, details: 'x' } }).catch((e: unknown) => e);
    expect(system).toMatchObject({ status: 422, body: { success: false, status: 422, message: 'type: only activities of category "user" can be created or modified' } });
    const big = await client.request({ method: 'POST', path: '/people/search', body: { page_size: 500 } }).catch((e: unknown) => e);
    expect(big).toMatchObject({ status: 422, body: { message: 'page_size: must be between 1 and 200' } });
  });
});
