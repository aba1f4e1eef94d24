// What the conformance suite does not cover for Keap: the X-Keap-API-Key header, OAuth tokens refreshed before they
// expire and after a 401 (the new tokens saved with the connection), a call as a Call note edited in place, the
// call-back task (found again by its "Call id:" line among the contact's tasks), lookups that page through contacts
// (the v1 list has no phone filter), changed-since, errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectorHarness } from '../../testing/connector-harness';
import { buildAuthorizeUrl, exchangeCode, refreshTokens } from '../kit/oauth2';
import { createKeapClient } from './client';
import { startKeapEmulator, type KeapEmulator } from './emulator';
import { keapConnector } from './manifest';

const crm = keapConnector.crm;
const KEY = 'KeapAK-test-key';
const OAUTH = { clientId: 'keap-client', clientSecret: 'keap-secret' };
const { callFor } = connectorHarness<KeapEmulator>('keap', 'conn-keap', { apiKey: KEY });
let emu: KeapEmulator;

beforeAll(async () => { emu = await startKeapEmulator({ contacts: 45, users: 3, token: KEY, oauth: OAUTH, accessTokenTtlSec: 86_400 }); });
afterAll(async () => { await emu?.close(); });

async function oauthTokens() {
  const redirectUri = 'http://127.0.0.1:3000/api/portal/oauth/callback';
  const res = await fetch(buildAuthorizeUrl(`${emu.url}/app/oauth/authorize`, { clientId: OAUTH.clientId, redirectUri, state: 's', scopes: ['full'] }), { redirect: 'manual' });
  const code = new URL(res.headers.get('location')!).searchParams.get('code')!;
  return exchangeCode(fetch, { tokenUrl: `${emu.url}/token`, ...OAUTH }, code, redirectUri);
}

describe('Keap auth', () => {
  it('sends a Personal Access Token / Service Account Key as X-Keap-API-Key, an OAuth token as Bearer', async () => {
    const seen: Headers[] = [];
    const spy: typeof fetch = async (input, init) => { seen.push(new Headers(init?.headers)); return fetch(input, init); };
    await crm.getContact({ ...callFor(emu), fetch: spy }, { id: '101' });
    expect(seen[0].get('x-keap-api-key')).toBe(KEY);
    expect(seen[0].get('authorization')).toBeNull();
    const t = await oauthTokens();
    expect(t.raw).toMatchObject({ token_type: 'bearer', expires_in: 86_400, scope: 'full|patchbaydemo.infusionsoft.com' });
    await crm.getContact({ ...callFor(emu, { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: t.expiresAt, ...OAUTH }), fetch: spy }, { id: '101' });
    expect(seen[1].get('authorization')).toBe(`Bearer ${t.accessToken}`);
  });

  it('refreshes an access token past its expiry at the token endpoint before calling, and stores the new one', async () => {
    const t = await oauthTokens();
    const saved: Record<string, unknown>[] = [];
    const call = callFor(emu, { accessToken: t.accessToken, refreshToken: t.refreshToken, expiresAt: Date.now() - 1000, ...OAUTH, appName: 'ab123' }, {}, saved);
    expect((await crm.getContact(call, { id: '101' }))?.firstName).toBe('Ada');
    expect(call.requestLog.map((r) => [r.url, r.status])).toEqual([['/crm/rest/v1/contacts/101', 200]]);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresAt: expect.any(Number), clientId: OAUTH.clientId, appName: 'ab123' });
    expect(saved[0].accessToken).not.toBe(t.accessToken);
    expect(saved[0].expiresAt as number).toBeGreaterThan(Date.now() + 86_000_000);
    // Keap rotates the refresh token: the new one is saved, the old one is spent.
    expect(saved[0].refreshToken).not.toBe(t.refreshToken);
    const tokenUrl = `${emu.url}/token`;
    await expect(refreshTokens(fetch, { tokenUrl, ...OAUTH }, t.refreshToken!, 'basic')).rejects.toMatchObject({ code: 'connection_auth' });
    // Keap authenticates the refresh with HTTP Basic only: client credentials in the form are refused.
    await expect(refreshTokens(fetch, { tokenUrl, ...OAUTH }, saved[0].refreshToken as string, 'form')).rejects.toMatchObject({ message: expect.stringContaining('HTTP Basic') });
    const next = await refreshTokens(fetch, { tokenUrl, ...OAUTH }, saved[0].refreshToken as string, 'basic');
    expect(next.refreshToken).not.toBe(saved[0].refreshToken);
    // The new token works on its own; the old one is no longer accepted once Keap expired it.
    emu.expireAccessTokens();
    const err = await crm.getContact(callFor(emu, { accessToken: t.accessToken }), { id: '101' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'connection_auth' });
    expect((err as Error).message).toBe('Keap rejected the credentials: reconnect Keap (Invalid Access Token)');
  });
});

describe('Keap API', () => {
  const call = () => callFor(emu);

  it('logs a call as a Call note by the agent, found again by call id, and edits that same note', async () => {
    const agent = emu.store.users[2];
    const log = { callId: 'pbx-42', direction: 'inbound' as const, status: 'missed' as const, startedAt: '2026-03-02T09:00:00Z', from: '+12122000001', agent: agent.email_address, contactId: '102', notes: 'Voicemail left' };
    const ref = await crm.logCall(call(), log);
    const note = emu.store.notes.get(Number(ref.id))!;
    expect(note).toMatchObject({ type: 'Call', contact_id: 102, user_id: agent.id, title: 'Inbound call from +12122000001 (missed)', body: 'Direction: inbound\nResult: missed\nFrom: +12122000001\nDuration: 0 s\nCall id: pbx-42\n\nVoicemail left' });
    expect((await crm.logCall(call(), log)).id).toBe(ref.id);
    const count = emu.store.notes.size;
    await crm.updateCallLog(call(), ref, { status: 'answered', durationSec: 95, notes: 'Called back, sorted' });
    expect(emu.store.notes.size).toBe(count);
    expect(emu.store.notes.get(Number(ref.id))).toMatchObject({ title: 'Inbound call from +12122000001', body: 'Direction: inbound\nResult: answered\nFrom: +12122000001\nDuration: 1 min 35 s\nCall id: pbx-42\n\nCalled back, sorted' });
  });

  it('creates a call-back as a Call task for the agent on the contact, due when asked', async () => {
    const ref = await crm.createTask(call(), { subject: 'Call back +12122000001', due: '2026-03-03T09:00:00Z', owner: '2', contactId: '102', notes: 'Missed call' });
    expect(emu.store.tasks.get(Number(ref.id))).toMatchObject({ title: 'Call back +12122000001', type: 'Call', due_date: '2026-03-03T09:00:00.000Z', user_id: 2, contact: { id: 102 }, description: 'Missed call' });
  });

  it("a call-back made for a call heads its description with the call id; a retry finds it past a full page of the contact's tasks", async () => {
    // A busy contact: a full list page (1,000) of older tasks, so the call's task is on the second page.
    for (let i = 0; i < 1000; i++) {
      const id = emu.store.nextId('task');
      const at = '2026-01-01T00:00:00.000Z';
      emu.store.tasks.set(id, { id, title: `Older task ${i}`, description: i % 2 ? 'Call id: pbx-older' : null, due_date: at, contact: { id: 103, email: null, first_name: null, last_name: null }, user_id: 1, type: 'Call', priority: null, completed: i % 3 === 0, creation_date: at, modification_date: at });
    }
    const task = { subject: 'Call back +12122000003', due: '2026-03-03T09:00:00Z', contactId: '103', notes: 'Missed call', callId: 'pbx-keap-9' };
    const ref = await crm.createTask(call(), task);
    expect(emu.store.tasks.get(Number(ref.id))).toMatchObject({ contact: { id: 103 }, description: 'Call id: pbx-keap-9\n\nMissed call' });
    expect((await crm.createTask(call(), task)).id).toBe(ref.id);
    expect([...emu.store.tasks.values()].filter((t) => t.contact?.id === 103 && t.description?.startsWith('Call id: pbx-keap-9'))).toHaveLength(1);
  });

  it('finds a number by paging through the contacts (no phone filter in v1), in any country, newest first', async () => {
    const gb = emu.store.listContacts().find((c) => c.addresses[0]?.country_code === 'GBR')!;
    const c = call();
    const found = await crm.findContactsByPhone(c, { phone: gb.phone_numbers[0].number, defaultCountry: 'GB' });
    expect(found.map((x) => [x.id, x.country])).toEqual([[String(gb.id), 'GB']]);
    expect(c.requestLog.map((r) => r.url)).toEqual(['/crm/rest/v1/contacts?order=last_updated&order_direction=DESCENDING&limit=1000&offset=0']);
  });

  it('reads changes with since and order=last_updated, resuming after the cursor', async () => {
    let last = '';
    for await (const page of crm.listChanged(call(), { kind: 'person', cursor: null, pageSize: 20 })) last = page.cursor;
    const id = emu.store.listContacts()[9].id;
    emu.store.updateContact(id, { given_name: 'Edited' });
    const c = call();
    const changed: string[] = [];
    for await (const page of crm.listChanged(c, { kind: 'person', cursor: last, pageSize: 20 })) changed.push(...page.contacts.map((x) => `${x.externalId} ${x.firstName}`));
    expect(changed).toEqual([`${id} Edited`]);
    expect(c.requestLog[0].url).toMatch(/^\/crm\/rest\/v1\/contacts\?order=last_updated&order_direction=ASCENDING&since=2026-/);
  });

  it("answers Keap's error bodies", async () => {
    const client = createKeapClient(call());
    const bad = await client.request({ path: '/contacts', query: { order: 'phone' } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, body: { message: 'Invalid order: phone (one of id, date_created, last_updated, name, firstName, email)' } });
    const noType = await client.request({ method: 'POST', path: '/notes', body: { contact_id: 101, type: 'Meeting' } }).catch((e: unknown) => e);
    expect((noType as Error).message).toContain('Invalid type: Meeting');
    await expect(crm.logCall(call(), { direction: 'inbound', startedAt: '2026-03-02T09:00:00Z', contactId: 'abc' })).rejects.toMatchObject({ code: 'invalid_params', path: ['contactId'] });
  });
});
