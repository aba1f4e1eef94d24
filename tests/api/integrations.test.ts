// The integrations API end to end (issue 20, item 7): enable, list, disable, re-enable, delete; a flowVersion that
// does not exist and a flow never published are refused before anything is written; "enabled": false is honoured;
// every change shows on the named URL at once (this server's automation cache is updated by the change).
import { beforeAll, describe, expect, it } from 'vitest';
import { api, db } from './helpers';
import { createVendor } from '@/lib/tenancy/vendors';
import { createApiKey } from '@/lib/tenancy/api-keys';
import { createCustomer } from '@/lib/tenancy/customers';
import { deleteFlow, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import callerLookup from '@/engine/fixtures/caller-lookup.flow.json';

const uniq = Math.random().toString(36).slice(2, 8);
const cust = `integ-${uniq}`;
const other = `integ-other-${uniq}`;
let key = '';
let vendorId = '';
let published = '';
let draft = '';
let doomed = '';

const call = (o: { method?: string; path: string; body?: unknown }) => api(`/api/v1/customers/${cust}${o.path}`, { method: o.method, body: o.body, key });
const list = async (customer = cust) => {
  const r = await api(`/api/v1/customers/${customer}/integrations`, { key });
  expect(r.status).toBe(200);
  return r.body.integrations as { automation: string; enabled: boolean; state: string; flowVersion: number | null; runsVersion: number | null; flowId: string; options: Record<string, unknown> }[];
};
const lookup = (automation = 'caller_lookup') => call({ path: `/automations/${automation}`, body: { phone: '+1 415 555 0100' } });
const integrationRows = async () => (await db()`select automation, enabled from integrations i join customers c on c.id = i.customer_id where c.external_id = ${cust} order by automation`);

beforeAll(async () => {
  const sql = db();
  const v = await createVendor(sql, { slug: `integ-${uniq}`, name: 'Integrations Telecom' });
  vendorId = v.id;
  key = (await createApiKey(sql, { vendorId: v.id, name: 'integrations' })).key;
  await createCustomer(sql, { vendorId: v.id, externalId: cust, name: 'Integ Co', defaultCountry: 'US' });
  await createCustomer(sql, { vendorId: v.id, externalId: other, name: 'Other Co', defaultCountry: 'US' });
  const p1 = await saveFlowVersion(sql, { vendorId: v.id, definition: callerLookup });
  const p2 = await saveFlowVersion(sql, { vendorId: v.id, flowId: p1.flowId, definition: { ...callerLookup, description: 'v2' } });
  await publishFlow(sql, v.id, p1.flowId, p2.version);
  published = p1.flowId;
  draft = (await saveFlowVersion(sql, { vendorId: v.id, definition: { ...callerLookup, name: 'Draft lookup', automation: 'draft_lookup' } })).flowId;
  const d = await saveFlowVersion(sql, { vendorId: v.id, definition: { ...callerLookup, name: 'Doomed lookup', automation: 'doomed_lookup' } });
  await publishFlow(sql, v.id, d.flowId, d.version);
  doomed = d.flowId;
});

describe('integrations API', () => {
  it('enables a published flow: listed as active on its published version, and the named URL answers at once', async () => {
    expect(await list()).toEqual([]);
    expect((await lookup()).body.error.code).toBe('automation_not_found');
    const r = await call({ path: '/integrations', body: { flowId: published, options: { greeting: 'hi' } } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ automation: 'caller_lookup', enabled: true, flowVersion: null });
    expect(await list()).toEqual([expect.objectContaining({ automation: 'caller_lookup', flowId: published, enabled: true, state: 'active', flowVersion: null, runsVersion: 2, options: { greeting: 'hi' } })]);
    const run = await lookup();
    expect(run.status).toBe(200);
    expect(run.headers.get('x-patchbay-run-id')).toBeTruthy();
    // Another customer of the same vendor has none of it.
    expect(await list(other)).toEqual([]);
  });

  it('refuses a flowVersion that does not exist (400 naming flowVersion) and writes nothing', async () => {
    const before = await integrationRows();
    const r = await call({ path: '/integrations', body: { flowId: draft, flowVersion: 7 } });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'version_not_found', path: ['flowVersion'] });
    expect(r.body.error.message).toMatch(/no version 7 \(latest is 1\)/);
    expect(await integrationRows()).toEqual(before);
  });

  it('refuses a flow never published (409 flow_not_published) unless a version is pinned', async () => {
    const r = await call({ path: '/integrations', body: { flowId: draft } });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'flow_not_published', path: ['flowId'] });
    expect(r.body.error.message).toMatch(/Draft lookup.*never been published/);
    expect((await list()).map((i) => i.automation)).toEqual(['caller_lookup']);
    const pinned = await call({ path: '/integrations', body: { flowId: draft, flowVersion: 1 } });
    expect(pinned).toMatchObject({ status: 200, body: { automation: 'draft_lookup', enabled: true, flowVersion: 1 } });
    expect((await lookup('draft_lookup')).status).toBe(200);
  });

  it('refuses a flow of no such id (404 flow_not_found)', async () => {
    const r = await call({ path: '/integrations', body: { flowId: '00000000-0000-4000-8000-000000000000' } });
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'flow_not_found', path: ['flowId'] });
  });

  it('"enabled": false is stored disabled: the named URL answers 404 automation_disabled', async () => {
    const r = await call({ path: '/integrations', body: { flowId: doomed, enabled: false } });
    expect(r).toMatchObject({ status: 200, body: { automation: 'doomed_lookup', enabled: false } });
    expect((await list()).find((i) => i.automation === 'doomed_lookup')).toMatchObject({ enabled: false, state: 'disabled', runsVersion: 1 });
    const run = await lookup('doomed_lookup');
    expect(run.status).toBe(404);
    expect(run.body.error.code).toBe('automation_disabled');
    expect(run.body.error.message).toMatch(/integrations\/doomed_lookup\/enable/);
  });

  it('disables and re-enables: each applies to the very next call', async () => {
    const off = await call({ method: 'POST', path: '/integrations/caller_lookup/disable' });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ automation: 'caller_lookup', enabled: false, state: 'disabled', flowId: published, options: { greeting: 'hi' } });
    expect((await lookup()).body.error.code).toBe('automation_disabled');
    // Disabling twice changes nothing.
    expect((await call({ method: 'POST', path: '/integrations/caller_lookup/disable' })).body.state).toBe('disabled');
    const on = await call({ method: 'POST', path: '/integrations/caller_lookup/enable' });
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ enabled: true, state: 'active', runsVersion: 2, options: { greeting: 'hi' } });
    expect((await lookup()).status).toBe(200);
  });

  it('an integration whose flow was deleted is listed as such and cannot be re-enabled (409 flow_deleted)', async () => {
    expect(await deleteFlow(db(), vendorId, doomed)).toEqual({ name: 'Doomed lookup' });
    expect((await list()).find((i) => i.automation === 'doomed_lookup')).toMatchObject({ state: 'flow_deleted', runsVersion: null });
    const r = await call({ method: 'POST', path: '/integrations/doomed_lookup/enable' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('flow_deleted');
    expect((await lookup('doomed_lookup')).body.error.code).toBe('automation_not_found');
  });

  it('deletes: the named URL answers 404 automation_not_found at once, a second delete 404 integration_not_found', async () => {
    const r = await call({ method: 'DELETE', path: '/integrations/draft_lookup' });
    expect(r).toMatchObject({ status: 200, body: { deleted: true, automation: 'draft_lookup' } });
    expect((await lookup('draft_lookup')).body.error.code).toBe('automation_not_found');
    expect((await list()).map((i) => i.automation)).toEqual(['caller_lookup', 'doomed_lookup']);
    const again = await call({ method: 'DELETE', path: '/integrations/draft_lookup' });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('integration_not_found');
  });

  it('unknown or malformed automation names are 404 integration_not_found, never a 500', async () => {
    for (const name of ['nothing_here', 'Not-A-Name', '%00']) {
      for (const [method, suffix] of [['POST', '/disable'], ['POST', '/enable'], ['DELETE', '']] as const) {
        const r = await call({ method, path: `/integrations/${name}${suffix}` });
        expect([400, 404], `${method} ${name}${suffix}`).toContain(r.status);
        expect(r.body.error.code).toBe(r.status === 404 ? 'integration_not_found' : 'invalid_input');
      }
    }
  });
});
