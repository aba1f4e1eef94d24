// The sync engine against the HubSpot and phone-system emulators over real HTTP, on a real PostgreSQL.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { startPhoneSystemEmulator, type PhoneSystemEmulator } from '@/engine/connectors/phone-system/emulator';
import { saveConnection } from '../engine-host/connections';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { executeSyncRun, type SyncEngineDeps } from './run-sync';
import type { SyncConfigInput, SyncMode } from './sync-config';
import { startSync } from './start-sync';
import { claimSyncRun, ensureSyncState, readSyncRun, readSyncState } from './sync-store';

const TOKEN = 'pat-sync-test';
const PB_TOKEN = 'pb-sync-test';
const key = randomBytes(32);

let db: ScratchDb;
let hs: HubspotEmulator;
let pb: PhoneSystemEmulator;
let customerId: string;
let deps: SyncEngineDeps;
/** A contact whose only number is invalid: in the CDP, never in the phonebook. */
let invalidId = '';
const config: SyncConfigInput = { destinations: ['cdp', 'phonebook'], kinds: ['person', 'company'], pageSize: 25 };

beforeAll(async () => {
  [db, hs, pb] = await Promise.all([
    createScratchDb('sync_engine'),
    startHubspotEmulator({ contacts: 60, companies: 8, token: TOKEN }),
    startPhoneSystemEmulator({ token: PB_TOKEN }),
  ]);
  ({ customerId } = await seedVendor(db.sql, 'sync'));
  await saveConnection(db.sql, key, { customerId, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: hs.url, credentials: { token: TOKEN } });
  await saveConnection(db.sql, key, { customerId, system: 'phonesystem', name: 'Phone system', authKind: 'apiKey', baseUrl: pb.url, credentials: { token: PB_TOKEN } });
  deps = { sql: db.sql, encryptionKey: key, fetch, workerId: 'worker-a', leaseMs: 10_000, http: { backoffMs: 5, maxRetryAfterMs: 3000 }, retryBaseMs: 20 };
});

afterAll(async () => {
  await Promise.all([hs?.close(), pb?.close()]);
  await db?.drop();
});

async function sync(mode: SyncMode = 'incremental', o: { customer?: string; allowMassDelete?: boolean; engine?: Partial<SyncEngineDeps>; cfg?: SyncConfigInput } = {}) {
  const started = await startSync(db.sql, async () => null, { customerId: o.customer ?? customerId, source: 'hubspot', mode, trigger: 'manual', config: o.cfg ?? config, allowMassDelete: o.allowMassDelete });
  expect(started.status).toBe('queued');
  const out = await executeSyncRun({ ...deps, ...o.engine }, started.syncRunId);
  const run = (await readSyncRun(db.sql, started.syncRunId))!;
  return { out, run };
}

async function cdpIds(customer = customerId): Promise<string[]> {
  const rows = await db.sql<{ external_id: string }[]>`select external_id from cdp_contacts where customer_id = ${customer} and source = 'hubspot' and deleted_at is null order by external_id`;
  return rows.map((r) => r.external_id);
}

/** What HubSpot holds, as the sync names it: persons by id, companies with a number as company:<id>. */
function sourceIds(): string[] {
  const persons = hs.store.list('contacts').map((r) => r.id);
  const companies = hs.store.list('companies').filter((r) => r.properties.phone).map((r) => `company:${r.id}`);
  return [...persons, ...companies].sort();
}

function phonebookIds(): string[] {
  return pb.store.contacts().map((c) => c.externalId ?? `(none:${c.id})`).sort();
}

describe('contact sync: HubSpot → CDP + phonebook', () => {
  it('first sync writes every contact and company (with a number) into the CDP and the phonebook', async () => {
    hs.store.add('companies', { name: 'No Phone Ltd', country: 'Germany' });
    const { out, run } = await sync();
    expect(out.status).toBe('succeeded');
    const expected = sourceIds();
    expect(expected.length).toBe(60 + 8);
    expect(await cdpIds()).toEqual(expected);
    expect(phonebookIds()).toEqual(expected);
    expect(run).toMatchObject({ status: 'succeeded', read: 60 + 9, written: 68, skipped: 1, failed: 0, deleted: 0, total_estimate: 69 });
    expect(run.stats).toMatchObject({ cdpInserted: 68, phonebookAdded: 68, pages: 4 });
    // No duplicates in the phonebook: one entry per record.
    expect(new Set(phonebookIds()).size).toBe(pb.store.contacts().length);
    const company = pb.store.contacts().find((c) => c.externalId?.startsWith('company:'))!;
    expect(company).toMatchObject({ source: 'hubspot', isCompany: true });
    expect(company.phones[0].number).toMatch(/^\+\d+$/);
    const [row] = await db.sql<{ kind: string; crm_url: string }[]>`select kind, crm_url from cdp_contacts where customer_id = ${customerId} and external_id = ${company.externalId}`;
    expect(row.kind).toBe('company');
    expect(row.crm_url).toContain('/record/0-2/');
    const state = await readSyncState(db.sql, customerId, 'hubspot');
    expect(Object.keys(state!.cursor!).sort()).toEqual(['company', 'person']);
    expect(state!.locked_by).toBeNull();
  });

  it('unchanged contacts cost no destination writes (and no phonebook call at all)', async () => {
    // Forget the cursor: the next run reads every record again, all unchanged.
    await db.sql`update sync_states set cursor = null where customer_id = ${customerId}`;
    const before = pb.stats.requests;
    const [{ max }] = await db.sql<{ max: string }[]>`select max(updated_at)::text as max from cdp_contacts where customer_id = ${customerId}`;
    const { run } = await sync();
    expect(run).toMatchObject({ status: 'succeeded', read: 69, written: 0, skipped: 69 });
    expect(run.stats).toMatchObject({ cdpInserted: 0, cdpUpdated: 0, cdpUnchanged: 68 });
    expect(pb.stats.requests - before).toBe(0);
    const [{ max: after }] = await db.sql<{ max: string }[]>`select max(updated_at)::text as max from cdp_contacts where customer_id = ${customerId}`;
    expect(after).toBe(max);
  });

  it('an edit in the CRM reaches both destinations on the next incremental run; a national number takes its country', async () => {
    const id = hs.store.list('contacts')[3].id;
    hs.store.update('contacts', id, { firstname: 'Edited', phone: '020 7946 0123', country: 'United Kingdom' });
    const invalid = (invalidId = hs.store.add('contacts', { firstname: 'Bad', lastname: 'Number', phone: '12', country: 'France' }));
    const { run } = await sync();
    expect(run).toMatchObject({ status: 'succeeded', read: 2, written: 2 });
    const [c] = await db.sql<{ first_name: string; phones: string[]; raw_phones: string[] }[]>`select first_name, phones, raw_phones from cdp_contacts where customer_id = ${customerId} and external_id = ${id}`;
    expect(c.first_name).toBe('Edited');
    expect(c.phones[0]).toBe('+442079460123');
    expect(c.raw_phones[0]).toBe('020 7946 0123');
    const entry = pb.store.contacts().find((e) => e.externalId === id)!;
    expect(entry.firstName).toBe('Edited');
    expect(entry.phones[0].number).toBe('+442079460123');
    // The invalid number is reported on the run, not dropped silently; the contact still reaches the CDP.
    expect(run.problems).toContainEqual(expect.objectContaining({ externalId: invalid, phone: '12', kind: 'person' }));
    expect(await cdpIds()).toContain(invalid);
    expect(pb.store.contacts().some((e) => e.externalId === invalid)).toBe(false);
  });

  it('a delete in the CRM propagates on the next full comparison', async () => {
    const gone = hs.store.list('contacts')[10].id;
    hs.store.remove('contacts', gone);
    const incremental = await sync('incremental');
    expect(await cdpIds()).toContain(gone);
    expect(incremental.run.deleted).toBe(0);
    const { run } = await sync('full');
    expect(run).toMatchObject({ status: 'succeeded', deleted: 1 });
    expect(run.stats).toMatchObject({ comparison: { cdp: { gone: 1, deleted: 1 }, phonebook: { gone: 1, deleted: 1 } } });
    const ids = await cdpIds();
    expect(ids).not.toContain(gone);
    expect(pb.store.contacts().some((e) => e.externalId === gone)).toBe(false);
    expect(ids).toEqual(sourceIds());
    const state = await readSyncState(db.sql, customerId, 'hubspot');
    expect(state!.last_full_at).not.toBeNull();
  });

  it('the safety threshold stops a mass delete, with an alert; a confirmed run deletes', async () => {
    const victims = hs.store.list('contacts').slice(0, 25).map((r) => r.id);
    for (const id of victims) hs.store.remove('contacts', id);
    const before = (await cdpIds()).length;
    const { run } = await sync('full');
    expect(run.status).toBe('blocked');
    expect(run.error).toMatch(/refused to delete 25 of \d+ hubspot records .*20% safety threshold/);
    expect(run.alerts).toEqual([expect.objectContaining({ type: 'mass_delete_refused', gone: 25, threshold: 0.2 })]);
    expect((await cdpIds()).length).toBe(before);
    const confirmed = await sync('full', { allowMassDelete: true });
    expect(confirmed.run).toMatchObject({ status: 'succeeded', deleted: 25 });
    for (const id of victims) expect(await cdpIds()).not.toContain(id);
    expect(phonebookIds()).toEqual(sourceIds().filter((id) => id !== invalidId));
  });

  it('a second sync started while one is queued or running is refused; a second worker cannot take the lease', async () => {
    const first = await startSync(db.sql, async () => null, { customerId, source: 'hubspot', trigger: 'manual' });
    expect(first.status).toBe('queued');
    const second = await startSync(db.sql, async () => null, { customerId, source: 'hubspot', trigger: 'manual' });
    expect(second).toEqual({ syncRunId: first.syncRunId, status: 'already_running', runStatus: 'queued' });
    const claim = await claimSyncRun(db.sql, first.syncRunId, 'worker-a', 10_000, null);
    expect(claim.kind).toBe('claimed');
    const third = await startSync(db.sql, async () => null, { customerId, source: 'hubspot', trigger: 'flow' });
    expect(third).toMatchObject({ syncRunId: first.syncRunId, status: 'already_running', runStatus: 'running' });
    const other = await executeSyncRun({ ...deps, workerId: 'worker-b' }, first.syncRunId);
    expect(other.status).toBe('deferred');
    // The holder finishes it.
    expect((await executeSyncRun(deps, first.syncRunId)).status).toBe('succeeded');
  });

  it('adding a destination forgets the cursor, so the new destination gets every record', async () => {
    const { customerId: c3 } = await seedVendor(db.sql, 'grow');
    await ensureSyncState(db.sql, c3, 'hubspot', { destinations: ['cdp'] });
    await db.sql`update sync_states set cursor = '{"person":"1:"}' where customer_id = ${c3}`;
    expect((await ensureSyncState(db.sql, c3, 'hubspot', { destinations: ['cdp'], incrementalEveryMinutes: 5 })).cursor).toEqual({ person: '1:' });
    expect((await ensureSyncState(db.sql, c3, 'hubspot')).cursor).toEqual({ person: '1:' });
    expect((await ensureSyncState(db.sql, c3, 'hubspot', { destinations: ['cdp', 'phonebook'] })).cursor).toBeNull();
  });

  it('a 429 storm slows the sync but loses nothing', async () => {
    const storm = await startHubspotEmulator({ contacts: 120, companies: 0, token: TOKEN, rateLimit: 6, rateWindowMs: 400 });
    try {
      const { customerId: c2 } = await seedVendor(db.sql, 'storm');
      await saveConnection(db.sql, key, { customerId: c2, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: storm.url, credentials: { token: TOKEN } });
      storm.failNext(9, 429);
      const { out, run } = await sync('incremental', { customer: c2, cfg: { destinations: ['cdp'], kinds: ['person'], pageSize: 20 } });
      expect(out.status).toBe('succeeded');
      expect(run).toMatchObject({ read: 120, written: 120, failed: 0 });
      expect(await cdpIds(c2)).toEqual(storm.store.list('contacts').map((r) => r.id).sort());
      expect(storm.stats.failed).toBe(9);
      // Slowed: 429s waited out, page retries, or the budget pausing for the reserve.
      expect(Number(run.stats.rateLimited ?? 0) + Number(run.stats.retries ?? 0) + Number(run.stats.budgetWaits ?? 0)).toBeGreaterThan(0);
      expect(run.stats.budgetWaits).toBeGreaterThan(0);
    } finally {
      await storm.close();
    }
  });
});

describe('contact sync: Salesforce → CDP', () => {
  it('knows how many records a run will read (progress total), and reads exactly that many', async () => {
    const { startSalesforceEmulator } = await import('@/engine/connectors/salesforce/emulator');
    const sf = await startSalesforceEmulator({ contacts: 30, companies: 4, users: 1, token: 'sf-sync-test' });
    try {
      const { customerId: cid } = await seedVendor(db.sql, 'sync-sf');
      await saveConnection(db.sql, key, { customerId: cid, system: 'salesforce', name: 'Salesforce', authKind: 'apiKey', baseUrl: sf.url, credentials: { token: 'sf-sync-test' } });
      const started = await startSync(db.sql, async () => null, { customerId: cid, source: 'salesforce', mode: 'incremental', trigger: 'manual', config: { destinations: ['cdp'], kinds: ['person', 'company'], pageSize: 10 } });
      const out = await executeSyncRun(deps, started.syncRunId);
      expect(out.status).toBe('succeeded');
      const run = (await readSyncRun(db.sql, started.syncRunId))!;
      expect(run.read).toBe(34);
      expect(run.total_estimate).toBe(34);
      // the next incremental run expects (and reads) only what changed since
      sf.store.updateContact(sf.store.list('Contact')[3].Id, { Department: 'Moved' });
      const again = await startSync(db.sql, async () => null, { customerId: cid, source: 'salesforce', mode: 'incremental', trigger: 'manual' });
      await executeSyncRun(deps, again.syncRunId);
      expect(await readSyncRun(db.sql, again.syncRunId)).toMatchObject({ status: 'succeeded', read: 1, total_estimate: 1 });
    } finally {
      await sf.close();
    }
  });
});
