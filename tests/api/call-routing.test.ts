// The routing flow a newcomer builds (trigger → cdp.lookup → condition on custom.tier == gold → two Respond),
// through the named automation URL: a caller without a tier takes the false branch instead of a 502, and a run
// that fails answers the flow's fallback.
import { beforeAll, describe, expect, it } from 'vitest';
import { api, db } from './helpers';
import { createVendor } from '@/lib/tenancy/vendors';
import { createApiKey } from '@/lib/tenancy/api-keys';
import { createCustomer } from '@/lib/tenancy/customers';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';
import routing from '@/engine/fixtures/call-routing-by-tier.flow.json';

const uniq = Math.random().toString(36).slice(2, 8);
const cust = `route-${uniq}`;
let key = '';
const route = (body: unknown) => api(`/api/v1/customers/${cust}/automations/call_routing`, { body, key });
const broken = (body: unknown) => api(`/api/v1/customers/${cust}/automations/broken_routing`, { body, key });

/** The run record, once the recorder has written it (runs are recorded off the request path). */
async function recordedRun(runId: string) {
  const t0 = Date.now();
  for (;;) {
    const run = await api(`/api/v1/runs/${runId}`, { key });
    if (run.status === 200) return run;
    if (Date.now() - t0 > 20_000) throw new Error(`run ${runId} was not recorded: ${run.status} ${JSON.stringify(run.body)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The routing flow exactly as the issue reports it: no error setting, no fallback. */
const bare = { ...routing, nodes: routing.nodes.map(({ onError: _e, retry: _r, ...n }: Record<string, unknown>) => n), fallback: undefined };

beforeAll(async () => {
  const sql = db();
  const v = await createVendor(sql, { slug: `routing-${uniq}`, name: 'Routing Telecom' });
  key = (await createApiKey(sql, { vendorId: v.id, name: 'routing' })).key;
  const { ref } = await createCustomer(sql, { vendorId: v.id, externalId: cust, name: 'Route Co', defaultCountry: 'US' });
  const saved = await saveFlowVersion(sql, { vendorId: v.id, definition: bare });
  await publishFlow(sql, v.id, saved.flowId, saved.version);
  await enableIntegration(sql, { vendorId: v.id, customerId: ref.id, flowId: saved.flowId });
  // A flow whose lookup fails at run time (its number is an object, not text), with a fallback answer.
  const failing = {
    ...routing, name: 'Broken routing', automation: 'broken_routing',
    nodes: routing.nodes.map(({ onError: _e, retry: _r, ...n }: Record<string, unknown>) => (n.id === 'lookup' ? { ...n, params: { phone: '=trigger' } } : n)),
  };
  const b = await saveFlowVersion(sql, { vendorId: v.id, definition: failing });
  await publishFlow(sql, v.id, b.flowId, b.version);
  await enableIntegration(sql, { vendorId: v.id, customerId: ref.id, flowId: b.flowId });
  const r = await api(`/api/v1/customers/${cust}/cdp/contacts`, { key, body: { contacts: [
    { source: 'demo-crm', externalId: 'g1', firstName: 'Goldie', lastName: 'Caller', phones: ['+1 415 555 0101'], custom: { tier: 'gold' } },
    // Every HubSpot-synced contact looks like this: no tier at all.
    { source: 'hubspot', externalId: 'h1', firstName: 'Plain', lastName: 'Caller', phones: ['+1 415 555 0102'] },
  ] } });
  expect(r.status).toBe(200);
});

describe('call_routing through the named URL', () => {
  it('a gold caller goes to the priority queue', async () => {
    const r = await route({ phone: '(415) 555-0101' });
    expect(r).toMatchObject({ status: 200, body: { route: 'priority', caller: 'Goldie Caller' } });
  });

  it('a known caller without a tier takes the false branch (was a 502 invalid_params)', async () => {
    // Traced: recorded in full whatever the recording policy (the hot path's default samples successful runs).
    const r = await api(`/api/v1/customers/${cust}/automations/call_routing`, { body: { phone: '(415) 555-0102' }, key, headers: { 'x-patchbay-trace': '1' } });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ route: 'main' });
    const runId = r.headers.get('x-patchbay-run-id')!;
    const run = await recordedRun(runId);
    expect(run.body.status).toBe('succeeded');
    const cond = run.body.steps.find((s: { nodeId: string }) => s.nodeId === 'is_gold');
    expect(cond).toMatchObject({ status: 'succeeded', port: 'false', output: { result: false } });
  });

  it('an unknown caller goes to the main queue', async () => {
    expect(await route({ phone: '+1 415 555 0199' })).toMatchObject({ status: 200, body: { route: 'main' } });
  });

  it('a run that fails answers the flow fallback instead of a 502, and the run records the failure', async () => {
    const r = await broken({ phone: '+1 415 555 0101' });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ route: 'main', fallback: true });
    const runId = r.headers.get('x-patchbay-run-id')!;
    const run = await recordedRun(runId);
    expect(run.body.status).toBe('failed');
    expect(run.body.error).toMatchObject({ code: 'invalid_params', nodeId: 'lookup' });
    expect(run.body.error.message).toMatch(/^Look up caller → Phone/);
  });
});
