// Templates on a real database: enable with options (schema-checked, connections required), pause and the named
// URL's binding, roll-outs (canary 30 % of 10 reaches exactly 3, rollback restores them, a pinned customer never
// moves), and shadow replay of recorded runs through a new version that sends nothing to the CRM emulator.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubspotEmulator, type HubspotEmulator } from '@/engine/connectors/hubspot/emulator';
import { invalidateAutomations, resolveAutomation } from '../engine-host/automation-cache';
import { saveConnection } from '../engine-host/connections';
import { EngineHost } from '../engine-host/host';
import { saveFlowVersion, publishFlow } from '../flows/flows';
import { createScratchDb, seedVendor, type ScratchDb } from '../testing/scratch-db';
import { customerCatalogue, customerTemplateDetail } from './catalogue';
import { enableTemplate, pinCustomerTemplate, removeTemplate, setTemplateStatus } from './customer-templates';
import { canaryCount, rollbackRollout, rolloutTemplate } from './rollout';
import { shadowReplay } from './shadow-replay';
import { createTemplate, publishTemplateVersion, saveTemplateVersion } from './templates';

let db: ScratchDb;
let vendorId = '';
let userId = '';
let emu: HubspotEmulator;
let host: EngineHost;
const key = randomBytes(32);

/** A call-logging flow: logs the call in the CRM the options name, answers with a body that names its version. */
const loggingFlow = (version: number) => ({
  schemaVersion: 1, name: 'Log calls', automation: 'log_calls',
  nodes: [
    { id: 'trigger', type: 'trigger.webhook', params: {}, position: { x: 0, y: 0 } },
    {
      id: 'log', type: 'crm.logCall', position: { x: 200, y: 0 },
      params: { crm: '=options.crm', callId: '=trigger.callId', direction: 'inbound', status: 'answered', startedAt: '2026-11-30T10:00:00Z', durationSec: 60, from: '=trigger.from', to: '+14155550000', notes: version === 1 ? 'Logged by v1' : 'Logged by v2 with more detail' },
    },
    { id: 'answer', type: 'respond.json', params: { status: 200, body: version === 1 ? { logged: true } : { logged: true, callId: '=trigger.callId' } }, position: { x: 400, y: 0 } },
  ],
  edges: [{ id: 'e1', source: 'trigger', sourcePort: 'out', target: 'log' }, { id: 'e2', source: 'log', sourcePort: 'out', target: 'answer' }],
  options: { crm: 'hubspot' },
});

let flowId = '';
let templateId = '';
const customers: { id: string; externalId: string }[] = [];

beforeAll(async () => {
  db = await createScratchDb('pb_templates');
  const seeded = await seedVendor(db.sql, 'tpl');
  vendorId = seeded.vendorId;
  userId = seeded.userId;
  emu = await startHubspotEmulator({ contacts: 5, token: 'hs-token' });
  host = new EngineHost({ sql: db.sql, encryptionKey: key, flowTimeoutMs: 10_000, allowPrivateHosts: true });
  const v1 = await saveFlowVersion(db.sql, { vendorId, definition: loggingFlow(1), message: 'v1' });
  flowId = v1.flowId;
  await publishFlow(db.sql, vendorId, flowId, v1.version);
  const t = await createTemplate(db.sql, {
    vendorId, userId, publish: true,
    input: {
      name: 'Call logging test', description: 'Logs calls', flows: [{ flowId }], connections: ['crm'],
      options: [{ key: 'crm', label: 'CRM', type: 'crm', default: 'hubspot', required: true }, { key: 'delayMinutes', label: 'Delay', type: 'integer', min: 0, max: 60, default: 10, required: true }],
    },
  });
  templateId = t.id;
  for (let i = 0; i < 11; i++) {
    const [c] = await db.sql<{ id: string }[]>`insert into customers (vendor_id, external_id, name) values (${vendorId}, ${`c${i}`}, ${`Customer ${i}`}) returning id`;
    customers.push({ id: c.id, externalId: `c${i}` });
    await saveConnection(db.sql, key, { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: emu.url, credentials: { token: 'hs-token' } });
  }
});

afterAll(async () => { await host?.close(); await emu?.close(); await db?.drop(); });

const versionOf = async (customerId: string) => (await db.sql<{ version: number }[]>`select version from customer_templates where customer_id = ${customerId} and template_id = ${templateId}`)[0]?.version;
const boundFlowVersion = async (customerId: string) => {
  invalidateAutomations();
  return (await resolveAutomation(db.sql, customerId, 'log_calls'))?.version ?? null;
};

describe('enabling a template', () => {
  it('refuses options that do not fit the schema, naming the option', async () => {
    await expect(enableTemplate(db.sql, { vendorId, customerId: customers[0].id, templateId, options: { delayMinutes: 500 } })).rejects.toMatchObject({ status: 400, extra: { path: ['options', 'delayMinutes'] } });
    await expect(enableTemplate(db.sql, { vendorId, customerId: customers[0].id, templateId, options: { crm: 'nocrm' } })).rejects.toMatchObject({ status: 400, extra: { path: ['options', 'crm'] } });
    await expect(enableTemplate(db.sql, { vendorId, customerId: customers[0].id, templateId, options: { color: 'red' } })).rejects.toMatchObject({ status: 400, extra: { path: ['options', 'color'] } });
  });

  it('refuses when the CRM the options name is not connected (409 connection_missing naming it)', async () => {
    await expect(enableTemplate(db.sql, { vendorId, customerId: customers[0].id, templateId, options: { crm: 'salesforce' } })).rejects.toMatchObject({ status: 409, code: 'connection_missing', extra: { systems: ['salesforce'] } });
  });

  it('binds the automation to the template version\'s flow version with the options (defaults filled in)', async () => {
    for (const c of customers) await enableTemplate(db.sql, { vendorId, customerId: c.id, templateId, options: {} });
    const [i] = await db.sql<{ flow_version: number; options: Record<string, unknown>; enabled: boolean }[]>`select flow_version, options, enabled from integrations where customer_id = ${customers[0].id} and automation = 'log_calls'`;
    expect(i).toEqual({ flow_version: 1, options: { crm: 'hubspot', delayMinutes: 10 }, enabled: true });
    await expect(enableTemplate(db.sql, { vendorId, customerId: customers[0].id, templateId })).rejects.toMatchObject({ status: 409, code: 'already_enabled' });
    const cat = await customerCatalogue(db.sql, { id: customers[0].id, vendorId, externalId: 'c0', name: 'Customer 0', defaultCountry: 'US' });
    expect(cat.templates.map((t) => [t.slug, t.enabled?.status])).toEqual([['call_logging_test', 'active']]);
  });

  it('pause unbinds the named URL (the edge answers automation_paused), resume binds it again', async () => {
    const c = customers[10];
    await setTemplateStatus(db.sql, { vendorId, customerId: c.id, templateId, status: 'paused' });
    expect(await boundFlowVersion(c.id)).toBeNull();
    expect((await db.sql`select enabled from integrations where customer_id = ${c.id} and automation = 'log_calls'`)[0].enabled).toBe(false);
    await setTemplateStatus(db.sql, { vendorId, customerId: c.id, templateId, status: 'active' });
    expect(await boundFlowVersion(c.id)).toBe(1);
  });
});

describe('roll-outs', () => {
  let v2 = 0;
  let rolloutId = '';

  it('canaryCount: 30 % of 10 is exactly 3', () => {
    expect(canaryCount(10, 30)).toBe(3);
    expect(canaryCount(10, 100)).toBe(10);
    expect(canaryCount(3, 10)).toBe(1);
    expect(canaryCount(0, 50)).toBe(0);
  });

  it('a canary to 30 % of 10 customers moves exactly 3 (the pinned 11th never moves), deterministically', async () => {
    // customer 10 is pinned to version 1: the share is of the 10 others
    await pinCustomerTemplate(db.sql, { vendorId, customerId: customers[10].id, templateId, pinned: true });
    const flowV2 = await saveFlowVersion(db.sql, { vendorId, flowId, definition: loggingFlow(2), message: 'v2' });
    const saved = await saveTemplateVersion(db.sql, { vendorId, templateId, userId, input: { name: 'Call logging test', flows: [{ flowId, version: flowV2.version }], connections: ['crm'], options: [{ key: 'crm', label: 'CRM', type: 'crm', default: 'hubspot', required: true }, { key: 'delayMinutes', label: 'Delay', type: 'integer', min: 0, max: 60, default: 10, required: true }] } });
    v2 = saved.version;
    await expect(rolloutTemplate(db.sql, { vendorId, templateId, version: v2, target: { kind: 'all' } })).rejects.toMatchObject({ code: 'version_not_published' });
    await publishTemplateVersion(db.sql, vendorId, templateId, v2);
    // Publishing alone moves nobody.
    for (const c of customers) expect(await versionOf(c.id)).toBe(1);

    const r = await rolloutTemplate(db.sql, { vendorId, templateId, version: v2, target: { kind: 'percent', percent: 30 }, userId });
    rolloutId = r.id;
    expect(r.moved).toHaveLength(3);
    expect(r.pinnedSkipped).toBe(1);
    const onV2 = [];
    for (const c of customers) if ((await versionOf(c.id)) === v2) onV2.push(c.externalId);
    expect(onV2.sort()).toEqual(r.moved.map((m) => m.externalId).sort());
    expect(onV2).not.toContain('c10');
    // The moved customers' named URL runs the new flow version; the others still run version 1.
    for (const c of customers.slice(0, 10)) expect(await boundFlowVersion(c.id)).toBe(onV2.includes(c.externalId) ? flowV2.version : 1);

    // Deterministic: a 50 % share keeps the first 30 % inside and adds 2 more.
    const wider = await rolloutTemplate(db.sql, { vendorId, templateId, version: v2, target: { kind: 'percent', percent: 50 } });
    expect(wider.moved).toHaveLength(2);
    await rollbackRollout(db.sql, { vendorId, templateId, rolloutId: wider.id });
  });

  it('rollback returns exactly those customers to their previous version, once', async () => {
    const back = await rollbackRollout(db.sql, { vendorId, templateId, rolloutId });
    expect(back.restored).toHaveLength(3);
    expect(back.restored.every((r) => r.version === 1)).toBe(true);
    for (const c of customers) expect(await versionOf(c.id)).toBe(1);
    for (const c of customers.slice(0, 10)) expect(await boundFlowVersion(c.id)).toBe(1);
    await expect(rollbackRollout(db.sql, { vendorId, templateId, rolloutId })).rejects.toMatchObject({ status: 409, code: 'already_rolled_back' });
  });

  it('a roll-out to everyone moves every customer but the pinned one; a list naming the pinned one is refused', async () => {
    await expect(rolloutTemplate(db.sql, { vendorId, templateId, version: v2, target: { kind: 'customers', customers: ['c10'] } })).rejects.toMatchObject({ status: 409, code: 'customer_pinned' });
    const all = await rolloutTemplate(db.sql, { vendorId, templateId, version: v2, target: { kind: 'all' } });
    expect(all.moved).toHaveLength(10);
    expect(await versionOf(customers[10].id)).toBe(1);
    const listed = await rolloutTemplate(db.sql, { vendorId, templateId, version: 1, target: { kind: 'customers', customers: ['c1'] } });
    expect(listed.moved.map((m) => m.externalId)).toEqual(['c1']);
    expect(await versionOf(customers[1].id)).toBe(1);
    expect(await versionOf(customers[2].id)).toBe(v2);
  });

  it('another vendor cannot roll out or roll back this template', async () => {
    const other = await seedVendor(db.sql, 'tpl-other');
    await expect(rolloutTemplate(db.sql, { vendorId: other.vendorId, templateId, version: v2, target: { kind: 'all' } })).rejects.toMatchObject({ status: 404 });
    await expect(rollbackRollout(db.sql, { vendorId: other.vendorId, templateId, rolloutId })).rejects.toMatchObject({ status: 404 });
  });
});

describe('shadow replay', () => {
  it('replays recorded runs of version 1 through version 2 without sending anything to the CRM, and shows the differing answers', async () => {
    // Real runs of version 1 (customer c10 is pinned there): each logs a call in the emulator.
    const c = customers[10];
    const resolved = (await resolveAutomation(db.sql, c.id, 'log_calls'))!;
    for (const callId of ['call-a', 'call-b']) {
      const out = await host.execute({ vendorId, customer: { id: c.id, defaultCountry: 'US' }, flowId: resolved.flowId, flowVersion: resolved.version, compiled: resolved.compiled, options: resolved.options, trigger: { callId, from: '+14155550123' }, recordNow: true });
      expect(out.status).toBe('succeeded');
    }
    const callsBefore = emu.store.calls().length;
    const requestsBefore = emu.stats.requests;
    expect(callsBefore).toBe(2);

    const report = await shadowReplay(db.sql, host, { vendorId, templateId, fromVersion: 1, toVersion: 2 });
    expect(report.cases).toHaveLength(2);
    expect(emu.store.calls().length).toBe(callsBefore);
    expect(emu.stats.requests).toBe(requestsBefore);

    const a = report.cases.find((x) => (x.trigger as { callId: string }).callId === 'call-a')!;
    expect(a.customer).toBe('c10');
    expect(a.recorded.response).toMatchObject({ status: 200, body: { logged: true } });
    expect(a.old.response).toEqual({ status: 200, body: { logged: true } });
    expect(a.new.response).toEqual({ status: 200, body: { logged: true, callId: 'call-a' } });
    expect(a.sameResponse).toBe(false);
    expect(a.old.writes).toEqual([expect.objectContaining({ what: 'Log the call in the CRM', system: 'hubspot', params: expect.objectContaining({ notes: 'Logged by v1' }) })]);
    expect(a.new.writes).toEqual([expect.objectContaining({ system: 'hubspot', params: expect.objectContaining({ notes: 'Logged by v2 with more detail' }) })]);
    expect(a.sameWrites).toBe(false);
    expect(report.differing).toBe(2);
    // Shadow runs are not recorded as runs.
    const [{ n }] = await db.sql<{ n: number }[]>`select count(*)::int as n from runs where customer_id = ${c.id}`;
    expect(n).toBe(2);
  });
});

describe('removing a template', () => {
  it('removes its automations and the contacts its sync copied; says so plainly', async () => {
    const c = customers[3];
    await db.sql`insert into cdp_contacts (customer_id, source, external_id, content_hash) values (${c.id}, 'hubspot', '1', 'h')`;
    const r = await removeTemplate(db.sql, { vendorId, customerId: c.id, templateId });
    expect(r.removed).toBe(true);
    expect(r.whatHappened).toMatch(/Nothing is changed or deleted in HubSpot/);
    expect(await db.sql`select 1 from integrations where customer_id = ${c.id}`).toHaveLength(0);
    expect(await boundFlowVersion(c.id)).toBeNull();
    await expect(removeTemplate(db.sql, { vendorId, customerId: c.id, templateId })).rejects.toMatchObject({ status: 404 });
  });
});

describe('a template that stores recordings needs the storage its options name', () => {
  const recordingOptions = [
    { key: 'crm', label: 'CRM', type: 'crm' as const, default: 'hubspot', required: true },
    { key: 'keep', label: 'Store recordings', type: 'boolean' as const, default: false, required: true },
    { key: 'store', label: 'Store in', type: 'choice' as const, default: 's3', required: true, choices: [{ value: 's3', label: 'S3' }, { value: 'dropbox', label: 'Dropbox' }] },
  ];

  it('refuses an option entry naming no option of the template, or a flag that is not yes/no, naming the entry', async () => {
    await expect(createTemplate(db.sql, { vendorId, userId, input: { name: 'Typo', description: 'x', flows: [{ flowId }], connections: ['crm', 'options.stor if options.keep'], options: recordingOptions } }))
      .rejects.toMatchObject({ status: 400, extra: { path: ['connections', 1] } });
    await expect(createTemplate(db.sql, { vendorId, userId, input: { name: 'Typo 2', description: 'x', flows: [{ flowId }], connections: ['options.store if options.crm'], options: recordingOptions } }))
      .rejects.toMatchObject({ status: 400, extra: { path: ['connections', 0] } });
  });

  it('while storing is on, enabling refuses until the chosen storage is connected (409 naming it); off, the CRM is enough', async () => {
    const t = await createTemplate(db.sql, {
      vendorId, userId, publish: true,
      input: { name: 'Recordings test', description: 'Logs calls with recordings', flows: [{ flowId }], connections: ['crm', 'options.store if options.keep'], options: recordingOptions },
    });
    const [c] = await db.sql<{ id: string }[]>`insert into customers (vendor_id, external_id, name) values (${vendorId}, 'rec1', 'Recordings customer') returning id`;
    await saveConnection(db.sql, key, { customerId: c.id, system: 'hubspot', name: 'HubSpot', authKind: 'apiKey', baseUrl: emu.url, credentials: { token: 'hs-token' } });
    await expect(enableTemplate(db.sql, { vendorId, customerId: c.id, templateId: t.id, options: { keep: true, store: 'dropbox' } }))
      .rejects.toMatchObject({ status: 409, code: 'connection_missing', extra: { systems: ['dropbox'] } });
    await saveConnection(db.sql, key, { customerId: c.id, system: 'dropbox', name: 'Dropbox', authKind: 'oauth2', baseUrl: 'https://api.dropboxapi.com', credentials: { accessToken: 'x' } });
    await enableTemplate(db.sql, { vendorId, customerId: c.id, templateId: t.id, options: { keep: true, store: 'dropbox' } });
    // Its health lists the storage beside the CRM.
    const detail = await customerTemplateDetail(db.sql, { id: c.id, vendorId, externalId: 'rec1', name: 'Recordings customer', defaultCountry: 'US' }, t.id);
    expect(detail.health!.connections.map((x) => x.system).sort()).toEqual(['dropbox', 'hubspot']);
    await removeTemplate(db.sql, { vendorId, customerId: c.id, templateId: t.id });
    await db.sql`delete from connections where customer_id = ${c.id} and system = 'dropbox'`;
    await enableTemplate(db.sql, { vendorId, customerId: c.id, templateId: t.id, options: { keep: false, store: 'dropbox' } });
  });
});
