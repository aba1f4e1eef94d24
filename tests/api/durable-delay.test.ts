import { beforeAll, describe, expect, it } from 'vitest';
import { api, db } from './helpers';
import { enableIntegration, publishFlow, saveFlowVersion } from '@/lib/flows/flows';

const cust = `delay-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  expect((await api('/api/v1/customers', { body: { externalId: cust, name: 'Delay' } })).status).toBe(201);
  const sql = db();
  const [c] = await sql`select id, vendor_id from customers where external_id = ${cust}`;
  const saved = await saveFlowVersion(sql, { vendorId: c.vendor_id, definition: {
    name: 'Log after a pause', automation: 'log_after_pause',
    nodes: [
      { id: 't', type: 'trigger.webhook', params: { fields: [{ path: 'callId', type: 'string' }] } },
      { id: 'wait', type: 'delay', params: { minutes: 0.02 } },
      { id: 'r', type: 'respond.json', params: { body: { logged: '=trigger.callId' } } },
    ],
    edges: [{ id: 'e1', source: 't', target: 'wait' }, { id: 'e2', source: 'wait', target: 'r' }],
  } });
  await publishFlow(sql, c.vendor_id, saved.flowId, saved.version);
  await enableIntegration(sql, { vendorId: c.vendor_id, customerId: c.id, flowId: saved.flowId });
});

describe('durable delay', () => {
  it('persists the run at the delay and a job-engine worker resumes it with all its steps', async () => {
    const r = await api(`/api/v1/customers/${cust}/automations/log_after_pause`, { body: { callId: 'call-42' } });
    expect(r.status).toBe(202);
    expect(r.body.status).toBe('waiting');
    const runId = r.body.runId;
    const [row] = await db()`select status, resume_at, state from runs where id = ${runId}`;
    expect(row.status).toBe('waiting');
    expect(row.resume_at).not.toBeNull();
    expect(row.state.queue).toEqual(['r']);
    const [job] = await db()`select name, state from pgboss.job where data->>'runId' = ${runId}`;
    expect(job).toMatchObject({ name: 'run-resume', state: 'created' });
    let run: any;
    for (let i = 0; i < 60; i++) {
      run = (await api(`/api/v1/runs/${runId}`)).body;
      if (run.status === 'succeeded') break;
      await new Promise((res) => setTimeout(res, 250));
    }
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s: any) => s.nodeId)).toEqual(['t', 'wait', 'r']);
    expect(run.response).toEqual({ status: 200, body: { logged: 'call-42' } });
  });
});
