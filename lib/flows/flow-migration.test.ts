// A flow stored before the CRM contract (per-CRM block ids in flow_versions) loads migrated: the staff app gets
// the crm.* blocks and the flow's history gains a version whose message says what moved; the automation runs it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFlow, type RunContext } from '@/engine';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { syntheticPerson } from '@/engine/connectors/kit/synthetic';
import { compileCached } from '../engine-host/automation-cache';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { getFlowVersion, listFlowVersions } from './flows';

const TOKEN = 'flow-migration-token';
let db: ScratchDb;
let emu: HubspotEmulator;
let a: Awaited<ReturnType<typeof seedVendor>>;

beforeAll(async () => {
  db = await createScratchDb('pb_flow_migration');
  a = await seedVendor(db.sql, 'alpha');
  emu = await startHubspotEmulator({ contacts: 10, companies: 1, token: TOKEN });
});
afterAll(async () => { await emu?.close(); await db?.drop(); });

const oldDefinition = {
  schemaVersion: 1, name: 'Old HubSpot logging', automation: 'call_logging', options: {},
  nodes: [
    { id: 'trigger', type: 'trigger.webhook', params: {}, position: { x: 0, y: 0 } },
    { id: 'lookup', type: 'hubspot.findContactByPhone', params: { phone: '=trigger.from' }, position: { x: 200, y: 0 } },
    { id: 'log', type: 'hubspot.logCall', params: { contactId: '=steps.lookup.contact.externalId', direction: 'inbound', durationSec: 12, fromNumber: '=trigger.from' }, position: { x: 400, y: 0 } },
    { id: 'done', type: 'respond.json', params: { body: { callId: '=steps.log.callId' } }, position: { x: 600, y: 0 } },
  ],
  edges: [
    { id: 'a', source: 'trigger', sourcePort: 'out', target: 'lookup' },
    { id: 'b', source: 'lookup', sourcePort: 'found', target: 'log' },
    { id: 'c', source: 'log', sourcePort: 'out', target: 'done' },
  ],
};

function ctx(): RunContext {
  return {
    runId: 'r1', mode: 'live', customer: { id: a.customerId, defaultCountry: 'US' }, options: {}, fetch, requestLog: [], log: () => {}, clock: { now: () => new Date() },
    cdp: undefined as never,
    connections: { get: async (system) => ({ id: 'c1', system, baseUrl: emu.url, credentials: { token: TOKEN }, saveCredentials: async () => {}, reportHealth: async () => {} }) },
  };
}

describe('a flow saved with the old per-CRM block ids', () => {
  it('loads migrated, records the migration in its history once, and runs', async () => {
    // Stored as it was before the contract (straight into the tables: saving today would migrate it already).
    const [f] = await db.sql<{ id: string }[]>`insert into flows (vendor_id, name, automation, latest_version, published_version) values (${a.vendorId}, 'Old HubSpot logging', 'call_logging', 1, 1) returning id`;
    await db.sql`insert into flow_versions (flow_id, version, definition, message) values (${f.id}, 1, ${JSON.stringify(oldDefinition)}::text::json, 'saved in 2025')`;

    // The published version 1 runs as stored: migrated in memory by the compile step.
    const compiled = compileCached(f.id, 1, oldDefinition);
    const p = syntheticPerson(1);
    const run = await runFlow(compiled, { from: p.e164 }, ctx());
    expect(run.status, JSON.stringify(run.error)).toBe('succeeded');
    expect(run.steps.map((s) => s.blockId)).toEqual(['trigger.webhook', 'crm.findContactByPhone', 'crm.logCall', 'respond.json']);
    const callId = (run.response!.body as { callId: string }).callId;
    expect(emu.store.calls().map((c) => c.id)).toEqual([callId]);

    // The staff app opens the flow: version 2 holds the migrated definition and says so.
    const latest = await getFlowVersion(db.sql, a.vendorId, f.id);
    expect(latest!.version).toBe(2);
    expect(latest!.definition.nodes.map((n) => n.type)).toEqual(['trigger.webhook', 'crm.findContactByPhone', 'crm.logCall', 'respond.json']);
    expect(latest!.message).toBe('Migrated on load from version 1 to the generic CRM blocks: lookup: hubspot.findContactByPhone → crm.findContactByPhone; log: hubspot.logCall → crm.logCall');
    expect(latest!.definition.nodes[3].params).toEqual({ body: { callId: '=steps.log.ref.id' } });
    // Opening it again records nothing more; version 1 stays as it was stored.
    expect((await getFlowVersion(db.sql, a.vendorId, f.id))!.version).toBe(2);
    expect((await listFlowVersions(db.sql, a.vendorId, f.id)).map((v) => v.version)).toEqual([2, 1]);
    const [v1] = await db.sql<{ definition: typeof oldDefinition }[]>`select definition from flow_versions where flow_id = ${f.id} and version = 1`;
    expect(v1.definition.nodes[1].type).toBe('hubspot.findContactByPhone');
    const old = await getFlowVersion(db.sql, a.vendorId, f.id, 1);
    expect(old).toMatchObject({ version: 1, message: 'saved in 2025', migrated: expect.any(Array) });

    // The migrated version runs too.
    const again = await runFlow(compileCached(f.id, 2, latest!.definition), { from: p.e164 }, ctx());
    expect(again.status).toBe('succeeded');
    expect(emu.store.calls()).toHaveLength(2);
  });
});
