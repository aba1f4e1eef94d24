// What the conformance suite does not cover for SugarCRM: signing in with the password grant (and again when Sugar
// dropped the refresh token), the filter API's paging end and error bodies, the Note beside each call, accounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorHarness } from '../../testing/connector-harness';
import { createSugarClient } from './client';
import { startSugarEmulator, SUGAR_EMULATOR_USER, type SugarEmulator } from './emulator';
import { sugarcrmConnector } from './manifest';

const crm = sugarcrmConnector.crm;
const PASSWORD_CREDS = { username: SUGAR_EMULATOR_USER.userName, password: SUGAR_EMULATOR_USER.password };
const { callFor } = connectorHarness<SugarEmulator>('sugarcrm', 'conn-sugar', PASSWORD_CREDS);
let emu: SugarEmulator;

beforeAll(async () => { emu = await startSugarEmulator({ contacts: 45, companies: 6, users: 3, token: 'static-sugar-token' }); });
afterAll(async () => { await emu?.close(); });

describe('SugarCRM sign-in', () => {
  it('signs in with the password grant on first use and saves the tokens; the same connection then reuses them', async () => {
    const saved: Record<string, unknown>[] = [];
    const creds = { ...PASSWORD_CREDS };
    const call = callFor(emu, creds, {}, saved);
    expect(await crm.findUserByEmail(call, { email: 'sally.bronsen@patchbay-demo.example' })).toMatchObject({ id: '1', name: 'Sally Bronsen' });
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ username: 'admin', accessToken: expect.any(String), refreshToken: expect.any(String), expiresAt: expect.any(Number) });
    expect(call.requestLog.map((r) => r.url)).toEqual(['/rest/v11_4/oauth2/token', '/rest/v11_4/Users/filter']);
    const again = callFor(emu, { ...saved[0] }, {}, saved);
    await crm.findUserByEmail(again, { email: 'nobody@example.com' });
    expect(again.requestLog.map((r) => r.url)).toEqual(['/rest/v11_4/Users/filter']);
    expect(saved).toHaveLength(1);
  });

  it('signs in again with the password when the access token expired and the refresh token is no longer valid', async () => {
    const saved: Record<string, unknown>[] = [];
    const call = callFor(emu, { ...PASSWORD_CREDS, accessToken: 'expired-token', refreshToken: 'dropped-refresh-token' }, {}, saved);
    const [hit] = await crm.findContactsByPhone(call, { phone: '+12022000000', defaultCountry: 'US' });
    expect(hit?.firstName).toBe('Ada');
    expect(call.requestLog.map((r) => [r.url, r.status])).toEqual([
      ['/rest/v11_4/Contacts/filter', 401], ['/rest/v11_4/oauth2/token', 400], ['/rest/v11_4/oauth2/token', 200], ['/rest/v11_4/Contacts/filter', 200],
    ]);
    expect(saved.at(-1)!.accessToken).not.toBe('expired-token');
  });

  it('a wrong password is a connection_auth error in plain words', async () => {
    const err = await crm.getContact(callFor(emu, { username: 'admin', password: 'wrong' }), { id: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'connection_auth' });
    expect((err as Error).message).toMatch(/SugarCRM refused the sign-in \(You must specify a valid username and password\.\): reconnect SugarCRM/);
  });
});

describe('SugarCRM API behaviour', () => {
  const call = () => callFor(emu, { accessToken: 'static-sugar-token' });

  it('pages the filter API with max_num/offset and stops at next_offset -1', async () => {
    const c = call();
    const ids: string[] = [];
    for await (const page of crm.listAllIds(c, { kind: 'person', pageSize: 20 })) ids.push(...page);
    expect(ids).toHaveLength(45);
    const res = await createSugarClient(call()).request<{ next_offset: number; records: unknown[] }>({ method: 'POST', path: '/Contacts/filter', body: { max_num: 20, offset: 40, fields: 'id' } });
    expect(res.body.next_offset).toBe(-1);
    expect(res.body.records).toHaveLength(5);
    expect(c.requestLog.map((r) => r.url)).toEqual(Array(3).fill('/rest/v11_4/Contacts/filter'));
  });

  it("answers Sugar's error bodies: an unknown operator or a missing field is a 422 naming it", async () => {
    const client = createSugarClient(call());
    const bad = await client.request({ method: 'POST', path: '/Contacts/filter', body: { filter: [{ phone_work: { $like: '1' } }] } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 422, body: { error: 'invalid_parameter', error_message: 'Did not recognize the operator: $like' } });
    const missing = await client.request({ method: 'POST', path: '/Calls', body: { name: 'x' } }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 422, body: { error: 'missing_parameter', error_message: 'Missing parameter: date_start' } });
    expect((missing as Error).message).toContain('Missing parameter: date_start');
  });

  it('logs a call as a Calls record with a Note related to the call and the contact', async () => {
    const [contact] = await crm.findContactsByPhone(call(), { phone: '(212) 200-0001', defaultCountry: 'US' });
    const ref = await crm.logCall(call(), { direction: 'outbound', status: 'busy', startedAt: '2026-03-02T09:00:00Z', durationSec: 3725, contactId: contact.id, transcript: 'Hello?' });
    const rec = emu.store.modules.Calls.get(ref.id)!;
    expect(rec).toMatchObject({ direction: 'Outbound', status: 'Not Held', duration_hours: 1, duration_minutes: 2, date_start: '2026-03-02T09:00:00+00:00', date_end: '2026-03-02T10:02:00+00:00', parent_type: 'Contacts', parent_id: contact.id, assigned_user_id: '1', name: 'Outbound call (busy)' });
    expect([...emu.store.callContacts.get(ref.id)!]).toEqual([contact.id]);
    const notes = emu.store.list('Notes').filter((n) => n.parent_id === ref.id);
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatchObject({ parent_type: 'Calls', contact_id: contact.id, description: 'Transcript:\nHello?' });
    await crm.updateCallLog(call(), ref, { status: 'answered', notes: 'Got through after all' });
    expect(rec).toMatchObject({ status: 'Held', name: 'Outbound call' });
    expect(rec.description).toMatch(/^Result: answered$/m);
    expect(emu.store.list('Notes').filter((n) => n.parent_id === ref.id).map((n) => n.description)).toEqual(['Got through after all']);
  });

  it('finds an account by its office phone as a company, and lists accounts as changed records', async () => {
    const account = emu.store.list('Accounts')[2];
    const found = await crm.findContactsByPhone(call(), { phone: String(account.phone_office), kind: 'company', defaultCountry: 'US' });
    expect(found.map((c) => [c.id, c.kind, c.company])).toEqual([[account.id, 'company', account.name]]);
    const changed: string[] = [];
    for await (const page of crm.listChanged(call(), { kind: 'company', cursor: null, pageSize: 4 })) changed.push(...page.contacts.map((c) => c.externalId));
    expect(changed).toEqual(emu.store.list('Accounts').map((a) => a.id));
  });
});
