import { beforeAll, describe, expect, it } from 'vitest';
import { api, db } from './helpers';
import { createVendor } from '@/lib/tenancy/vendors';
import { createApiKey } from '@/lib/tenancy/api-keys';
import { createCustomer } from '@/lib/tenancy/customers';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import callerLookup from '@/engine/fixtures/caller-lookup.flow.json';

const lookup = (customer: string, body: unknown, key?: string | null) => api(`/api/v1/customers/${customer}/automations/caller_lookup`, { body, key });

const uniq = Math.random().toString(36).slice(2, 8);
const custA = `acme-${uniq}`;
const custB = `globex-${uniq}`;

beforeAll(async () => {
  for (const [id, country] of [[custA, 'GB'], [custB, 'US']]) {
    const r = await api('/api/v1/customers', { body: { externalId: id, name: id, defaultCountry: country } });
    expect(r.status).toBe(201);
  }
  const flows = await db()`select id from flows where automation = 'caller_lookup' order by created_at limit 1`;
  for (const c of [custA, custB]) {
    const r = await api(`/api/v1/customers/${c}/integrations`, { body: { flowId: flows[0].id } });
    expect(r.status).toBe(200);
  }
  // Same number, two tenants, different people.
  const ingest = async (c: string, firstName: string) => api(`/api/v1/customers/${c}/cdp/contacts`, { body: { contacts: [
    { source: 'hubspot', externalId: '123', firstName, lastName: 'Lovelace', company: 'Analytical Ltd', email: 'ada@example.com', phones: ['+44 20 7946 0000', '07911 123456'], country: 'GB', crmUrl: 'https://app.hubspot.com/contacts/1/record/0-1/123', custom: { tier: 'gold' } },
  ] } });
  expect((await ingest(custA, 'Ada')).status).toBe(200);
  expect((await ingest(custB, 'Augusta')).status).toBe(200);
});

describe('caller_lookup', () => {
  it.each([
    ['E.164', '+442079460000'],
    ['national format of the customer country', '020 7946 0000'],
    ['spaces and dashes', '+44 20-7946-0000'],
    ['the second number of the contact', '07911 123456'],
    ['00 international prefix', '0044 7911 123456'],
  ])('finds the caller by %s', async (_n, phone) => {
    const r = await lookup(custA, { phone });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ found: true, contact: { firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Ltd', crmUrl: 'https://app.hubspot.com/contacts/1/record/0-1/123', custom: { tier: 'gold' }, phones: ['+442079460000', '+447911123456'] } });
    expect(r.headers.get('x-patchbay-run-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers found:false for an unknown number', async () => {
    const r = await lookup(custA, { phone: '+44 20 7946 0999' });
    expect(r).toMatchObject({ status: 200, body: { found: false } });
  });

  it('answers found:false for an unparseable number', async () => {
    expect((await lookup(custA, { phone: 'not a number' })).body).toEqual({ found: false });
  });

  it('finds the seeded demo contacts for customer "demo" in US national format', async () => {
    const r = await lookup('demo', { phone: '(415) 704-0007' });
    expect(r.body).toMatchObject({ found: true, contact: { firstName: 'Barbara', lastName: 'Lovelace' } });
  });

  it('never shows customer B the contact of customer A with the same phone', async () => {
    const a = await lookup(custA, { phone: '+442079460000' });
    const b = await lookup(custB, { phone: '+442079460000' });
    expect(a.body.contact.firstName).toBe('Ada');
    expect(b.body.contact.firstName).toBe('Augusta');
    // B's default country is US: the GB national form does not resolve to a GB number there.
    expect((await lookup(custB, { phone: '020 7946 0000' })).body).toEqual({ found: false });
  });
});

describe('errors', () => {
  it('401 without a key', async () => {
    const r = await lookup(custA, { phone: '+442079460000' }, null);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
  });

  it('401 with a wrong key', async () => {
    expect((await lookup(custA, { phone: '+442079460000' }, 'pb_wrong')).status).toBe(401);
  });

  it('404 for an unknown customer', async () => {
    const r = await lookup('nobody-here', { phone: '+1' });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('customer_not_found');
  });

  it('404 for an unknown automation', async () => {
    const r = await api(`/api/v1/customers/${custA}/automations/no_such_thing`, { body: { phone: '+1' } });
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('automation_not_found');
  });

  it('400 naming the field when phone is missing or of the wrong type', async () => {
    const missing = await lookup(custA, { number: '+442079460000' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ code: 'invalid_input', path: ['phone'] });
    const wrongType = await lookup(custA, { phone: 442079460000 });
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.error.message).toMatch(/"phone" must be a string/);
  });

  it('400 with a clear message for a body that is not JSON', async () => {
    const r = await api(`/api/v1/customers/${custA}/automations/caller_lookup`, { rawBody: '{"phone": "+44', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid_json');
    expect(r.body.error.message).toMatch(/not valid JSON/);
  });

  it('400 for an empty body, 405 for a wrong method', async () => {
    expect((await api(`/api/v1/customers/${custA}/automations/caller_lookup`, { rawBody: '' })).status).toBe(400);
    const wrongMethod = await api(`/api/v1/customers/${custA}/automations/caller_lookup`, { method: 'GET' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error.message).toMatch(/use POST/);
  });

  it('never a 500 for ids no customer or run can have (NUL, not a uuid), nor for a bad async flag', async () => {
    const nul = await api(`/api/v1/customers/%00/automations/caller_lookup`, { body: { phone: '+12025550123' } });
    expect(nul.status).toBe(404);
    expect(nul.body.error.code).toBe('customer_not_found');
    for (const id of ['------------------------------------', '00000000-0000-0000-0000-00000000000g']) {
      expect((await api(`/api/v1/runs/${id}`)).status).toBe(404);
    }
    const maybe = await api(`/api/v1/customers/${custA}/automations/caller_lookup?async=maybe`, { body: { phone: '+12025550123' } });
    expect(maybe.status).toBe(400);
    expect(maybe.body.error).toMatchObject({ code: 'invalid_input', path: ['async'] });
  });

  it('400 naming the path for a malformed percent-encoding in the URL, and the query string is read', async () => {
    const bad = await api(`/api/v1/customers/%E0%A4%A/automations/caller_lookup`, { body: { phone: '+12025550123' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'invalid_path', path: ['url'] });
    const queued = await api(`/api/v1/customers/${custA}/automations/caller_lookup?x=1&async=true`, { body: { phone: '+12025550123' } });
    expect(queued.status).toBe(202);
  });
});

describe('tenancy', () => {
  let otherKey = '';
  let scopedKey = '';
  beforeAll(async () => {
    const sql = db();
    const v = await createVendor(sql, { slug: `other-${uniq}`, name: 'Other Telecom' });
    otherKey = (await createApiKey(sql, { vendorId: v.id, name: 'other' })).key;
    // The other vendor even has a customer with the same external id.
    const { ref } = await createCustomer(sql, { vendorId: v.id, externalId: custA, name: 'Impostor', defaultCountry: 'GB' });
    const saved = await saveFlowVersion(sql, { vendorId: v.id, definition: callerLookup });
    await publishFlow(sql, v.id, saved.flowId, saved.version);
    await enableIntegration(sql, { vendorId: v.id, customerId: ref.id, flowId: saved.flowId });
    const [vendorA] = await sql`select vendor_id from customers where external_id = ${custB}`;
    const [custBRow] = await sql`select id from customers where external_id = ${custB}`;
    scopedKey = (await createApiKey(sql, { vendorId: vendorA.vendor_id, customerId: custBRow.id, name: 'scoped' })).key;
  });

  it("another vendor's key reaches only its own customer of the same id", async () => {
    const r = await lookup(custA, { phone: '+442079460000' }, otherKey);
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ found: false });
    expect((await lookup(custB, { phone: '+442079460000' }, otherKey)).status).toBe(404);
    expect((await lookup('demo', { phone: '(415) 704-0007' }, otherKey)).status).toBe(404);
  });

  it('a customer-scoped key reaches only its customer', async () => {
    expect((await lookup(custB, { phone: '+442079460000' }, scopedKey)).body.contact.firstName).toBe('Augusta');
    const r = await lookup(custA, { phone: '+442079460000' }, scopedKey);
    expect(r.status).toBe(404);
    expect((await api('/api/v1/customers', { body: { externalId: 'x', name: 'x' }, key: scopedKey })).status).toBe(403);
  });

  it("runs are readable only by their vendor", async () => {
    // Traced: recorded in full whatever the recording policy (the hot path's default samples successful runs).
    const r = await api(`/api/v1/customers/${custA}/automations/caller_lookup`, { body: { phone: '+442079460000' }, headers: { 'x-patchbay-trace': '1' } });
    const runId = r.headers.get('x-patchbay-run-id')!;
    await new Promise((res) => setTimeout(res, 200));
    expect((await api(`/api/v1/runs/${runId}`)).status).toBe(200);
    expect((await api(`/api/v1/runs/${runId}`, { key: otherKey })).status).toBe(404);
    expect((await api(`/api/v1/runs/${runId}`, { key: scopedKey })).status).toBe(404);
  });

});

describe('async runs', () => {
  it('answers 202 with a run id, and the run can be read with its steps', async () => {
    const r = await api(`/api/v1/customers/${custA}/automations/caller_lookup?async=true`, { body: { phone: '020 7946 0000' } });
    expect(r.status).toBe(202);
    expect(r.body.runId).toMatch(/^[0-9a-f-]{36}$/);
    let run: any;
    for (let i = 0; i < 50; i++) {
      run = (await api(`/api/v1/runs/${r.body.runId}`)).body;
      if (run.status === 'succeeded') break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(run).toMatchObject({ id: r.body.runId, status: 'succeeded', automation: 'caller_lookup', customer: custA, response: { status: 200, body: { found: true } } });
    expect(run.steps.map((s: any) => s.nodeId)).toEqual(['trigger', 'normalize', 'lookup', 'respond_found']);
    expect(run.steps[2]).toMatchObject({ blockId: 'cdp.lookup', port: 'found', output: { found: true, phone: '+442079460000' } });
  });

  // The public API refuses text PostgreSQL cannot store (README, "Input that cannot be stored"): a 400 naming the
  // field, no run started; only the webhooks keep such bodies (with U+FFFD in the run record).
  it('400 naming the field for a NUL or an unpaired surrogate in the payload, and records the runs after them', async () => {
    const nul = await api(`/api/v1/customers/${custA}/automations/caller_lookup`, { rawBody: '{"phone":"+44 20 7946 0000\\u0000"}', headers: { 'content-type': 'application/json' } });
    expect(nul.status).toBe(400);
    expect(nul.body.error).toMatchObject({ code: 'invalid_input', path: ['phone'] });
    expect(nul.body.error.message).toMatch(/NUL/);
    expect(nul.headers.get('x-patchbay-run-id')).toBeNull();
    const lone = await api(`/api/v1/customers/${custA}/automations/caller_lookup`, { rawBody: '{"phone":"+44 20 7946 0000","note":"\\ud800"}', headers: { 'content-type': 'application/json' } });
    expect(lone.status).toBe(400);
    expect(lone.body.error).toMatchObject({ code: 'invalid_input', path: ['note'] });
    const after = await api(`/api/v1/customers/${custA}/automations/caller_lookup`, { body: { phone: '020 7946 0000' }, headers: { 'x-patchbay-trace': '1' } });
    expect(after.status).toBe(200);
    const id = after.headers.get('x-patchbay-run-id')!;
    let runs: any[] = [];
    for (let i = 0; i < 100 && runs.length === 0; i++) {
      runs = await db()`select id, status, trigger from runs where id = ${id}`;
      if (!runs.length) await new Promise((res) => setTimeout(res, 100));
    }
    expect(runs.map((r) => r.status)).toEqual(['succeeded']);
  });

  it('404 for an unknown run id', async () => {
    expect((await api('/api/v1/runs/00000000-0000-0000-0000-000000000000')).status).toBe(404);
  });
});
