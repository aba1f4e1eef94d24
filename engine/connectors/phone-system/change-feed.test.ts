// The phonebook's change feed and batch update (what the two-way sync reads and writes), through the connector
// against the reference emulator over real HTTP: each entry listed once at its latest state, deletes as tombstones
// with the entry's external id, a cursor that resumes after the last change; a batch update answered per entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectorCall } from '../kit/contact-source';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from './emulator';
import { listPhonebookChanges } from './list-changes';
import { updatePhonebookEntries } from './update-contacts';

let emu: PhoneSystemEmulator;
let call: ConnectorCall;
const conn = (url: string, config?: unknown) => ({ id: 'c', system: 'phonesystem', baseUrl: url, credentials: { token: 'feed', ...(config ? { config } : {}) }, saveCredentials: async () => {}, reportHealth: async () => {} });

beforeAll(async () => {
  emu = await startPhoneSystemEmulator({ token: 'feed' });
  call = { fetch, conn: conn(emu.url), requestLog: [] };
});
afterAll(async () => { await emu?.close(); });

describe('phonebook change feed', () => {
  it('lists adds, updates and deletes since the cursor, each entry once at its latest state', async () => {
    const a = emu.store.add({ firstName: 'Ann', phones: [{ number: '+442079460001', type: 'work' }] });
    const b = emu.store.add({ firstName: 'Bob', externalId: 'crm-7', source: 'hubspot', phones: [{ number: '+442079460002', type: 'work' }] });
    const first = await listPhonebookChanges(call, { cursor: null, pageSize: 1 });
    expect(first.changes).toEqual([{ type: 'upsert', id: a.id, changedAt: a.updatedAt, contact: expect.objectContaining({ id: a.id, firstName: 'Ann' }) }]);
    expect(first.more).toBe(true);
    const rest = await listPhonebookChanges(call, { cursor: first.cursor, pageSize: 10 });
    expect(rest.changes.map((c) => c.id)).toEqual([b.id]);
    expect(rest.more).toBe(false);

    // Nothing new: the same cursor comes back with no changes.
    const idle = await listPhonebookChanges(call, { cursor: rest.cursor });
    expect(idle).toMatchObject({ changes: [], cursor: rest.cursor, more: false });

    emu.store.update(a.id, { lastName: 'One' });
    emu.store.update(a.id, { lastName: 'Two' });
    emu.store.remove(b.id);
    const next = await listPhonebookChanges(call, { cursor: rest.cursor });
    expect(next.changes).toEqual([
      expect.objectContaining({ type: 'upsert', id: a.id, contact: expect.objectContaining({ lastName: 'Two' }) }),
      expect.objectContaining({ type: 'delete', id: b.id, externalId: 'crm-7', source: 'hubspot' }),
    ]);
  });

  it('refuses a cursor it did not make (400 naming it), and explains a missing feed', async () => {
    await expect(listPhonebookChanges(call, { cursor: 'bogus' })).rejects.toThrow(/cursor/);
    const legacy = await startPhoneSystemEmulator({ token: 'feed', profile: 'legacy' });
    try {
      await expect(listPhonebookChanges({ fetch, conn: conn(legacy.url, { auth: { kind: 'header', name: 'X-Api-Key' } }), requestLog: [] }, { cursor: null })).rejects.toThrow(/no phonebook change feed/);
    } finally { await legacy.close(); }
  });
});

describe('phonebook batch update', () => {
  it('replaces many entries in one request, each answered on its own', async () => {
    const x = emu.store.add({ firstName: 'X', phones: [{ number: '+442079460011', type: 'work' }] });
    const y = emu.store.add({ firstName: 'Y', phones: [{ number: '+442079460012', type: 'work' }] });
    const before = emu.stats.requests;
    const contact = (firstName: string) => ({ id: null, externalId: null, source: null, firstName, lastName: null, company: null, isCompany: false, phones: [{ number: '+442079460013', type: 'work' }], email: null, crmUrl: null, customData: {} });
    const out = await updatePhonebookEntries(call, [{ id: x.id, contact: contact('X2') }, { id: '999999', contact: contact('Gone') }, { id: y.id, contact: contact('Y2') }]);
    expect(out).toEqual([{ id: x.id, outcome: 'updated' }, { id: '999999', outcome: 'not_found' }, { id: y.id, outcome: 'updated' }]);
    expect(emu.stats.requests - before).toBe(1);
    expect(emu.store.get(x.id)!.firstName).toBe('X2');
    expect(emu.store.get(y.id)!.phones).toEqual([{ number: '+442079460013', type: 'work' }]);
  });

  it('without a batch operation (batchSize 0), updates one entry at a time', async () => {
    const z = emu.store.add({ firstName: 'Z', phones: [{ number: '+442079460021', type: 'work' }] });
    const one = { fetch, conn: conn(emu.url, { operations: { batchUpdate: { batchSize: 0 } } }), requestLog: [] };
    const before = emu.stats.requests;
    const out = await updatePhonebookEntries(one, [{ id: z.id, contact: { id: null, externalId: null, source: null, firstName: 'Z2', lastName: null, company: null, isCompany: false, phones: [], email: null, crmUrl: null, customData: {} } }]);
    expect(out).toEqual([{ id: z.id, outcome: 'updated' }]);
    expect(emu.stats.requests - before).toBe(1);
    expect(emu.store.get(z.id)!.firstName).toBe('Z2');
  });
});
