// The contact-sync suite every CRM on the contract runs (first run writes every person and every company with a
// number into the CDP and the phonebook, an edit arrives on the next incremental run, a delete on the next full
// comparison), against the CRM's emulator over real HTTP on a real PostgreSQL. A test file names its targets and
// calls describeCrmSyncSuite once.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningEmulator } from '@/engine/connectors';
import { saveConnection } from '../engine-host/connections';
import { executeSyncRun, type SyncEngineDeps } from '../sync/run-sync';
import type { SyncMode } from '../sync/sync-config';
import { startSync } from '../sync/start-sync';
import { createScratchDb, seedVendor, type ScratchDb } from './scratch-db';

export interface CrmSyncTarget<E extends RunningEmulator = RunningEmulator> {
  system: string;
  name: string;
  start(): Promise<E>;
  credentials: Record<string, unknown>;
  /** What the CRM holds, as the sync names it: person ids, companies with a number as company:<id>. */
  sourceIds(emu: E): string[];
  /** A person's id, its new first name and a UK number typed nationally (020 …). */
  edit(emu: E, id: string, firstName: string, nationalUkPhone: string): void;
  remove(emu: E, id: string): void;
  personIds(emu: E): string[];
}

/** What the suite reads of the phone-system emulator (its phonebook), started by the test file with token pb-crms. */
export interface PhonebookEmulator {
  url: string;
  close(): Promise<void>;
  store: { contacts(): { source?: string | null; externalId?: string | null; firstName?: string | null; phones: { number: string }[] }[] };
}

export function describeCrmSyncSuite(dbName: string, targets: CrmSyncTarget<any>[], startPhoneSystem: (token: string) => Promise<PhonebookEmulator>): void {
  const key = randomBytes(32);
  let db: ScratchDb;
  let pb: PhonebookEmulator;
  let deps: SyncEngineDeps;

  beforeAll(async () => {
    [db, pb] = await Promise.all([createScratchDb(dbName), startPhoneSystem('pb-crms')]);
    deps = { sql: db.sql, encryptionKey: key, fetch, workerId: `worker-${dbName}`, leaseMs: 10_000, http: { backoffMs: 5, maxRetryAfterMs: 3000 }, retryBaseMs: 20 };
  });
  afterAll(async () => {
    await pb?.close();
    await db?.drop();
  });

  for (const t of targets) {
    describe(`contact sync: ${t.name} → CDP + phonebook`, () => {
      let emu: RunningEmulator;
      let customerId = '';
      beforeAll(async () => {
        emu = await t.start();
        ({ customerId } = await seedVendor(db.sql, `sync-${t.system}`));
        await saveConnection(db.sql, key, { customerId, system: t.system, name: t.name, authKind: 'apiKey', baseUrl: emu.url, credentials: t.credentials });
        await saveConnection(db.sql, key, { customerId, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: 'pb-crms' } });
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
      const sorted = (ids: string[]) => [...ids].sort();

      it('the first run writes every person and every company with a number into both destinations', async () => {
        const run = await sync('incremental');
        const expected = sorted(t.sourceIds(emu));
        expect(await cdpIds()).toEqual(expected);
        expect(phonebookIds()).toEqual(expected);
        expect(run.written).toBe(expected.length);
        const [row] = await db.sql<{ phones: string[]; crm_url: string; kind: string }[]>`select phones, crm_url, kind from cdp_contacts where customer_id = ${customerId} and external_id = ${t.personIds(emu)[0]}`;
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
        expect(await cdpIds()).toEqual(sorted(t.sourceIds(emu)));
        expect(phonebookIds()).toEqual(sorted(t.sourceIds(emu)));
      });
    });
  }
}
