// Contact sync from the CRMs added on the contract (SugarCRM, Copper) into the CDP and the phonebook, against their
// emulators over real HTTP on a real PostgreSQL: the first run writes every person and company, an edit in the
// CRM arrives on the next incremental run, a delete on the next full comparison.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COPPER_EMULATOR_EMAIL, startCopperEmulator, type CopperEmulator } from '@/engine/connectors/copper/emulator';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { startSugarEmulator, type SugarEmulator } from '@/engine/connectors/sugarcrm/emulator';
import { saveConnection } from '../engine-host/connections';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { executeSyncRun, type SyncEngineDeps } from './run-sync';
import type { SyncMode } from './sync-config';
import { startSync } from './start-sync';

interface SourceTarget {
  system: string;
  start(o: { contacts: number; companies: number; token: string }): Promise<{ url: string; close(): Promise<void> }>;
  credentials(token: string): Record<string, unknown>;
  /** Person ids and `company:<id>` for companies with a number, as the sync names them. */
  sourceIds(): string[];
  /** Renames a person and gives it a London number typed nationally; returns its id. */
  edit(index: number): string;
  /** Deletes a person; returns its id. */
  remove(index: number): string;
}

let sugar: SugarEmulator;
let copper: CopperEmulator;
const targets: SourceTarget[] = [
  {
    system: 'sugarcrm',
    start: async (o) => (sugar = await startSugarEmulator({ ...o, users: 2 })),
    credentials: (token) => ({ accessToken: token }),
    sourceIds: () => [...sugar.store.list('Contacts').map((c) => c.id), ...sugar.store.list('Accounts').filter((a) => a.phone_office).map((a) => `company:${a.id}`)].sort(),
    edit(i) {
      const id = sugar.store.list('Contacts')[i].id;
      sugar.store.update('Contacts', id, { first_name: 'Edited', phone_work: '020 7946 0123', phone_mobile: '', primary_address_country: 'United Kingdom' });
      return id;
    },
    remove(i) {
      const id = sugar.store.list('Contacts')[i].id;
      sugar.store.remove('Contacts', id);
      return id;
    },
  },
  {
    system: 'copper',
    start: async (o) => (copper = await startCopperEmulator({ ...o, users: 2 })),
    credentials: (token) => ({ apiKey: token, email: COPPER_EMULATOR_EMAIL }),
    sourceIds: () => [...copper.store.list('people').map((p) => String(p.id)), ...copper.store.list('companies').filter((c) => (c.phone_numbers as unknown[]).length).map((c) => `company:${c.id}`)].sort(),
    edit(i) {
      const id = copper.store.list('people')[i].id;
      copper.store.update('people', id, { first_name: 'Edited', phone_numbers: [{ number: '020 7946 0123', category: 'work' }], address: { country: 'United Kingdom' } });
      return String(id);
    },
    remove(i) {
      const id = copper.store.list('people')[i].id;
      copper.store.remove('people', id);
      return String(id);
    },
  },
];

const key = randomBytes(32);
let db: ScratchDb;
let pb: PhoneSystemEmulator;
let deps: SyncEngineDeps;

beforeAll(async () => {
  [db, pb] = await Promise.all([createScratchDb('sync_crm_sources'), startPhoneSystemEmulator({ token: 'pb-crm-sources' })]);
  deps = { sql: db.sql, encryptionKey: key, fetch, workerId: 'worker-crm', leaseMs: 10_000, http: { backoffMs: 5, maxRetryAfterMs: 3000 }, retryBaseMs: 20 };
});

afterAll(async () => {
  await pb?.close();
  await db?.drop();
});

for (const t of targets) {
  describe(`contact sync: ${t.system} → CDP + phonebook`, () => {
    let emu: { url: string; close(): Promise<void> };
    let customerId = '';

    beforeAll(async () => {
      emu = await t.start({ contacts: 40, companies: 5, token: `${t.system}-sync-token` });
      ({ customerId } = await seedVendor(db.sql, `sync-${t.system}`));
      await saveConnection(db.sql, key, { customerId, system: t.system, name: t.system, authKind: 'apiKey', baseUrl: emu.url, credentials: t.credentials(`${t.system}-sync-token`) });
      await saveConnection(db.sql, key, { customerId, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: 'pb-crm-sources' } });
    });
    afterAll(async () => { await emu?.close(); });

    async function sync(mode: SyncMode) {
      const started = await startSync(db.sql, async () => null, { customerId, source: t.system, mode, trigger: 'manual', config: { destinations: ['cdp', 'phonebook'], kinds: ['person', 'company'], pageSize: 15 } });
      expect(started.status).toBe('queued');
      expect((await executeSyncRun(deps, started.syncRunId)).status).toBe('succeeded');
      const [run] = await db.sql<{ read: number; written: number; deleted: number; status: string }[]>`select read, written, deleted, status from sync_runs where id = ${started.syncRunId}`;
      return run;
    }
    const cdpIds = async () => (await db.sql<{ external_id: string }[]>`select external_id from cdp_contacts where customer_id = ${customerId} and source = ${t.system} and deleted_at is null order by external_id`).map((r) => r.external_id);
    const phonebookIds = () => pb.store.contacts().filter((c) => c.source === t.system).map((c) => c.externalId ?? '').sort();

    it('first run writes every person and company into the CDP and the phonebook', async () => {
      const run = await sync('incremental');
      const expected = t.sourceIds();
      expect(expected.length).toBe(45);
      expect(run).toMatchObject({ status: 'succeeded', read: 45, written: 45 });
      expect(await cdpIds()).toEqual([...expected].sort());
      expect(phonebookIds()).toEqual([...expected].sort());
      const [ada] = await db.sql<{ first_name: string; phones: string[]; kind: string }[]>`select first_name, phones, kind from cdp_contacts where customer_id = ${customerId} and source = ${t.system} and first_name = 'Ada' and last_name = 'Lovelace'`;
      expect(ada).toMatchObject({ first_name: 'Ada', kind: 'person' });
      expect(ada.phones).toContain('+12022000000');
    });

    it('an edit in the CRM reaches both destinations on the next incremental run', async () => {
      const id = t.edit(3);
      const run = await sync('incremental');
      expect(run).toMatchObject({ status: 'succeeded', read: 1, written: 1 });
      const [c] = await db.sql<{ first_name: string; phones: string[] }[]>`select first_name, phones from cdp_contacts where customer_id = ${customerId} and external_id = ${id}`;
      expect(c).toMatchObject({ first_name: 'Edited', phones: ['+442079460123'] });
      const entry = pb.store.contacts().find((e) => e.source === t.system && e.externalId === id)!;
      expect(entry.firstName).toBe('Edited');
      expect(entry.phones.map((p) => p.number)).toEqual(['+442079460123']);
    });

    it('a delete in the CRM propagates on the next full comparison', async () => {
      const gone = t.remove(7);
      expect((await sync('incremental')).deleted).toBe(0);
      expect(await cdpIds()).toContain(gone);
      const run = await sync('full');
      expect(run).toMatchObject({ status: 'succeeded', deleted: 1 });
      expect(await cdpIds()).toEqual(t.sourceIds());
      expect(phonebookIds()).toEqual(t.sourceIds());
    });
  });
}
