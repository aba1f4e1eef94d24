import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, db } from './helpers';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';

let slow: http.Server;
const cust = `slow-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  slow = http.createServer((_req, res) => { setTimeout(() => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"route":"late"}'); }, 4000); });
  await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
  const port = (slow.address() as { port: number }).port;
  expect((await api('/api/v1/customers', { body: { externalId: cust, name: 'Slow' } })).status).toBe(201);
  const sql = db();
  const [c] = await sql`select id, vendor_id from customers where external_id = ${cust}`;
  const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, definition: {
    name: 'Slow routing', automation: 'slow_routing',
    nodes: [
      { id: 't', type: 'trigger.webhook' },
      { id: 'ask', type: 'http.request', params: { url: `http://127.0.0.1:${port}/route`, timeoutMs: 10000 } },
      { id: 'r', type: 'respond.json', params: { body: '=steps.ask.body' } },
    ],
    edges: [{ id: 'e1', source: 't', target: 'ask' }, { id: 'e2', source: 'ask', target: 'r' }],
  } });
  await publishFlow(sql, c.vendor_id, saved.flowId, saved.version);
  await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: saved.flowId });
});

afterAll(() => { slow.closeAllConnections(); slow.close(); });

describe('flow timeout', () => {
  it('answers 504 with the run id when the flow runs past the timeout, and records the run', async () => {
    const t0 = Date.now();
    const r = await api(`/api/v1/customers/${cust}/automations/slow_routing`, { body: { from: '+1' } });
    // The endpoint answers 200 after 4 s, so a 504 can only come from the 2 s flow timeout (no upper wall-clock
    // bound: on a loaded machine the answer itself may take longer than the endpoint's delay).
    expect(Date.now() - t0).toBeGreaterThanOrEqual(2000);
    expect(r.status).toBe(504);
    expect(r.body.error.code).toBe('timeout');
    expect(r.body.error.runId).toMatch(/^[0-9a-f-]{36}$/);
    let run: any;
    for (let i = 0; i < 40; i++) {
      run = await api(`/api/v1/runs/${r.body.error.runId}`);
      if (run.status === 200) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(run.body).toMatchObject({ status: 'timeout', error: { code: 'timeout' } });
  });
});
