// The flow store as the staff API uses it: list with last run, versions with authors, duplicate, soft delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { deleteFlow, duplicateFlow, getFlow, getFlowVersion, listFlowsWithActivity, listFlowVersions, publishFlow, saveFlowVersion } from './flows';
import { newFlowDefinition } from './new-flow';

let db: ScratchDb;
let a: Awaited<ReturnType<typeof seedVendor>>;
let b: Awaited<ReturnType<typeof seedVendor>>;

beforeAll(async () => {
  db = await createScratchDb('pb_flows_test');
  a = await seedVendor(db.sql, 'alpha');
  b = await seedVendor(db.sql, 'beta');
});
afterAll(async () => { await db?.drop(); });

describe('flows for the staff API', () => {
  it('a new flow holds only a webhook trigger, is valid, and starts as a draft', async () => {
    const saved = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Lookup', automation: 'caller_lookup' }), userId: a.userId, message: 'Created' });
    expect(saved).toMatchObject({ version: 1, issues: [] });
    const [row] = await listFlowsWithActivity(db.sql, a.vendorId);
    expect(row).toMatchObject({ id: saved.flowId, name: 'Lookup', automation: 'caller_lookup', latestVersion: 1, publishedVersion: null, lastRun: null, enabledCustomers: 0 });
    const def = (await getFlowVersion(db.sql, a.vendorId, saved.flowId))!.definition;
    expect(def.nodes.map((n) => n.type)).toEqual(['trigger.webhook']);
  });

  it('lists the last run and the customers using each flow, newest edit first, only for its vendor', async () => {
    const one = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'One', automation: 'call_logging' }) });
    const two = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Two', automation: 'call_logging' }) });
    await db.sql`insert into runs (id, vendor_id, flow_id, automation, status, started_at) values
      (gen_random_uuid(), ${a.vendorId}, ${one.flowId}, 'call_logging', 'succeeded', now() - interval '2 hours'),
      (gen_random_uuid(), ${a.vendorId}, ${one.flowId}, 'call_logging', 'failed', now() - interval '1 hour')`;
    await publishFlow(db.sql, a.vendorId, one.flowId, 1);
    await db.sql`insert into integrations (customer_id, flow_id, automation) values (${a.customerId}, ${one.flowId}, 'call_logging')`;
    const list = await listFlowsWithActivity(db.sql, a.vendorId);
    expect(list.map((f) => f.name).slice(0, 2)).toEqual(['One', 'Two']); // publishing touched "One" last
    const first = list[0];
    expect(first.lastRun?.status).toBe('failed');
    expect(first.enabledCustomers).toBe(1);
    expect(first.publishedVersion).toBe(1);
    expect(list.find((f) => f.id === two.flowId)?.lastRun).toBeNull();
    expect(await listFlowsWithActivity(db.sql, b.vendorId)).toEqual([]);
  });

  it('lists versions newest first with their author', async () => {
    const s = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Versions', automation: 'caller_lookup' }), userId: a.userId, message: 'first' });
    await saveFlowVersion(db.sql, { vendorId: a.vendorId, flowId: s.flowId, definition: newFlowDefinition({ name: 'Versions', automation: 'caller_lookup' }), message: 'second' });
    const v = await listFlowVersions(db.sql, a.vendorId, s.flowId);
    expect(v.map((x) => [x.version, x.message, x.createdBy])).toEqual([[2, 'second', null], [1, 'first', 'owner of alpha']]);
    expect(await listFlowVersions(db.sql, b.vendorId, s.flowId)).toEqual([]);
  });

  it('duplicates the latest version into a new draft, and not across vendors', async () => {
    const s = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Original', automation: 'caller_lookup' }) });
    await publishFlow(db.sql, a.vendorId, s.flowId, 1);
    const copy = await duplicateFlow(db.sql, { vendorId: a.vendorId, flowId: s.flowId, userId: a.userId });
    expect(copy).not.toBeNull();
    const f = await getFlow(db.sql, a.vendorId, copy!.flowId);
    expect(f).toMatchObject({ name: 'Original (copy)', automation: 'caller_lookup', latestVersion: 1, publishedVersion: null });
    expect(await duplicateFlow(db.sql, { vendorId: b.vendorId, flowId: s.flowId })).toBeNull();
  });

  it('soft-deletes: gone from lists and reads, kept in the table, not deletable by another vendor', async () => {
    const s = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Doomed', automation: 'caller_lookup' }) });
    expect(await deleteFlow(db.sql, b.vendorId, s.flowId)).toBe(false);
    expect(await deleteFlow(db.sql, a.vendorId, s.flowId)).toBe(true);
    expect(await deleteFlow(db.sql, a.vendorId, s.flowId)).toBe(false);
    expect((await listFlowsWithActivity(db.sql, a.vendorId)).some((f) => f.id === s.flowId)).toBe(false);
    expect(await getFlowVersion(db.sql, a.vendorId, s.flowId)).toBeNull();
    const [row] = await db.sql`select deleted_at from flows where id = ${s.flowId}`;
    expect(row.deleted_at).not.toBeNull();
  });
});
