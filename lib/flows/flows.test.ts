// The flow store as the staff API uses it: list with last run, versions with authors, duplicate, soft delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { AutomationTakenError, deleteFlow, duplicateFlow, freeAutomationName, getFlow, getFlowVersion, listFlowsWithActivity, listFlowVersions, publishFlow, saveFlowVersion } from './flows';
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
    const two = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Two', automation: 'call_logging_eu' }) });
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
    const s = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Versions', automation: 'versions_test' }), userId: a.userId, message: 'first' });
    await saveFlowVersion(db.sql, { vendorId: a.vendorId, flowId: s.flowId, definition: newFlowDefinition({ name: 'Versions', automation: 'versions_test' }), message: 'second' });
    const v = await listFlowVersions(db.sql, a.vendorId, s.flowId);
    expect(v.map((x) => [x.version, x.message, x.createdBy])).toEqual([[2, 'second', null], [1, 'first', 'owner of alpha']]);
    expect(await listFlowVersions(db.sql, b.vendorId, s.flowId)).toEqual([]);
  });

  it('duplicates the latest version into a new draft, and not across vendors', async () => {
    const s = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Original', automation: 'original' }) });
    await publishFlow(db.sql, a.vendorId, s.flowId, 1);
    const copy = await duplicateFlow(db.sql, { vendorId: a.vendorId, flowId: s.flowId, userId: a.userId });
    expect(copy).not.toBeNull();
    const f = await getFlow(db.sql, a.vendorId, copy!.flowId);
    expect(f).toMatchObject({ name: 'Original (copy)', automation: 'original_copy', latestVersion: 1, publishedVersion: null });
    expect(await duplicateFlow(db.sql, { vendorId: b.vendorId, flowId: s.flowId })).toBeNull();
    const again = await duplicateFlow(db.sql, { vendorId: a.vendorId, flowId: s.flowId });
    expect((await getFlow(db.sql, a.vendorId, again!.flowId))?.automation).toBe('original_copy_2');
  });

  it('automation names are unique per vendor: a second flow with a taken name is refused, nothing written', async () => {
    const first = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Routing', automation: 'call_routing' }) });
    const before = await db.sql`select count(*)::int as n from flows where vendor_id = ${a.vendorId}`;
    const err = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Routing 2', automation: 'call_routing' }) }).catch((e) => e);
    expect(err).toBeInstanceOf(AutomationTakenError);
    expect(err).toMatchObject({ status: 409, code: 'automation_taken', message: 'Another flow ("Routing") already answers to the automation "call_routing": choose another automation name' });
    expect((await db.sql`select count(*)::int as n from flows where vendor_id = ${a.vendorId}`)[0].n).toBe(before[0].n);
    // Renaming an existing flow onto a taken name is refused too; saving the flow itself again is fine.
    const other = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Other', automation: 'other_routing' }) });
    await expect(saveFlowVersion(db.sql, { vendorId: a.vendorId, flowId: other.flowId, definition: newFlowDefinition({ name: 'Other', automation: 'call_routing' }) })).rejects.toBeInstanceOf(AutomationTakenError);
    expect((await saveFlowVersion(db.sql, { vendorId: a.vendorId, flowId: first.flowId, definition: newFlowDefinition({ name: 'Routing', automation: 'call_routing' }) })).version).toBe(2);
    // Another vendor may use the same name.
    expect((await saveFlowVersion(db.sql, { vendorId: b.vendorId, definition: newFlowDefinition({ name: 'Routing', automation: 'call_routing' }) })).version).toBe(1);
    expect(await freeAutomationName(db.sql, a.vendorId, 'call_routing')).toBe('call_routing_2');
    expect(await freeAutomationName(db.sql, a.vendorId, 'missed_call_task')).toBe('missed_call_task');
  });

  it('save-and-publish with problems writes nothing; without problems it saves and publishes at once', async () => {
    const s = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Pub', automation: 'pub_test' }) });
    const broken = { ...newFlowDefinition({ name: 'Pub', automation: 'pub_test' }), nodes: [...newFlowDefinition({ name: 'Pub', automation: 'pub_test' }).nodes, { id: 'c', type: 'condition', params: {} }], edges: [{ id: 'e', source: 'trigger', target: 'c' }] };
    const err = await saveFlowVersion(db.sql, { vendorId: a.vendorId, flowId: s.flowId, definition: broken, allowIssues: true, publish: true }).catch((e) => e);
    expect(err.issues.map((i: { message: string }) => i.message)).toEqual(['Condition → Left is required']);
    expect(await getFlow(db.sql, a.vendorId, s.flowId)).toMatchObject({ latestVersion: 1, publishedVersion: null });
    const ok = await saveFlowVersion(db.sql, { vendorId: a.vendorId, flowId: s.flowId, definition: newFlowDefinition({ name: 'Pub', automation: 'pub_test' }), publish: true });
    expect(await getFlow(db.sql, a.vendorId, s.flowId)).toMatchObject({ latestVersion: 2, publishedVersion: ok.version });
  });

  it('soft-deletes: gone from lists and reads, kept in the table, not deletable by another vendor', async () => {
    const s = await saveFlowVersion(db.sql, { vendorId: a.vendorId, definition: newFlowDefinition({ name: 'Doomed', automation: 'doomed' }) });
    expect(await deleteFlow(db.sql, b.vendorId, s.flowId)).toBeNull();
    expect(await deleteFlow(db.sql, a.vendorId, s.flowId)).toEqual({ name: 'Doomed' });
    expect(await deleteFlow(db.sql, a.vendorId, s.flowId)).toBeNull();
    expect((await listFlowsWithActivity(db.sql, a.vendorId)).some((f) => f.id === s.flowId)).toBe(false);
    expect(await getFlowVersion(db.sql, a.vendorId, s.flowId)).toBeNull();
    const [row] = await db.sql`select deleted_at from flows where id = ${s.flowId}`;
    expect(row.deleted_at).not.toBeNull();
  });
});
