// Issue 18 over HTTP: the recording policy of an integration, traced requests, the customer's "trace the next
// N runs" switch, and GET /metrics behind its token.
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { api, baseUrl, db } from './helpers';

const uniq = Math.random().toString(36).slice(2, 8);
const cust = `rec-${uniq}`;
let flowId = '';

const lookup = (headers: Record<string, string> = {}) => api(`/api/v1/customers/${cust}/automations/caller_lookup`, { body: { phone: '+44 20 7946 0000' }, headers });
/** Whether a run was stored, once the recorder's batch had time to be written. */
async function stored(runId: string): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    if ((await db()`select 1 from runs where id = ${runId}`).length) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

beforeAll(async () => {
  expect((await api('/api/v1/customers', { body: { externalId: cust, name: cust, defaultCountry: 'GB' } })).status).toBe(201);
  flowId = (await db()`select id from flows where automation = 'caller_lookup' order by created_at limit 1`)[0].id;
  const r = await api(`/api/v1/customers/${cust}/integrations`, { body: { flowId, recording: { policy: 'errors' } } });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect((await api(`/api/v1/customers/${cust}/cdp/contacts`, { body: { contacts: [{ source: 'crm', externalId: '1', firstName: 'Ada', phones: ['+44 20 7946 0000'] }] } })).status).toBe(200);
});

describe('recording policy over the named URL', () => {
  it('errors: a successful lookup answers but is not stored (404 that says why); a traced one is stored in full', async () => {
    const plain = await lookup();
    expect(plain.body).toMatchObject({ found: true });
    const plainId = plain.headers.get('x-patchbay-run-id')!;
    const traced = await lookup({ 'x-patchbay-trace': '1' });
    const tracedId = traced.headers.get('x-patchbay-run-id')!;
    expect(await stored(tracedId)).toBe(true);
    expect(await stored(plainId)).toBe(false);
    const miss = await api(`/api/v1/runs/${plainId}`);
    expect(miss.status).toBe(404);
    expect(miss.body.error.message).toMatch(/recording policy/);
    const run = await api(`/api/v1/runs/${tracedId}`);
    expect(run.body.steps.map((s: { blockId: string }) => s.blockId)).toEqual(['trigger.webhook', 'phone.normalize', 'cdp.lookup', 'respond.json']);
    expect(run.body.steps[2].output.contact).toMatchObject({ firstName: 'Ada' });
  });

  it('a bad recording policy is a 400 naming the field', async () => {
    const r = await api(`/api/v1/customers/${cust}/integrations`, { body: { flowId, recording: { policy: 'sampled' } } });
    expect(r.status).toBe(400);
    expect(r.body.error.path).toEqual(['recording', 'share']);
    const t = await api(`/api/v1/customers/${cust}/trace`, { body: { runs: -1 } });
    expect(t.status).toBe(400);
    expect(t.body.error.path).toEqual(['runs']);
  });

  it('"trace the next N runs": exactly the next 3 runs are stored, then the policy again', async () => {
    const set = await api(`/api/v1/customers/${cust}/trace`, { body: { runs: 3 } });
    expect(set.status).toBe(200);
    expect(set.body.runs).toBe(3);
    // The binding (with the switch) is re-read per PATCHBAY_AUTOMATION_CACHE_MS (0 in the suite).
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await lookup()).headers.get('x-patchbay-run-id')!);
    const kept = [];
    for (const id of ids) kept.push(await stored(id));
    expect(kept).toEqual([true, true, true, false, false]);
    // the countdown reaches the database
    for (let i = 0; i < 50; i++) {
      const [c] = await db()`select trace_runs from customers where external_id = ${cust}`;
      if (c.trace_runs === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await db()`select trace_runs from customers where external_id = ${cust}`)[0].trace_runs).toBe(0);
  });
});

describe('GET /metrics', () => {
  const metrics = (auth?: string) => fetch(`${baseUrl()}/metrics`, { headers: auth ? { authorization: auth } : {} });

  it('needs the token', async () => {
    const none = await metrics();
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain('patchbay_runs_total');
    expect((await metrics('Bearer not-the-token')).status).toBe(401);
    expect((await metrics(`Bearer ${inject('metricsToken')}x`)).status).toBe(401);
  });

  it('with the token: run counters and latency histograms (stored or not), queue depth, sync progress, database connections', async () => {
    await lookup();
    const r = await metrics(`Bearer ${inject('metricsToken')}`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await r.text();
    const count = Number(/patchbay_runs_total\{automation="caller_lookup",status="succeeded"\} (\d+)/.exec(text)?.[1]);
    expect(count).toBeGreaterThan(0);
    expect(text).toMatch(/patchbay_run_duration_seconds_bucket\{le="0\.005",automation="caller_lookup"\} \d+/);
    expect(text).toContain('# TYPE patchbay_jobs gauge');
    expect(text).toContain('# TYPE patchbay_sync_runs_active gauge');
    expect(text).toMatch(/patchbay_db_connections\{state="(active|idle)"\} \d+/);
    expect(text).toMatch(/patchbay_run_history_bytes\{table="runs"\} \d+/);
    expect(text).toContain('patchbay_process_resident_memory_bytes');
  });
});
