// Contact sync from Intercom and Keap into the CDP and the phonebook, against their emulators over real HTTP on a
// real PostgreSQL: a first run writes every contact, an edit in the CRM arrives on the next incremental run (Intercom:
// the contacts search on updated_at, rounded by Intercom to the day; Keap: since + order=last_updated), and a delete
// on the next full comparison. Neither keeps companies with numbers the contract reads, so only persons flow.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@/engine/connectors/kit/emulator-server';
import { startIntercomEmulator, type IntercomEmulator } from '@/engine/connectors/intercom/emulator';
import { startKeapEmulator, type KeapEmulator } from '@/engine/connectors/keap/emulator';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { saveConnection } from '../engine-host/connections';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { executeSyncRun, type SyncEngineDeps } from './run-sync';
import type { SyncMode } from './sync-config';
import { startSync } from './start-sync';

interface SyncTarget<E extends RunningEmulator> {
  system: string;
  name: string;
  start(): Promise<E>;
  credentials: Record<string, unknown>;
  /** What the CRM holds, as the sync names it: person ids, companies with a number as company:<id>. */
  sourceIds(emu: E): string[];
  /** A person's id, its new first name and a UK number typed nationally. */
  edit(emu: E, id: string, firstName: string, nationalUkPhone: string): void;
  remove(emu: E, id: string): void;
  personIds(emu: E): string[];
}

const intercom: SyncTarget<IntercomEmulator> = {
  system: 'intercom',
  name: 'Intercom',
  start: () => startIntercomEmulator({ contacts: 40, users: 2, token: 'intercom-sync' }),
  credentials: { accessToken: 'intercom-sync' },
  sourceIds: (emu) => emu.store.listContacts().map((c) => c.id).sort(),
  edit: (emu, id, firstName, phone) => {
    const last = emu.store.contacts.get(id)!.name!.split(' ').slice(1).join(' ');
    emu.store.updateContact(id, { name: `${firstName} ${last}`, phone, location: { type: 'location', country: 'United Kingdom', region: null, city: 'London' } });
  },
  remove: (emu, id) => { emu.store.removeContact(id); },
  personIds: (emu) => emu.store.listContacts().map((c) => c.id),
};

const keap: SyncTarget<KeapEmulator> = {
  system: 'keap',
  name: 'Keap',
  start: () => startKeapEmulator({ contacts: 40, users: 2, token: 'keap-sync' }),
  credentials: { apiKey: 'keap-sync' },
  sourceIds: (emu) => emu.store.listContacts().map((c) => String(c.id)).sort(),
  edit: (emu, id, firstName, phone) => {
    emu.store.updateContact(Number(id), { given_name: firstName, phone_numbers: [{ number: phone, field: 'PHONE1', type: 'Work' }], addresses: [{ field: 'BILLING', country_code: 'GBR', locality: 'London' }] });
  },
  remove: (emu, id) => { emu.store.removeContact(Number(id)); },
  personIds: (emu) => emu.store.listContacts().map((c) => String(c.id)),
};

const key = randomBytes(32);
let db: ScratchDb;
let pb: PhoneSystemEmulator;
let deps: SyncEngineDeps;

beforeAll(async () => {
  [db, pb] = await Promise.all([createScratchDb('sync_ic_kp'), startPhoneSystemEmulator({ token: 'pb-ic-kp' })]);
  deps = { sql: db.sql, encryptionKey: key, fetch, workerId: 'worker-ic-kp', leaseMs: 10_000, http: { backoffMs: 5, maxRetryAfterMs: 3000 }, retryBaseMs: 20 };
});

afterAll(async () => {
  await pb?.close();
  await db?.drop();
});

function describeSync<E extends RunningEmulator>(t: SyncTarget<E>) {
  describe(`contact sync: ${t.name} → CDP + phonebook`, () => {
    let emu: E;
    let customerId = '';
    beforeAll(async () => {
      emu = await t.start();
      ({ customerId } = await seedVendor(db.sql, `sync-${t.system}`));
      await saveConnection(db.sql, key, { customerId, system: t.system, name: t.name, authKind: 'apiKey', baseUrl: emu.url, credentials: t.credentials });
      await saveConnection(db.sql, key, { customerId, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: 'pb-ic-kp' } });
    });
    afterAll(async () => { await emu?.close(); });

    async function sync(mode: SyncMode) {
      const started = await startSync(db.sql, async () => null, { customerId, source: t.system, mode, trigger: 'manual', config: { destinations: ['cdp', 'phonebook'], kinds: ['person', 'company'], pageSize: 15 } });
      expect(started.status).toBe('queued');
      const out = await executeSyncRun(deps, started.syncRunId);
      expect(out.status).toBe('succeeded');
      const [run] = await db.sql<{ read: number; written: number; deleted: number; status: string }[]>`select read, written, deleted, status from sync_runs where id = ${started.syncRunId}`;
      return run;
    }
    const cdpIds = async () => (await db.sql<{ external_id: string }[]>`select external_id from cdp_contacts where customer_id = ${customerId} and source = ${t.system} and deleted_at is null order by external_id`).map((r) => r.external_id);
    const phonebookIds = () => pb.store.contacts().filter((c) => c.source === t.system).map((c) => c.externalId ?? '').sort();

    it('the first run writes every person and every company with a number into both destinations', async () => {
      const run = await sync('incremental');
      const expected = t.sourceIds(emu);
      expect(await cdpIds()).toEqual([...expected].sort());
      expect(phonebookIds()).toEqual([...expected].sort());
      expect(run.written).toBe(expected.length);
      const [row] = await db.sql<{ first_name: string; phones: string[]; crm_url: string; kind: string }[]>`select first_name, phones, crm_url, kind from cdp_contacts where customer_id = ${customerId} and external_id = ${t.personIds(emu)[0]}`;
      expect(row.kind).toBe('person');
      expect(row.phones[0]).toMatch(/^\+\d{8,15}$/);
      expect(row.crm_url).toContain(t.personIds(emu)[0]);
    });

    it('an edit arrives on the next incremental run, and only the edit', async () => {
      const id = t.personIds(emu)[5];
      t.edit(emu, id, 'Edited', '020 7946 0991');
      const run = await sync('incremental');
      expect(run).toMatchObject({ status: 'succeeded', read: 1, written: 1 });
      const [c] = await db.sql<{ first_name: string; phones: string[] }[]>`select first_name, phones from cdp_contacts where customer_id = ${customerId} and external_id = ${id}`;
      expect(c).toMatchObject({ first_name: 'Edited', phones: ['+442079460991'] });
      const entry = pb.store.contacts().find((e) => e.externalId === id)!;
      expect(entry.firstName).toBe('Edited');
      expect(entry.phones.map((p) => p.number)).toEqual(['+442079460991']);
    });

    it('a delete in the CRM leaves on the next full comparison', async () => {
      const gone = t.personIds(emu)[7];
      t.remove(emu, gone);
      expect((await sync('incremental')).deleted).toBe(0);
      expect(await cdpIds()).toContain(gone);
      const run = await sync('full');
      expect(run).toMatchObject({ status: 'succeeded', deleted: 1 });
      expect(await cdpIds()).toEqual(t.sourceIds(emu));
      expect(phonebookIds()).toEqual(t.sourceIds(emu));
    });
  });
}

describeSync(intercom);
describeSync(keap);
