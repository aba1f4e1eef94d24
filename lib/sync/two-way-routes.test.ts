// The staff sync routes for a two-way sync, in-process on a real database (job engine faked): switching a sync to
// two-way with a conflict rule, the refusals naming the field, and a run's conflicts and per-direction counts on the
// Syncs page's read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteDef } from '../api/route';
import { listSyncsRoute, startSyncRoute } from '../api/staff/syncs';
import { closeDb } from '../db/client';
import { EngineHost } from '../engine-host/host';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { startStaffEdge } from '../testing/staff-edge';
import { startSync } from './start-sync';
import { ensureSyncState, readSyncState } from './sync-store';
import type { SyncWire } from './sync-wire';

let host: EngineHost;
let edge: Awaited<ReturnType<typeof startStaffEdge>>;
let db: ScratchDb;
let vendor: Awaited<ReturnType<typeof seedVendor>>;
const g = globalThis as unknown as { __patchbayJobs?: unknown };

beforeAll(async () => {
  db = await createScratchDb('pb_two_way_routes');
  process.env.DATABASE_URL = db.url;
  vendor = await seedVendor(db.sql, 'twoway', 'owner');
  host = new EngineHost({ sql: db.sql, encryptionKey: Buffer.alloc(32, 7), flowTimeoutMs: 5000, allowPrivateHosts: false });
  edge = await startStaffEdge(db.sql, host);
  let n = 0;
  g.__patchbayJobs = { boss: { send: async () => `job-${++n}` } };
});

afterAll(async () => {
  g.__patchbayJobs = undefined;
  await edge?.close();
  await host?.close();
  await closeDb();
  await db?.drop();
});

const call = async (h: RouteDef, body?: unknown) => { const r = await edge.call(h, { body }); return { status: r.status, json: r.json }; };

describe('staff sync routes: two-way', () => {
  it('switching to two-way makes the phonebook a destination and keeps the rest of the stored config; a whole config without it is refused, naming the field', async () => {
    await edge.as(vendor);
    await ensureSyncState(db.sql, vendor.customerId, 'hubspot', { destinations: ['cdp'], pageSize: 50 });
    expect((await call(startSyncRoute, { customer: 'twoway-c1', source: 'hubspot', conflictRule: 'sometimes' })).json.error.path).toEqual(['conflictRule']);
    // A config given whole (a flow's sync.contacts block, the CLI) that asks for two-way without the phonebook.
    await expect(startSync(db.sql, async () => null, { customerId: vendor.customerId, source: 'hubspot', trigger: 'manual', config: { direction: 'two_way', destinations: ['cdp'] } }))
      .rejects.toThrow(/^config\.destinations: a two-way sync needs the phonebook/);
    // The staff page's switch: two-way is between the CRM and the phonebook, so the phonebook joins the destinations.
    const ok = await call(startSyncRoute, { customer: 'twoway-c1', source: 'hubspot', direction: 'two_way', conflictRule: 'phone_wins' });
    expect(ok.status).toBe(202);
    const state = (await readSyncState(db.sql, vendor.customerId, 'hubspot'))!;
    expect(state.config).toMatchObject({ direction: 'two_way', conflictRule: 'phone_wins', destinations: ['cdp', 'phonebook'], pageSize: 50 });
  });

  it('refuses a second two-way sync for the same customer (one CRM takes the phonebook\'s edits)', async () => {
    await edge.as(vendor);
    await ensureSyncState(db.sql, vendor.customerId, 'salesforce', { destinations: ['phonebook'] });
    const second = await call(startSyncRoute, { customer: 'twoway-c1', source: 'salesforce', direction: 'two_way' });
    expect(second).toMatchObject({ status: 400, json: { error: { path: ['config', 'direction'] } } });
    expect(second.json.error.message).toMatch(/hubspot sync is already two-way/);
  });

  it('shows the sync\'s direction and rule, and a run\'s counts per direction and its conflicts with both values', async () => {
    await edge.as(vendor);
    const conflict = {
      type: 'edited_both', externalId: '101', phonebookId: '1001', rule: 'phone_wins', outcome: 'phonebook', at: '2026-11-30T09:00:00.000Z',
      crm: { firstName: 'Crm', lastName: 'Side', email: null, phones: ['+442079460001'], updatedAt: '2026-11-30T08:59:00.000Z' },
      phonebook: { firstName: 'Phone', lastName: 'Side', email: null, phones: ['+442079460001'], updatedAt: '2026-11-30T08:59:30.000Z' },
      result: { firstName: 'Phone', lastName: 'Side', email: null, phones: ['+442079460001'] },
    };
    await db.sql`update sync_runs set status = 'succeeded', finished_at = now(), read = 3,
      stats = ${JSON.stringify({ direction: 'two_way', phonebookUpdated: 2, crmUpdated: 1, crmCreated: 1, phonebookChangesRead: 4, conflicts: 1 })}::text::jsonb,
      conflicts = ${JSON.stringify([conflict])}::text::jsonb where customer_id = ${vendor.customerId}`;
    const [s] = (await call(listSyncsRoute)).json as SyncWire[];
    expect(s).toMatchObject({ direction: 'two_way', conflictRule: 'phone_wins' });
    expect(s.history[0]).toMatchObject({
      directions: { twoWay: true, toPhonebook: { read: 3, updated: 2 }, toCrm: { read: 4, created: 1, updated: 1 }, conflicts: 1 },
      conflictCount: 1, conflicts: [conflict],
    });
  });
});
